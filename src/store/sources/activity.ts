import type { Kysely } from 'kysely';
import type { ActivityEventRow, Database } from '../database.js';
import type { QueryDialect } from '../dialect.js';
import { countByParent, pageReader, type Page, type PageRequest } from '../page.js';
import { rowsByKeys } from '../rows-by-keys.js';

/** The activity category: what a user did on the platform (likes, comments, searches, …). */
export interface ActivitySource {
  eventsByIds(ids: readonly string[]): Promise<ActivityEventRow[]>;
  eventPages(userIds: readonly string[], request: PageRequest): Promise<Map<string, Page<ActivityEventRow>>>;
  eventCount(userId: string): Promise<number>;
}

export function activitySource(db: Kysely<Database>, queries: QueryDialect): ActivitySource {
  const ordering = { table: 'activityEvents', parent: 'userId', time: 'occurredAt', id: 'id' } as const;
  return {
    eventsByIds: rowsByKeys(queries, 'activityEvents', 'id'),
    eventPages: pageReader(queries, ordering),
    eventCount: (userId) => countByParent(db, ordering, userId),
  };
}
