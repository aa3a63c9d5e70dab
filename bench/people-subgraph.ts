import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Database } from 'better-sqlite3';
import type DataLoader from 'dataloader';
import { parse, type GraphQLSchema } from 'graphql';
import { pageRequest, rfc3339, toConnection, type ConnectionArgs, type ListTable, type Page } from '../examples/subgraphs/connection.js';
import { demoRows } from '../examples/subgraphs/demo-data.js';
import { pagesOf, rowsById, type PageKey } from '../examples/subgraphs/loaders.js';
import { placeholders } from '../examples/subgraphs/sqlite.js';
import type { FollowsTable, UsersTable } from '../src/store/index.js';

// The federated benchmark's third subgraph, for the reference gateway only. This gateway serves
// the profile, the followers and everyone's public fields from its embedded store; a gateway
// that only federates needs a subgraph for them, and for the entry point `viewer`. This one
// holds the demo users and follows in SQLite of its own, like the reference subgraphs, and fills
// `Conversation.participants` and `Message.sender` from the ids the messages subgraph gives.

/** The user every `viewer` is: the benchmark asks as alice, with no auth on this side. */
export const VIEWER_ID = 'alice';

const TYPE_DEFS = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires"])

  type Query { viewer: User }

  type PageInfo @shareable {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type User @key(fields: "id") {
    id: ID!
    username: String!
    displayName: String!
    avatarUrl: String
    profile: Profile!
    followers(first: Int, after: String, last: Int, before: String): FollowerConnection!
  }

  type Profile {
    id: ID!
    username: String!
    displayName: String!
    bio: String
    avatarUrl: String
    email: String!
    birthDate: String
    country: String!
    createdAt: String!
  }

  type FollowerConnection { edges: [FollowerEdge!]! pageInfo: PageInfo! }
  type FollowerEdge { cursor: String! since: String! node: User! }

  type Conversation @key(fields: "id") {
    id: ID!
    participantIds: [ID!]! @external
    participants: [User!]! @requires(fields: "participantIds")
  }

  type Message @key(fields: "id") {
    id: ID!
    senderId: ID! @external
    sender: User! @requires(fields: "senderId")
  }
`);

/** A user as this subgraph keeps it: the embedded store's row, less what the page never asks. */
type UserRecord = Omit<UsersTable, 'updatedAt'>;

/** A user's followers, longest-standing first: the order the gateway's embedded store gives them in. */
const FOLLOWERS: ListTable = { table: 'follows', parent: 'followeeId', time: 'createdAt', id: 'followerId' };

/** What the resolvers read through, new for every request. */
interface PeopleContext {
  users: DataLoader<string, UserRecord | null>;
  followerPages: DataLoader<PageKey, Page<FollowsTable>, string>;
}

/** Fills `db` with the demo users and follows: the rows the gateway's embedded store holds. */
export async function seedPeople(db: Database): Promise<void> {
  db.exec(`
    CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL, displayName TEXT NOT NULL, bio TEXT, avatarUrl TEXT,
      email TEXT NOT NULL, birthDate TEXT, country TEXT NOT NULL, createdAt INTEGER NOT NULL);
    CREATE TABLE follows (followerId TEXT NOT NULL, followeeId TEXT NOT NULL, createdAt INTEGER NOT NULL, PRIMARY KEY (followerId, followeeId));
    CREATE INDEX followersOf ON follows (followeeId, createdAt, followerId);
  `);
  const { users, follows } = await demoRows();
  const insertUser = db.prepare(
    'INSERT INTO users VALUES (@id, @username, @displayName, @bio, @avatarUrl, @email, @birthDate, @country, @createdAt)',
  );
  const insertFollow = db.prepare('INSERT INTO follows VALUES (@followerId, @followeeId, @createdAt)');
  db.transaction(() => {
    for (const { updatedAt: _updatedAt, ...user } of users) insertUser.run({ bio: null, avatarUrl: null, birthDate: null, ...user });
    for (const follow of follows) insertFollow.run(follow);
  })();
}

const publicUser = ({ id, username, displayName, avatarUrl }: UserRecord) => ({ id, username, displayName, avatarUrl });

/** A user the store must hold: an id another subgraph gave that names nobody is an error, not a null. */
async function user(users: PeopleContext['users'], id: string): Promise<UserRecord> {
  const found = await users.load(id);
  if (found === null) throw new Error(`no user ${id}`);
  return found;
}

const resolvers = {
  Query: {
    viewer: async (_root: unknown, _args: unknown, { users }: PeopleContext) => publicUser(await user(users, VIEWER_ID)),
  },
  User: {
    __resolveReference: async ({ id }: { id: string }, { users }: PeopleContext) => publicUser(await user(users, id)),
    async profile({ id }: { id: string }, _args: unknown, { users }: PeopleContext) {
      const { createdAt, ...record } = await user(users, id);
      return { ...record, createdAt: rfc3339(createdAt) };
    },
    async followers({ id }: { id: string }, args: ConnectionArgs, { users, followerPages }: PeopleContext) {
      const page = await followerPages.load({ parentId: id, request: pageRequest(args) });
      const followers = await Promise.all(page.rows.map((follow) => user(users, follow.followerId)));
      const connection = toConnection(page, (follow) => ({ time: follow.createdAt, id: follow.followerId }), (follow) => follow);
      return {
        pageInfo: connection.pageInfo,
        edges: connection.edges.map(({ cursor, node: follow }, index) => ({ cursor, since: rfc3339(follow.createdAt), node: publicUser(followers[index]!) })),
      };
    },
  },
  Conversation: {
    participants: ({ participantIds }: { participantIds: string[] }, _args: unknown, { users }: PeopleContext) =>
      Promise.all(participantIds.map(async (id) => publicUser(await user(users, id)))),
  },
  Message: {
    sender: async ({ senderId }: { senderId: string }, _args: unknown, { users }: PeopleContext) => publicUser(await user(users, senderId)),
  },
};

/** The people subgraph's schema and a context per request, over a database {@link seedPeople} filled. */
export function peopleSubgraph(db: Database): { schema: GraphQLSchema; context(): PeopleContext } {
  return {
    schema: buildSubgraphSchema([{ typeDefs: TYPE_DEFS, resolvers }]),
    context: () => ({
      users: rowsById((ids) => db.prepare(`SELECT * FROM users WHERE id IN (${placeholders(ids)})`).all(...ids) as UserRecord[]),
      followerPages: pagesOf<FollowsTable>(db, FOLLOWERS),
    }),
  };
}
