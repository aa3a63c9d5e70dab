import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { demoRows } from '../demo-data.js';
import { parseRecords, platformId, rfc3339Millis } from '../records.js';
import type { Subgraph } from '../subgraph.js';
import { activityContext, activitySchema } from './schema.js';
import { ActivityStore, type ActivityEventRecord } from './store.js';

/** An activity event as `_entities` answers it, turned into the store's record. */
const event = z
  .object({
    __typename: z.literal('ActivityEvent'),
    id: platformId,
    userId: platformId,
    kind: z.enum(['LIKE', 'COMMENT', 'SHARE', 'SEARCH', 'WATCH', 'LOGIN']),
    target: z.object({ type: z.enum(['POST', 'USER', 'QUERY', 'DEVICE']), ref: z.string().nullish(), text: z.string().nullish() }),
    occurredAt: rfc3339Millis,
  })
  .transform(({ target, ...record }): ActivityEventRecord => ({
    id: record.id,
    userId: record.userId,
    kind: record.kind,
    targetType: target.type,
    targetRef: target.ref ?? null,
    targetText: target.text ?? null,
    occurredAt: record.occurredAt,
  }));

/** The activity reference subgraph over its own SQLite database. */
export function activitySubgraph(db: Database): Subgraph {
  const store = new ActivityStore(db);
  return {
    name: 'activity',
    schema: activitySchema(),
    context: () => activityContext(store),
    async seedDemo() {
      return store.save((await demoRows()).events);
    },
    load: (records) => store.save(parseRecords(records, event)),
    close: () => db.close(),
  };
}
