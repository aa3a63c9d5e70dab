import fs from 'node:fs';
import { contractGaps } from '../../src/federation/contract.js';

const contract = (category: string) => fs.readFileSync(new URL(`../../schema/subgraphs/${category}.graphql`, import.meta.url), 'utf8');

describe('contractGaps: a subgraph SDL against its category contract', () => {
  it.each(['profile', 'posts', 'follows', 'activity', 'messages'] as const)('the %s contract carries itself', (category) => {
    expect(contractGaps(category, contract(category))).toEqual([]);
  });

  it('accepts a subgraph that serves more than the contract', () => {
    const sdl = contract('posts').replace('caption: String', 'caption: String\n  language: String') + '\ntype Query { trending: [Post!]! }';
    expect(contractGaps('posts', sdl)).toEqual([]);
  });

  it('names a field the subgraph lacks', () => {
    expect(contractGaps('posts', contract('posts').replace('updatedAt: String!', ''))).toEqual(['`Post.updatedAt` is missing']);
  });

  it('names a field whose type differs from the contract', () => {
    expect(contractGaps('messages', contract('messages').replace('participantIds: [ID!]!', 'participantIds: [ID]'))).toEqual([
      '`Conversation.participantIds` has type `[ID]`; the contract says `[ID!]!`',
    ]);
  });

  it('names an argument a list lacks', () => {
    expect(contractGaps('posts', contract('posts').replace('last: Int, ', ''))).toEqual(['`User.posts` lacks the argument `last`']);
  });

  it('names an entity that is not keyed as the contract keys it', () => {
    expect(contractGaps('posts', contract('posts').replace('type Post @key(fields: "id")', 'type Post'))).toEqual([
      '`Post` is not an entity keyed as the contract keys it (@key on `id`)',
    ]);
  });

  it("names every field of another category's contract as missing", () => {
    const gaps = contractGaps('messages', contract('posts'));
    expect(gaps).toContain('`User.conversations` is missing');
    expect(gaps).toContain('`Message.text` is missing');
  });

  it('reports an SDL that does not parse', () => {
    expect(contractGaps('posts', 'type {')).toEqual([expect.stringMatching(/^its SDL does not parse: Syntax Error/)]);
  });
});
