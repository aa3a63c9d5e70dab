import { GraphQLError, specifiedRules } from 'graphql';
import { documentCache } from '../../src/limits/document-cache.js';
import { buildSchema } from '../../src/server/schema.js';

const schema = buildSchema();
const text = 'subscription { changes { cursor } }';
const cache = () => documentCache({ maxTokens: 50 }, specifiedRules);

describe('documentCache', () => {
  it('hands out one shared document for the same operation text', () => {
    const documents = cache();
    expect(documents.parse(text)).toBe(documents.parse(text));
  });

  it('throws the parser error for text that does not parse, each time', () => {
    const documents = cache();
    expect(() => documents.parse('subscription {')).toThrow(GraphQLError);
    expect(() => documents.parse('subscription {')).toThrow(GraphQLError);
  });

  it('parses with its options', () => {
    expect(() => cache().parse(`{ ${'a '.repeat(60)}}`)).toThrow(/tokens/);
  });

  it('reports the same validation errors for a document it has already validated', () => {
    const documents = cache();
    const invalid = documents.parse('subscription { changes { nope } }');
    const first = documents.validate(schema, invalid);
    expect(first).toHaveLength(1);
    expect(first[0]!.message).toContain('Cannot query field "nope" on type "Change"');
    expect(documents.validate(schema, invalid)).toBe(first);
    expect(documents.validate(schema, documents.parse(text))).toEqual([]);
  });
});
