import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { demoRows } from '../demo-data.js';
import { parseRecords, platformId, rfc3339Millis } from '../records.js';
import type { Subgraph } from '../subgraph.js';
import { profileContext, profileSchema } from './schema.js';
import { ProfileStore } from './store.js';

/** A user as `_entities` answers it. */
const user = z
  .object({
    __typename: z.literal('User'),
    id: platformId,
    username: z.string().min(1),
    displayName: z.string(),
    bio: z.string().nullish(),
    avatarUrl: z.url().nullish(),
    email: z.string(),
    birthDate: z.iso.date().nullish(),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code'),
    createdAt: rfc3339Millis,
  })
  // The store keeps what the contract serves; a nullable field left out is stored as null.
  .transform(({ __typename: _type, ...record }) => record);

/** The profile reference subgraph over its own SQLite database. */
export function profileSubgraph(db: Database): Subgraph {
  const store = new ProfileStore(db);
  return {
    name: 'profile',
    schema: profileSchema(),
    context: () => profileContext(store),
    async seedDemo() {
      return store.save((await demoRows()).users);
    },
    load: (records) => store.save(parseRecords(records, user)),
    close: () => db.close(),
  };
}
