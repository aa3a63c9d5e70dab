import { isDeepStrictEqual } from 'node:util';
import { fromGlobalId } from '../src/graph/index.js';
import { OPERATIONS } from './operations.js';

const PAGE_SIZES = OPERATIONS.find((operation) => operation.name === 'portability page')!.variables as Record<'posts' | 'followers' | 'conversations' | 'messages', number>;
const CURSORS = new Set(['cursor', 'startCursor', 'endCursor']);

interface Connection<Node> {
  edges: { node: Node }[];
}
interface Page {
  viewer: {
    posts: Connection<unknown>;
    followers: Connection<unknown>;
    conversations: Connection<{ participants: unknown[]; messages: Connection<unknown> }>;
  };
}

/**
 * An answer as platform data: this gateway's global ids decoded to the platform ids the
 * subgraphs use, and cursors left out (each gateway has its own, equally opaque).
 */
function platformView(answer: string): Page {
  return (JSON.parse(answer, (key, value: unknown) => {
    if (CURSORS.has(key)) return undefined;
    if (key === 'id' && typeof value === 'string') {
      try {
        return fromGlobalId(value).id;
      } catch {
        // Not a global id: already a platform id, as the subgraphs and Hive Gateway give them.
        return value;
      }
    }
    return value;
  }) as { data: Page }).data;
}

/** Where two JSON values first differ, as a path, for an error that says what to look at. */
function firstDifference(a: unknown, b: unknown, path = 'data'): string {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const [x, y] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]];
    if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${key}`);
  }
  return path;
}

/**
 * Checks that both gateways answered the portability page in full and alike: the page sizes
 * asked (50 posts, 100 followers, 20 conversations, up to 20 messages each, every conversation
 * with its participants) and, ids decoded and cursors aside, the very same data. A fast answer
 * that is short or different is not a figure.
 */
export function samePage(gatewayAnswer: string, hiveAnswer: string): void {
  const [gateway, hive] = [platformView(gatewayAnswer), platformView(hiveAnswer)];
  const { posts, followers, conversations } = gateway.viewer;
  const sizes = [
    ['posts', posts.edges.length, PAGE_SIZES.posts],
    ['followers', followers.edges.length, PAGE_SIZES.followers],
    ['conversations', conversations.edges.length, PAGE_SIZES.conversations],
  ] as const;
  for (const [list, got, asked] of sizes) if (got !== asked) throw new Error(`federated: the gateway's page has ${got} ${list}, not ${asked}`);
  for (const { node } of conversations.edges) {
    const messages = node.messages.edges.length;
    if (messages < 1 || messages > PAGE_SIZES.messages || node.participants.length < 2) {
      throw new Error(`federated: a conversation of the gateway's page has ${messages} messages and ${node.participants.length} participants`);
    }
  }
  if (!isDeepStrictEqual(gateway, hive)) throw new Error(`federated: the gateway and Hive Gateway answer differently at ${firstDifference(gateway, hive)}`);
}
