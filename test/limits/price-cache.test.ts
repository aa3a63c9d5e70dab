import { getOperationAST, parse } from 'graphql';
import { requestedCost } from '../../src/limits/index.js';
import { priceCache } from '../../src/limits/price-cache.js';
import { buildSchema } from '../../src/server/index.js';

const schema = buildSchema();
const document = parse(`query Page($posts: Int, $messages: Int, $back: Int, $after: String) {
  viewer {
    posts(first: $posts, after: $after) { edges { node { id } } }
    conversations(last: $back) { edges { node { messages(first: $messages) { edges { node { text } } } } } }
  }
}`);
const operation = getOperationAST(document)!;

describe('the price cache', () => {
  it('prices every shape of variables as requestedCost does, however often it is asked', () => {
    const price = priceCache();
    const shapes: Record<string, unknown>[] = [
      {},
      { posts: 5 },
      { posts: 50, messages: 20, back: 3 },
      { posts: 5, messages: 20, back: 3, after: 'a cursor' },
      { posts: 1000, messages: -4, back: 2.7 },
      { posts: 'five', messages: null, back: Number.NaN },
      { posts: 100, messages: 100, back: 100 },
    ];
    for (let round = 0; round < 2; round++) {
      for (const variables of shapes) expect(price(schema, document, operation, variables)).toBe(requestedCost(schema, document, operation, variables));
    }
  });

  it('gives a page size passed as a variable its own price', () => {
    const price = priceCache();
    expect(price(schema, document, operation, { posts: 10 })).toBeLessThan(price(schema, document, operation, { posts: 90 }));
  });
});
