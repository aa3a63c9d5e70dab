import { toGlobalId } from '../src/graph/index.js';

/** A benchmarked GraphQL operation: its document and the variables of the measured request. */
export interface Operation {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** The same operation with every page size set to `n` (statement counts). */
  atPageSize(n: number): Record<string, unknown>;
}

const PROFILE = `query Profile {
  viewer { profile { id username displayName bio avatarUrl email birthDate country createdAt } }
}`;

const PORTABILITY_PAGE = `query PortabilityPage($posts: Int!, $followers: Int!, $conversations: Int!, $messages: Int!) {
  viewer {
    profile { id username displayName bio avatarUrl email birthDate country createdAt }
    posts(first: $posts) {
      edges { cursor node { id caption media { url type durationSeconds } visibility counts { likes comments shares views } createdAt updatedAt } }
      pageInfo { hasNextPage endCursor }
    }
    followers(first: $followers) {
      edges { cursor since node { id username displayName avatarUrl } }
      pageInfo { hasNextPage endCursor }
    }
    conversations(first: $conversations) {
      edges {
        cursor
        node {
          id
          createdAt
          participants { id username displayName avatarUrl }
          messages(first: $messages) {
            edges { cursor node { id text sentAt sender { id username displayName avatarUrl } } }
            pageInfo { hasNextPage endCursor }
          }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

const NODE = `query Node($id: ID!) {
  node(id: $id) { id ... on Message { text sentAt sender { id username displayName } } }
}`;

/** The three operations of the query benchmark, over alice's demo data. */
export const OPERATIONS: Operation[] = [
  { name: 'profile', query: PROFILE, variables: {}, atPageSize: () => ({}) },
  {
    name: 'portability page',
    query: PORTABILITY_PAGE,
    variables: { posts: 50, followers: 100, conversations: 20, messages: 20 },
    atPageSize: (n) => ({ posts: n, followers: n, conversations: n, messages: n }),
  },
  // A message of a conversation between alice and bob: the lookup checks alice takes part in it.
  { name: 'node', query: NODE, variables: { id: toGlobalId('Message', 'msg_00001') }, atPageSize: () => ({ id: toGlobalId('Message', 'msg_00001') }) },
];

/** The POST body of an operation's request. */
export function requestBody(operation: Operation, variables = operation.variables): string {
  return JSON.stringify({ query: operation.query, variables });
}
