import type { Kysely } from 'kysely';
import type { Database, PostRow } from '../database.js';
import type { QueryDialect } from '../dialect.js';
import { countByParent, pageReader, type Page, type PageRequest } from '../page.js';
import { rowsByKeys } from '../rows-by-keys.js';

/** The posts category: what a user published, oldest first. */
export interface PostsSource {
  postsByIds(ids: readonly string[]): Promise<PostRow[]>;
  postPages(authorIds: readonly string[], request: PageRequest): Promise<Map<string, Page<PostRow>>>;
  postCount(authorId: string): Promise<number>;
}

export function postsSource(db: Kysely<Database>, queries: QueryDialect): PostsSource {
  const ordering = { table: 'posts', parent: 'authorId', time: 'createdAt', id: 'id' } as const;
  return {
    postsByIds: rowsByKeys(queries, 'posts', 'id'),
    postPages: pageReader(queries, ordering),
    postCount: (authorId) => countByParent(db, ordering, authorId),
  };
}
