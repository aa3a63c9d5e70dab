import { toGlobalId } from '../graph/index.js';
import type { Category, Cursor, Page, PageCursor, PageRequest, Sources, UserRow } from '../store/index.js';
import { activityLine, conversationLine, followEdgeLine, messageLine, postLine, profileRecord } from './records.js';

/** Rows read from the store at a time: a keyset page (and the most a subgraph's page may hold). */
const PAGE_ROWS = 1000;

/** One file of an archive: its category, and how to count and write its records. */
export interface ArchiveFile {
  name: string;
  category: Category;
  /** How many records it will hold (for progress). */
  count(sources: Sources, userId: string): Promise<number>;
  /** Emits its records, already serialized, in the API's order. */
  records(sources: Sources, userId: string): AsyncIterable<string[]>;
}

/**
 * Walks one parent's connection page by page, each after the last row of the one before: its
 * position, or the cursor the source gave for it (a federated category's subgraph).
 */
async function* keyset<Row>(
  fetch: (request: PageRequest) => Promise<Map<string, Page<Row>>>,
  parentId: string,
  position: (row: Row) => Cursor,
): AsyncIterable<Row[]> {
  let after: PageCursor | undefined;
  for (;;) {
    const page = (await fetch({ first: PAGE_ROWS, ...(after ? { after } : {}) })).get(parentId);
    if (!page || page.rows.length === 0) return;
    yield page.rows;
    if (!page.hasNextPage) return;
    after = page.cursors?.at(-1) ?? position(page.rows.at(-1)!);
  }
}

async function usersById(sources: Sources, ids: readonly string[]): Promise<Map<string, UserRow>> {
  const unique = [...new Set(ids)];
  return new Map(unique.length === 0 ? [] : (await sources.profile.usersByIds(unique)).map((u) => [u.id, u]));
}

function followFile(name: 'followers.jsonl' | 'following.jsonl'): ArchiveFile {
  const followers = name === 'followers.jsonl';
  return {
    name,
    category: 'follows',
    count: (sources, userId) => (followers ? sources.follows.followerCount(userId) : sources.follows.followingCount(userId)),
    async *records(sources, userId) {
      const pages = followers ? sources.follows.followerPages : sources.follows.followingPages;
      const other = followers ? 'followerId' : 'followeeId';
      for await (const rows of keyset((r) => pages([userId], r), userId, (row) => ({ time: row.createdAt, id: row[other] }))) {
        const users = await usersById(sources, rows.map((row) => row[other]));
        yield rows.flatMap((row) => {
          const user = users.get(row[other]);
          return user ? [followEdgeLine(row, user)] : [];
        });
      }
    },
  };
}

/** A user's conversations, a page at a time, in the order the API lists them. */
function conversationPages(sources: Sources, userId: string) {
  return keyset((r) => sources.messages.conversationPages([userId], r), userId, (row) => ({ time: row.joinedAt, id: row.conversationId }));
}

/** Every file an archive can hold, in the order it holds them. */
export const ARCHIVE_FILES: readonly ArchiveFile[] = [
  {
    name: 'posts.jsonl',
    category: 'posts',
    count: (sources, userId) => sources.posts.postCount(userId),
    async *records(sources, userId) {
      for await (const rows of keyset((r) => sources.posts.postPages([userId], r), userId, (row) => ({ time: row.createdAt, id: row.id }))) {
        yield rows.map(postLine);
      }
    },
  },
  followFile('followers.jsonl'),
  followFile('following.jsonl'),
  {
    name: 'activity.jsonl',
    category: 'activity',
    count: (sources, userId) => sources.activity.eventCount(userId),
    async *records(sources, userId) {
      for await (const rows of keyset((r) => sources.activity.eventPages([userId], r), userId, (row) => ({ time: row.occurredAt, id: row.id }))) {
        yield rows.map(activityLine);
      }
    },
  },
  {
    name: 'conversations.jsonl',
    category: 'messages',
    count: (sources, userId) => sources.messages.conversationCount(userId),
    async *records(sources, userId) {
      for await (const memberships of conversationPages(sources, userId)) {
        const ids = memberships.map((m) => m.conversationId);
        const [conversations, participants] = await Promise.all([sources.messages.conversationsByIds(ids), sources.messages.participantsOf(ids)]);
        const users = await usersById(sources, participants.map((p) => p.userId));
        const byId = new Map(conversations.map((c) => [c.id, c]));
        const members = new Map<string, UserRow[]>();
        for (const p of participants) {
          const user = users.get(p.userId);
          if (user) members.set(p.conversationId, [...(members.get(p.conversationId) ?? []), user]);
        }
        yield ids.flatMap((id) => {
          const conversation = byId.get(id);
          return conversation ? [conversationLine(conversation, members.get(id) ?? [])] : [];
        });
      }
    },
  },
  {
    name: 'messages.jsonl',
    category: 'messages',
    count: (sources, userId) => sources.messages.messageCount(userId),
    async *records(sources, userId) {
      // The conversations and their participants: few ids, each met on many messages.
      const refIds = new Map<string, string>();
      const refId: typeof toGlobalId = (type, id) => {
        const key = `${type}:${id}`;
        let globalId = refIds.get(key);
        if (globalId === undefined) refIds.set(key, (globalId = toGlobalId(type, id)));
        return globalId;
      };
      for await (const memberships of conversationPages(sources, userId)) {
        for (const { conversationId } of memberships) {
          const pages = keyset((r) => sources.messages.messagePages([conversationId], r), conversationId, (row) => ({ time: row.sentAt, id: row.id }));
          for await (const rows of pages) yield rows.map((row) => messageLine(row, refId));
        }
      }
    },
  },
];

/** The profile is one record, written as one JSON document (`profile.json`). */
export const PROFILE_FILE = 'profile.json';

export async function profileDocument(sources: Sources, userId: string): Promise<Buffer | undefined> {
  const [user] = await sources.profile.usersByIds([userId]);
  return user ? Buffer.from(JSON.stringify(profileRecord(user), null, 2) + '\n') : undefined;
}
