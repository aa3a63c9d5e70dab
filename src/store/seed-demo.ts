import type { Faker } from '@faker-js/faker';
import type { Insertable, Kysely } from 'kysely';
import type { ActivityEventsTable, Database, FollowsTable, MessagesTable, PostsTable, UsersTable } from './database.js';
import { lockKey } from './dialect.js';
import {
  ACTIVITY_KINDS, BASE_TIME, CONTENT_START, DAY, DEVICES, EEA_COUNTRIES, HOUR, MEDIA_EXTENSION, OTHER_COUNTRIES, YEAR,
  caption, comment, englishFaker, insertAll, message, pad, searchQuery, targetTypeOf,
} from './seed-data.js';

type User = Insertable<UsersTable>;
type Post = Insertable<PostsTable>;
type Follow = Insertable<FollowsTable>;
type Event = Insertable<ActivityEventsTable>;
type Message = Insertable<MessagesTable>;

/** What {@link seedDemo} gives the users it creates. */
export interface DemoSeedOptions {
  /**
   * The password hash the seeded users sign in with, asked for only when the seed runs (hashing
   * costs time a start on a seeded store should not spend). The store does not hash: `auth/` does.
   */
  passwordHash: () => Promise<string>;
}

const DEMO_SEED = 20260101;

/**
 * Fills an empty store with a fixed demo data set: `alice` (DE, several pages of every
 * category), `bob` (FR, moderate volumes), `carol` (US, outside the EEA, small volumes) and
 * about 300 other users. Deterministic: two runs write identical rows. Those users, and only
 * they, get a credential with `options.passwordHash`, in the same transaction: a user the
 * platform ingests later never has a password it did not set.
 *
 * @returns false, writing nothing, when the store already has users.
 */
export async function seedDemo(db: Kysely<Database>, options: DemoSeedOptions): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Instances starting together on an empty PostgreSQL: the first seeds, the others then find it done.
    await lockKey(trx, 'seed-demo');
    if (await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()) return false;
    const data = await demoRows();
    await insertAll(trx, 'users', data.users);
    // One hash serves them all: hashing each of hundreds of demo users would cost seconds at start.
    const passwordHash = await options.passwordHash();
    await insertAll(trx, 'credentials', data.users.map(({ id }) => ({ userId: id, passwordHash })));
    await insertAll(trx, 'posts', data.posts);
    await insertAll(trx, 'follows', data.follows);
    await insertAll(trx, 'activityEvents', data.events);
    await insertAll(trx, 'conversations', data.conversations);
    await insertAll(trx, 'conversationParticipants', data.participants);
    await insertAll(trx, 'messages', data.messages);
    return true;
  });
}

/** The rows {@link seedDemo} writes, one array per table. */
export type DemoRows = ReturnType<typeof demoData>;

/**
 * The rows {@link seedDemo} writes, without writing them: for a store of another shape to hold
 * the very same data (the reference subgraphs serve the posts and messages of the demo users).
 */
export async function demoRows(): Promise<DemoRows> {
  return demoData(await englishFaker());
}

/** The demo data set: one faker, seeded once, draws every row, so each part is drawn in this order. */
function demoData(f: Faker) {
  f.seed(DEMO_SEED);
  const { users, others } = demoUsers(f);
  const posts = demoPosts(f, others);
  const follows = demoFollows(f, others);
  const events = demoEvents(f, others, posts);
  return { users, posts, follows, events, ...demoConversations(f, others) };
}

/** A random moment from `from` to `to` (an hour before {@link BASE_TIME} by default). */
function timeIn(f: Faker, from: number, to = BASE_TIME - HOUR): number {
  return f.number.int({ min: from, max: to });
}

/** The three named users, then 300 others; `others` are the ids of the 300. */
function demoUsers(f: Faker): { users: User[]; others: string[] } {
  const users: User[] = [];
  const taken = new Set(['alice', 'bob', 'carol']);
  const addUser = (id: string, username: string, first: string, last: string, country: string, email: string) => {
    // Accounts predate the two-year content window so nothing is older than its author.
    const createdAt = timeIn(f, BASE_TIME - 3 * YEAR, CONTENT_START);
    users.push({
      id, username, displayName: `${first} ${last}`, email, country,
      bio: f.datatype.boolean(0.85) ? f.person.bio() : null,
      avatarUrl: f.datatype.boolean(0.9) ? f.image.avatar() : null,
      birthDate: f.date.birthdate({ mode: 'age', min: 16, max: 75, refDate: BASE_TIME }).toISOString().slice(0, 10),
      createdAt, updatedAt: timeIn(f, createdAt),
    });
  };
  addUser('alice', 'alice', 'Alice', 'Becker', 'DE', 'alice@example.com');
  addUser('bob', 'bob', 'Bob', 'Moreau', 'FR', 'bob@example.com');
  addUser('carol', 'carol', 'Carol', 'Johnson', 'US', 'carol@example.com');
  const others: string[] = [];
  for (let i = 1; i <= 300; i++) {
    const [first, last] = [f.person.firstName(), f.person.lastName()];
    let username = f.internet.username({ firstName: first, lastName: last }).toLowerCase().replace(/[^a-z0-9_]+/g, '_');
    while (taken.has(username)) username += f.number.int(9);
    taken.add(username);
    const country = f.datatype.boolean(0.1) ? f.helpers.arrayElement(OTHER_COUNTRIES) : f.helpers.arrayElement(EEA_COUNTRIES);
    addUser(`usr_${pad(i, 4)}`, username, first, last, country, `${username}@example.${f.helpers.arrayElement(['com', 'org', 'net'])}`);
    others.push(`usr_${pad(i, 4)}`);
  }
  return { users, others };
}

/** Many posts for alice, fewer for bob and carol, up to five for each of the others. */
function demoPosts(f: Faker, others: readonly string[]): Post[] {
  const posts: Post[] = [];
  const addPosts = (authorId: string, count: number) => {
    for (let i = 0; i < count; i++) posts.push(demoPost(f, `post_${pad(posts.length + 1, 5)}`, authorId));
  };
  addPosts('alice', 300);
  addPosts('bob', 40);
  addPosts('carol', 15);
  for (const id of others) addPosts(id, f.number.int(6));
  return posts;
}

function demoPost(f: Faker, id: string, authorId: string): Post {
  const createdAt = timeIn(f, CONTENT_START);
  const mediaType = f.datatype.boolean(0.85) ? f.helpers.weightedArrayElement([
    { weight: 70, value: 'IMAGE' as const }, { weight: 22, value: 'VIDEO' as const }, { weight: 8, value: 'AUDIO' as const },
  ]) : null;
  const viewCount = f.number.int({ min: 0, max: f.helpers.arrayElement([200, 2_000, 50_000]) });
  const likeCount = f.number.int({ min: 0, max: Math.floor(viewCount / 4) });
  return {
    id, authorId, createdAt,
    caption: f.datatype.boolean(0.08) ? null : caption(f),
    mediaType,
    mediaUrl: mediaType === null ? null
      : mediaType === 'IMAGE' ? `https://picsum.photos/seed/${id}/1080/1080`
      : `https://media.example.com/${id}.${MEDIA_EXTENSION[mediaType]}`,
    mediaDurationMs: mediaType === 'VIDEO' ? f.number.int({ min: 3_000, max: 180_000 })
      : mediaType === 'AUDIO' ? f.number.int({ min: 10_000, max: 600_000 }) : null,
    visibility: f.helpers.weightedArrayElement([
      { weight: 80, value: 'PUBLIC' as const }, { weight: 15, value: 'FOLLOWERS' as const }, { weight: 5, value: 'PRIVATE' as const },
    ]),
    viewCount, likeCount,
    commentCount: f.number.int({ min: 0, max: Math.floor(likeCount / 5) }),
    shareCount: f.number.int({ min: 0, max: Math.floor(likeCount / 10) }),
    updatedAt: f.datatype.boolean(0.7) ? createdAt : timeIn(f, createdAt, Math.min(BASE_TIME, createdAt + 30 * DAY)),
  };
}

/** The named users follow each other and have networks of their own; each other user follows a few. */
function demoFollows(f: Faker, others: readonly string[]): Follow[] {
  const follows: Follow[] = [];
  const followed = new Set<string>();
  const follow = (followerId: string, followeeId: string) => {
    const key = `${followerId} ${followeeId}`;
    if (followerId === followeeId || followed.has(key)) return;
    followed.add(key);
    follows.push({ followerId, followeeId, createdAt: timeIn(f, CONTENT_START) });
  };
  const network = (id: string, followers: number, following: number) => {
    for (const other of f.helpers.arrayElements(others, followers)) follow(other, id);
    for (const other of f.helpers.arrayElements(others, following)) follow(id, other);
  };
  for (const [a, b] of [['alice', 'bob'], ['bob', 'alice'], ['alice', 'carol'], ['carol', 'alice'], ['bob', 'carol']] as const) follow(a, b);
  network('alice', 248, 148);
  network('bob', 58, 29);
  network('carol', 12, 8);
  for (const id of others) for (const other of f.helpers.arrayElements(others, { min: 1, max: 6 })) follow(id, other);
  return follows;
}

/** Activity: many events for alice, fewer for bob and carol, up to five for each of the others. */
function demoEvents(f: Faker, others: readonly string[], posts: readonly Post[]): Event[] {
  const events: Event[] = [];
  const publicPosts = posts.filter((post) => post.visibility === 'PUBLIC');
  // People react to what others posted publicly, not to their own or hidden posts.
  const someoneElsesPost = (userId: string): string => {
    const post = f.helpers.arrayElement(publicPosts);
    return post.authorId === userId ? someoneElsesPost(userId) : post.id;
  };
  const addEvents = (userId: string, count: number) => {
    for (let i = 0; i < count; i++) {
      const kind = f.helpers.arrayElement(ACTIVITY_KINDS);
      const targetType = targetTypeOf(kind);
      events.push({
        id: `evt_${pad(events.length + 1, 5)}`, userId, kind, targetType,
        targetRef: targetType === 'POST' ? someoneElsesPost(userId) : null,
        targetText: kind === 'COMMENT' ? comment(f) : kind === 'SEARCH' ? searchQuery(f) : kind === 'LOGIN' ? f.helpers.arrayElement(DEVICES) : null,
        occurredAt: timeIn(f, CONTENT_START),
      });
    }
  };
  addEvents('alice', 500);
  addEvents('bob', 100);
  addEvents('carol', 40);
  for (const id of others) addEvents(id, f.number.int(6));
  return events;
}

/** Conversations, two-person and group, most of them alice's, each with its participants and messages. */
function demoConversations(f: Faker, others: readonly string[]) {
  const conversations: { id: string; createdAt: number }[] = [];
  const participants: { conversationId: string; userId: string; joinedAt: number }[] = [];
  const messages: Message[] = [];
  const converse = (members: string[], min: number, max: number) => {
    const conversationId = `conv_${pad(conversations.length + 1, 4)}`;
    const createdAt = timeIn(f, CONTENT_START, BASE_TIME - 30 * DAY);
    conversations.push({ id: conversationId, createdAt });
    for (const userId of members) participants.push({ conversationId, userId, joinedAt: createdAt });
    const times = Array.from({ length: f.number.int({ min, max }) }, () => timeIn(f, createdAt, createdAt + 30 * DAY)).sort((a, b) => a - b);
    for (const sentAt of times) {
      messages.push({ id: `msg_${pad(messages.length + 1, 5)}`, conversationId, senderId: f.helpers.arrayElement(members), text: message(f), sentAt });
    }
  };
  const group = (fixed: string[]) => [...fixed, ...f.helpers.arrayElements(others, { min: Math.max(1, 3 - fixed.length), max: 5 - fixed.length })];
  converse(['alice', 'bob'], 5, 40);
  converse(['alice', 'carol'], 5, 40);
  for (const other of f.helpers.arrayElements(others, 28)) converse(['alice', other], 5, 40);
  for (let i = 0; i < 10; i++) converse(group(i < 3 ? ['alice', 'bob'] : ['alice']), 5, 40);
  for (const other of f.helpers.arrayElements(others, 5)) converse(['bob', other], 5, 30);
  converse(group(['bob', 'carol']), 5, 30);
  for (const other of f.helpers.arrayElements(others, 2)) converse(['carol', other], 5, 20);
  for (let i = 0; i < 40; i++) converse(f.helpers.arrayElements(others, f.helpers.weightedArrayElement([{ weight: 4, value: 2 }, { weight: 1, value: 3 }])), 3, 15);
  return { conversations, participants, messages };
}
