import { GraphQLError } from 'graphql';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  fromGlobalId,
  pageRequest,
  toConnection,
  toGlobalId,
  NODE_TYPES,
} from '../../src/graph/index.js';

/** Runs `fn` and returns the GraphQLError it throws, failing the test when it throws nothing else. */
function thrownBy(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return error as GraphQLError;
  }
  throw new Error('expected a GraphQLError, but nothing was thrown');
}

const base64url = (text: string) => Buffer.from(text).toString('base64url');

describe('cursors', () => {
  it('a cursor decodes to the position it was encoded from', () => {
    const position = { time: 1767225600000, id: 'post_00042' };
    expect(decodeCursor('post', encodeCursor('post', position), 'after')).toEqual(position);
  });

  it('a cursor keeps an id that itself contains colons', () => {
    const position = { time: 5, id: 'a:b:c' };
    expect(decodeCursor('message', encodeCursor('message', position), 'before')).toEqual(position);
  });

  it('a cursor is URL-safe and does not show its kind in clear', () => {
    const cursor = encodeCursor('follower', { time: 1, id: 'usr_0001' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('follower');
  });

  it('a cursor of another connection is refused as BAD_USER_INPUT naming the argument', () => {
    const error = thrownBy(() => decodeCursor('post', encodeCursor('follower', { time: 1, id: 'bob' }), 'after'));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.argumentName).toBe('after');
    expect(error.message).toMatch(/another connection/);
  });

  it.each([
    ['an empty string', ''],
    ['characters outside base64url', 'cG9zdDox!'],
    ['standard base64 padding', `${Buffer.from('post:1:x').toString('base64')}==`],
    ['a kind without a time', base64url('post')],
    ['a non-numeric time', base64url('post:abc:x')],
    ['a time longer than 15 digits', base64url('post:1234567890123456:x')],
    ['a missing id', base64url('post:1')],
  ])('a cursor made of %s is refused as BAD_USER_INPUT', (_what, cursor) => {
    const error = thrownBy(() => decodeCursor('post', cursor, 'before'));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.argumentName).toBe('before');
  });
});

describe('pageRequest', () => {
  it(`asks for the first ${DEFAULT_PAGE_SIZE} when neither first nor last is given`, () => {
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(pageRequest('post', {})).toEqual({ first: 20 });
  });

  it('treats explicit nulls like absent arguments', () => {
    expect(pageRequest('post', { first: null, last: null, after: null, before: null })).toEqual({ first: 20 });
  });

  it.each([1, 50, MAX_PAGE_SIZE])('accepts first: %d', (first) => {
    expect(pageRequest('post', { first })).toEqual({ first });
  });

  it.each([1, MAX_PAGE_SIZE])('accepts last: %d without adding a first', (last) => {
    expect(pageRequest('post', { last })).toEqual({ last });
  });

  it.each([
    ['first', 0],
    ['first', -1],
    ['first', 101],
    ['last', 0],
    ['last', 101],
  ] as const)('refuses %s: %d as BAD_USER_INPUT naming that argument', (name, value) => {
    const error = thrownBy(() => pageRequest('post', { [name]: value }));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.argumentName).toBe(name);
  });

  it('refuses first and last together', () => {
    const error = thrownBy(() => pageRequest('post', { first: 5, last: 5 }));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/first.*last/);
  });

  it('decodes after and before into positions', () => {
    const after = { time: 10, id: 'a' };
    const before = { time: 20, id: 'b' };
    expect(
      pageRequest('activity', { first: 3, after: encodeCursor('activity', after), before: encodeCursor('activity', before) }),
    ).toEqual({ first: 3, after, before });
  });

  it('refuses an after cursor of another kind', () => {
    const error = thrownBy(() => pageRequest('post', { after: encodeCursor('activity', { time: 1, id: 'evt_1' }) }));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.argumentName).toBe('after');
  });
});

describe('toConnection', () => {
  const rows = [
    { id: 'p1', at: 100 },
    { id: 'p2', at: 200 },
  ];

  it('gives each edge the cursor of its row position and reports the first and last cursors', () => {
    const connection = toConnection('post', { rows, hasNextPage: true, hasPreviousPage: false }, (r) => ({ time: r.at, id: r.id }));
    expect(connection.edges.map((e) => e.node)).toEqual(rows);
    expect(connection.edges.map((e) => decodeCursor('post', e.cursor, 'after'))).toEqual([
      { time: 100, id: 'p1' },
      { time: 200, id: 'p2' },
    ]);
    expect(connection.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: connection.edges[0]!.cursor,
      endCursor: connection.edges[1]!.cursor,
    });
  });

  it('an empty page has null start and end cursors', () => {
    const connection = toConnection('post', { rows: [], hasNextPage: false, hasPreviousPage: true }, () => ({ time: 0, id: '' }));
    expect(connection).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null },
    });
  });
});

describe('global ids', () => {
  it.each(NODE_TYPES.map((type) => [type]))('a %s id decodes to its type and platform id', (type) => {
    expect(fromGlobalId(toGlobalId(type, 'x_001'))).toEqual({ type, id: 'x_001' });
  });

  it('a platform id containing colons survives the round trip', () => {
    expect(fromGlobalId(toGlobalId('Message', 'm:1:2'))).toEqual({ type: 'Message', id: 'm:1:2' });
  });

  it('a global id is opaque base64url', () => {
    const id = toGlobalId('Post', 'post_00001');
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(id).not.toContain('Post');
  });

  it.each([
    ['"xx"', 'xx'],
    ['an empty string', ''],
    ['an unknown type', base64url('Nope:1')],
    ['a type without an id', base64url('Post:')],
    ['no separator', base64url('Post')],
    ['characters outside base64url', 'UG9zdDox=='],
  ])('%s is refused as BAD_USER_INPUT on the id argument', (_what, globalId) => {
    const error = thrownBy(() => fromGlobalId(globalId));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.argumentName).toBe('id');
  });
});
