import { randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { CursorSeal } from '../../src/federation/cursor-seal.js';
import { decodeCursor, encodeCursor } from '../../src/graph/index.js';

const seal = new CursorSeal(randomBytes(32));

function refusal(open: () => unknown): GraphQLError {
  try {
    open();
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('the cursor was accepted');
}

describe('sealed subgraph cursors', () => {
  it("opens to the subgraph's own cursor for the list and parent it was sealed for", () => {
    const sealed = seal.seal('posts', 'alice', 'opaque:cursor/42');
    expect(seal.open('posts', 'alice', sealed, 'after')).toBe('opaque:cursor/42');
  });

  it("survives the public cursor's encoding, which names its connection", () => {
    const sealed = seal.seal('posts', 'alice', 'c1');
    const decoded = decodeCursor('post', encodeCursor('post', sealed), 'after');
    expect(decoded).toEqual(sealed);
    expect(refusal(() => decodeCursor('message', encodeCursor('post', sealed), 'after')).extensions.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['another list', (s: CursorSeal) => s.open('followers', 'alice', seal.seal('following', 'alice', 'c1'), 'after')],
    ["another parent's", (s: CursorSeal) => s.open('posts', 'bob', seal.seal('posts', 'alice', 'c1'), 'after')],
    ['an edited one', (s: CursorSeal) => s.open('posts', 'alice', { token: seal.seal('posts', 'alice', 'c1').token.replace(/c1$/, 'c2') }, 'before')],
    ['one sealed under another key', () => seal.open('posts', 'alice', new CursorSeal(randomBytes(32)).seal('posts', 'alice', 'c1'), 'after')],
    ['a token with no seal', (s: CursorSeal) => s.open('posts', 'alice', { token: 'c1' }, 'after')],
  ])('refuses %s as BAD_USER_INPUT naming the argument', (_what, open) => {
    const error = refusal(() => open(seal));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: expect.stringMatching(/^(after|before)$/) });
  });
});
