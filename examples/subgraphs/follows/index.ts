import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { demoRows } from '../demo-data.js';
import { parseRecords, platformId, rfc3339Millis } from '../records.js';
import type { Subgraph } from '../subgraph.js';
import { followsContext, followsSchema } from './schema.js';
import { FollowsStore } from './store.js';

/** A follow as the lists answer it (the contract gives it no key of its own: it is its two people). */
const follow = z
  .object({ __typename: z.literal('Follow'), followerId: platformId, followeeId: platformId, since: rfc3339Millis })
  .refine((record) => record.followerId !== record.followeeId, 'a user cannot follow themselves')
  .transform(({ __typename: _type, ...record }) => record);

/** The follows reference subgraph over its own SQLite database. */
export function followsSubgraph(db: Database): Subgraph {
  const store = new FollowsStore(db);
  return {
    name: 'follows',
    schema: followsSchema(),
    context: () => followsContext(store),
    async seedDemo() {
      const { follows } = await demoRows();
      return store.save(follows.map(({ followerId, followeeId, createdAt }) => ({ followerId, followeeId, since: createdAt })));
    },
    load: (records) => store.save(parseRecords(records, follow)),
    close: () => db.close(),
  };
}
