import { parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema, type Source } from 'graphql';
import { LRUCache } from 'lru-cache';

/** How many distinct operations a stream server keeps parsed and validated. */
const MAX_DOCUMENTS = 1000;

/**
 * Parses and validates each distinct subscription text once. Apps open many streams with the same
 * few operations; with one shared document per text, ten thousand subscribers hold one syntax tree
 * instead of ten thousand, and subscribing skips the parser and the validator.
 */
export interface DocumentCache {
  /** The document of `source`; throws the parser's `GraphQLError` for text that does not parse. */
  parse(source: string | Source): DocumentNode;
  /** `document`'s validation errors against the schema (none for a valid document). */
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
}

export function documentCache(): DocumentCache {
  const documents = new LRUCache<string, DocumentNode>({ max: MAX_DOCUMENTS });
  // Every document this cache hands out is validated against the one schema of the gateway.
  const verdicts = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return {
    parse(source) {
      const text = typeof source === 'string' ? source : source.body;
      let document = documents.get(text);
      if (!document) {
        document = parse(text);
        documents.set(text, document);
      }
      return document;
    },
    validate(schema, document) {
      let errors = verdicts.get(document);
      if (!errors) {
        errors = validate(schema, document);
        verdicts.set(document, errors);
      }
      return errors;
    },
  };
}
