import { GraphQLError } from 'graphql';
import { buildSchema } from '../../src/server/schema.js';
import { documentCache } from '../../src/server/document-cache.js';

const schema = buildSchema();
const text = 'subscription { changes { cursor } }';

describe('documentCache', () => {
  it('hands out one shared document for the same operation text', () => {
    const cache = documentCache();
    expect(cache.parse(text)).toBe(cache.parse(text));
  });

  it('throws the parser error for text that does not parse, each time', () => {
    const cache = documentCache();
    expect(() => cache.parse('subscription {')).toThrow(GraphQLError);
    expect(() => cache.parse('subscription {')).toThrow(GraphQLError);
  });

  it('reports the same validation errors for a document it has already validated', () => {
    const cache = documentCache();
    const invalid = cache.parse('subscription { changes { nope } }');
    const first = cache.validate(schema, invalid);
    expect(first).toHaveLength(1);
    expect(first[0]!.message).toContain('Cannot query field "nope" on type "Change"');
    expect(cache.validate(schema, invalid)).toBe(first);
    expect(cache.validate(schema, cache.parse(text))).toEqual([]);
  });
});
