import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { demoRows } from '../demo-data.js';
import { parseRecords, platformId, rfc3339Millis } from '../records.js';
import type { Subgraph } from '../subgraph.js';
import { postsContext, postsSchema } from './schema.js';
import { PostsStore, type PostRecord } from './store.js';

const count = z.number().int().nonnegative();

/** A post as `_entities` answers it, turned into the store's record. */
const post = z
  .object({
    __typename: z.literal('Post'),
    id: platformId,
    authorId: platformId,
    caption: z.string().nullish(),
    media: z.object({ url: z.url(), type: z.enum(['IMAGE', 'VIDEO', 'AUDIO']), durationSeconds: z.number().nonnegative().nullish() }).nullish(),
    visibility: z.enum(['PUBLIC', 'FOLLOWERS', 'PRIVATE']),
    counts: z.object({ likes: count, comments: count, shares: count, views: count }),
    createdAt: rfc3339Millis,
    updatedAt: rfc3339Millis.optional(),
  })
  .transform(({ media, counts, ...rest }): PostRecord => ({
    id: rest.id,
    authorId: rest.authorId,
    caption: rest.caption ?? null,
    mediaUrl: media?.url ?? null,
    mediaType: media?.type ?? null,
    mediaDurationMs: media?.durationSeconds == null ? null : Math.round(media.durationSeconds * 1000),
    visibility: rest.visibility,
    likeCount: counts.likes,
    commentCount: counts.comments,
    shareCount: counts.shares,
    viewCount: counts.views,
    createdAt: rest.createdAt,
    updatedAt: rest.updatedAt ?? rest.createdAt,
  }));

/** The posts reference subgraph over its own SQLite database. */
export function postsSubgraph(db: Database): Subgraph {
  const store = new PostsStore(db);
  return {
    name: 'posts',
    schema: postsSchema(),
    context: () => postsContext(store),
    async seedDemo() {
      return store.save((await demoRows()).posts);
    },
    load: (records) => store.save(parseRecords(records, post)),
    close: () => db.close(),
  };
}
