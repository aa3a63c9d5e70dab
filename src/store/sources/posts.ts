import type { Kysely } from 'kysely';
import type { Database, PostRow } from '../database.js';
import { countByParent, pagesByParent, type Page, type PageRequest } from '../page.js';

/** The posts category: what a user published, oldest first. */
export interface PostsSource {
  postsByIds(ids: readonly string[]): Promise<PostRow[]>;
  postPages(authorIds: readonly string[], request: PageRequest): Promise<Map<string, Page<PostRow>>>;
  postCount(authorId: string): Promise<number>;
}

export function postsSource(db: Kysely<Database>): PostsSource {
  const ordering = { table: 'posts', parent: 'authorId', time: 'createdAt', id: 'id' } as const;
  return {
    postsByIds: (ids) => db.selectFrom('posts').selectAll().where('id', 'in', ids).execute(),
    postPages: (authorIds, request) => pagesByParent(db, ordering, authorIds, request),
    postCount: (authorId) => countByParent(db, ordering, authorId),
  };
}
