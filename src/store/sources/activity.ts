import type { Kysely } from 'kysely';
import type { ActivityEventRow, Database } from '../database.js';
import { countByParent, pagesByParent, type Page, type PageRequest } from '../page.js';

/** The activity category: what a user did on the platform (likes, comments, searches, …). */
export interface ActivitySource {
  eventsByIds(ids: readonly string[]): Promise<ActivityEventRow[]>;
  eventPages(userIds: readonly string[], request: PageRequest): Promise<Map<string, Page<ActivityEventRow>>>;
  eventCount(userId: string): Promise<number>;
}

export function activitySource(db: Kysely<Database>): ActivitySource {
  const ordering = { table: 'activityEvents', parent: 'userId', time: 'occurredAt', id: 'id' } as const;
  return {
    eventsByIds: (ids) => db.selectFrom('activityEvents').selectAll().where('id', 'in', ids).execute(),
    eventPages: (userIds, request) => pagesByParent(db, ordering, userIds, request),
    eventCount: (userId) => countByParent(db, ordering, userId),
  };
}
