import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import {
  ACTIVITY_KINDS, BASE_TIME, CONTENT_START, DAY, DEVICES, EEA_COUNTRIES, HOUR, MEDIA_EXTENSION, OTHER_COUNTRIES, YEAR,
  caption, comment, englishFaker, insertAll, message, pad, prng, searchQuery, targetTypeOf,
} from './seed-data.js';

/** Sizes a {@link seedBulk} run. */
export interface BulkSeedOptions {
  /** How many users to create; the other tables scale with it. */
  users: number;
  /** PRNG seed, default 1; the same seed writes the same rows. */
  seed?: number;
}

/** What every part of a bulk run draws from: its size, the text pools and the one PRNG, drawn in order. */
interface BulkPlan {
  n: number;
  r: ReturnType<typeof prng>;
  pools: { firstNames: string[]; lastNames: string[]; captions: string[]; messageTexts: string[]; comments: string[]; queries: string[] };
  postsPerUser: Uint8Array;
  postTotal: number;
}

/** A conversation between users `a` and `b`, begun at `createdAt`: indexes into the run's users. */
type BulkPair = readonly [a: number, b: number, createdAt: number];

/**
 * Writes a large synthetic data set for benchmarks: per user about 3 posts, 8 follows and
 * 5 activity events, plus one two-person conversation per two users with about 4 messages.
 * Every id and username starts with `bulk_`, so it coexists with the demo data (`seedDemo`)
 * (but not with an earlier bulk run).
 *
 * @returns how many rows went into each table.
 */
export async function seedBulk(
  db: Kysely<Database>,
  options: BulkSeedOptions,
): Promise<{ users: number; posts: number; follows: number; activityEvents: number; conversations: number; messages: number }> {
  const plan = await bulkPlan(Math.max(0, Math.floor(options.users)), options.seed ?? 1);
  // Each table's rows are drawn as they are inserted, one table after the other: the order fixes the rows.
  return db.transaction().execute(async (trx) => {
    const users = await insertAll(trx, 'users', bulkUsers(plan));
    const posts = await insertAll(trx, 'posts', bulkPosts(plan));
    const follows = await insertAll(trx, 'follows', bulkFollows(plan));
    const activityEvents = await insertAll(trx, 'activityEvents', bulkActivity(plan));
    const pairs = bulkPairs(plan);
    const conversations = await insertAll(trx, 'conversations', pairs.map(([, , createdAt], c) => ({ id: conversationId(c), createdAt })));
    await insertAll(trx, 'conversationParticipants', pairs.flatMap(([a, b, joinedAt], c) => [
      { conversationId: conversationId(c), userId: userId(a), joinedAt },
      { conversationId: conversationId(c), userId: userId(b), joinedAt },
    ]));
    const messages = await insertAll(trx, 'messages', bulkMessages(plan, pairs));
    return { users, posts, follows, activityEvents, conversations, messages };
  });
}

async function bulkPlan(n: number, seed: number): Promise<BulkPlan> {
  // Faker only fills small text pools up front; per-row values come from the far cheaper PRNG.
  const f = await englishFaker();
  f.seed(seed);
  const pool = (size: number, make: () => string) => Array.from({ length: size }, make);
  const pools = {
    firstNames: pool(300, () => f.person.firstName()),
    lastNames: pool(300, () => f.person.lastName()),
    captions: pool(1_000, () => caption(f)),
    messageTexts: pool(500, () => message(f)),
    comments: pool(300, () => comment(f)),
    queries: pool(300, () => searchQuery(f)),
  };
  const r = prng(seed);
  const postsPerUser = Uint8Array.from({ length: n }, () => r.int(1, 5));
  return { n, r, pools, postsPerUser, postTotal: postsPerUser.reduce((sum, k) => sum + k, 0) };
}

const userId = (i: number) => `bulk_u${pad(i + 1, 6)}`;
const postId = (i: number) => `bulk_p${pad(i + 1, 7)}`;
const conversationId = (c: number) => `bulk_c${pad(c + 1, 6)}`;

/** A random moment from `from` to `to` (an hour before {@link BASE_TIME} by default). */
function timeIn({ r }: BulkPlan, from: number, to = BASE_TIME - HOUR): number {
  return r.int(from, to);
}

function* bulkUsers(plan: BulkPlan) {
  const { n, r, pools } = plan;
  for (let i = 0; i < n; i++) {
    const [first, last] = [r.pick(pools.firstNames), r.pick(pools.lastNames)];
    const username = `bulk_${first.toLowerCase().replace(/[^a-z0-9_]+/g, '')}${pad(i + 1, 6)}`;
    const createdAt = timeIn(plan, BASE_TIME - 3 * YEAR, CONTENT_START);
    yield {
      id: userId(i), username, displayName: `${first} ${last}`, bio: null, avatarUrl: null, email: `${username}@example.com`,
      birthDate: `${r.int(1950, 2008)}-${pad(r.int(1, 12), 2)}-${pad(r.int(1, 28), 2)}`,
      country: r.int(1, 10) === 1 ? r.pick(OTHER_COUNTRIES) : r.pick(EEA_COUNTRIES), createdAt, updatedAt: createdAt,
    };
  }
}

function* bulkPosts(plan: BulkPlan) {
  const { n, r, pools, postsPerUser } = plan;
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < postsPerUser[i]!; k++, p++) {
      const createdAt = timeIn(plan, CONTENT_START);
      const media = r.int(0, 9);
      const mediaType = media < 6 ? 'IMAGE' : media < 8 ? 'VIDEO' : media < 9 ? 'AUDIO' : null;
      const likeCount = r.int(0, 500);
      yield {
        id: postId(p), authorId: userId(i), caption: r.pick(pools.captions), mediaType,
        mediaUrl: mediaType === null ? null : `https://media.example.com/${postId(p)}.${MEDIA_EXTENSION[mediaType]}`,
        mediaDurationMs: mediaType === 'VIDEO' || mediaType === 'AUDIO' ? r.int(3_000, 300_000) : null,
        visibility: r.int(0, 9) < 8 ? 'PUBLIC' : r.int(0, 1) ? 'FOLLOWERS' : 'PRIVATE',
        likeCount, commentCount: r.int(0, likeCount >> 3), shareCount: r.int(0, likeCount >> 4), viewCount: likeCount * r.int(2, 20),
        createdAt, updatedAt: createdAt,
      } as const;
    }
  }
}

function* bulkFollows(plan: BulkPlan) {
  const { n, r } = plan;
  const chosen: number[] = [];
  for (let i = 0; i < n; i++) {
    const want = Math.min(n - 1, r.int(4, 12));
    chosen.length = 0;
    // Offsets in 1..n-1 never land on the follower itself; a short linear scan keeps them distinct.
    while (chosen.length < want) {
      const offset = r.int(1, n - 1);
      if (!chosen.includes(offset)) chosen.push(offset);
    }
    for (const offset of chosen) yield { followerId: userId(i), followeeId: userId((i + offset) % n), createdAt: timeIn(plan, CONTENT_START) };
  }
}

function* bulkActivity(plan: BulkPlan) {
  const { n, r, pools, postTotal } = plan;
  let e = 0;
  for (let i = 0; i < n; i++) {
    for (let k = r.int(2, 8); k > 0; k--) {
      const kind = r.pick(ACTIVITY_KINDS);
      const targetType = targetTypeOf(kind);
      yield {
        id: `bulk_e${pad(++e, 7)}`, userId: userId(i), kind, targetType,
        targetRef: targetType === 'POST' ? postId(r.int(0, postTotal - 1)) : null,
        targetText: kind === 'COMMENT' ? r.pick(pools.comments) : kind === 'SEARCH' ? r.pick(pools.queries) : kind === 'LOGIN' ? r.pick(DEVICES) : null,
        occurredAt: timeIn(plan, CONTENT_START),
      };
    }
  }
}

/** One two-person conversation per two users. */
function bulkPairs(plan: BulkPlan): BulkPair[] {
  const { n, r } = plan;
  const conversationCount = n >= 2 ? Math.floor(n / 2) : 0;
  return Array.from({ length: conversationCount }, () => {
    const a = r.int(0, n - 1);
    return [a, (a + r.int(1, n - 1)) % n, timeIn(plan, CONTENT_START, BASE_TIME - 30 * DAY)] as const;
  });
}

function* bulkMessages({ r, pools }: BulkPlan, pairs: readonly BulkPair[]) {
  let m = 0;
  for (const [c, [a, b, createdAt]] of pairs.entries()) {
    let sentAt = createdAt;
    for (let k = r.int(2, 6); k > 0; k--) {
      sentAt += r.int(1, 3 * DAY);
      yield { id: `bulk_m${pad(++m, 7)}`, conversationId: conversationId(c), senderId: userId(r.int(0, 1) ? a : b), text: r.pick(pools.messageTexts), sentAt };
    }
  }
}
