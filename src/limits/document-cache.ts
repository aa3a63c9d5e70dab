import { parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema, type ParseOptions, type ValidationRule } from 'graphql';
import { LRUCache } from 'lru-cache';

/** How many distinct operations are kept parsed and validated. */
const MAX_DOCUMENTS = 1000;

/**
 * Parses and validates each distinct operation text once. Apps open many streams with the same
 * few operations; with one shared document per text, ten thousand subscribers hold one syntax tree
 * instead of ten thousand, subscribing skips the parser and the validator, and a compiled executor
 * keyed by the document compiles each operation once.
 */
export interface DocumentCache {
  /** The document of `source`; throws the parser's `GraphQLError` for text that does not parse. */
  parse(source: string): DocumentNode;
  /** `document`'s validation errors under the cache's rules (none for a valid document). */
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
}

/** A cache for one schema, parsing with `parseOptions` and validating with `rules`. */
export function documentCache(parseOptions: ParseOptions, rules: readonly ValidationRule[]): DocumentCache {
  const documents = new LRUCache<string, DocumentNode>({ max: MAX_DOCUMENTS });
  const verdicts = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return {
    parse(source) {
      let document = documents.get(source);
      if (!document) {
        document = parse(source, parseOptions);
        documents.set(source, document);
      }
      return document;
    },
    validate(schema, document) {
      let errors = verdicts.get(document);
      if (!errors) {
        errors = validate(schema, document, rules);
        verdicts.set(document, errors);
      }
      return errors;
    },
  };
}
