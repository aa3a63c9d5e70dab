import { assertCategoriesGranted, heldCategories, type Category } from '../src/auth/index.js';
import { ErrorCode, gatewayError } from '../src/errors/index.js';
import { categoryEnum, categoryFromEnum, changeCursor, pageRequest, toConnection, toGlobalId, type Context, type StreamEvent } from '../src/graph/index.js';
import { keysetCursor, type ChangeRow } from '../src/store/index.js';
import type { Resolvers } from './__generated__/types.js';
import { requireViewer, resolveNode } from './common.js';

/**
 * The categories a change feed may carry: those asked for, each of them granted for recurring
 * access. Checked here, not by `@requiresScopes`: which categories it needs is an argument.
 */
function feedCategories(context: Context, requested: readonly Uppercase<Category>[] | null | undefined): Category[] {
  const { grant, scopes } = requireViewer(context);
  if (grant.mode !== 'ongoing') {
    throw gatewayError(ErrorCode.RecurringGrantRequired, 'Changes need a recurring grant (portability.<category>.ongoing); this grant is a one-time copy.');
  }
  if (!requested) return heldCategories(scopes, 'ongoing');
  const categories = [...new Set(requested.map(categoryFromEnum))];
  assertCategoriesGranted(context, categories, 'ongoing');
  return categories;
}

const cursorExpired = (pruned: number) =>
  gatewayError(ErrorCode.CursorExpired, 'The change log no longer holds the changes after this cursor; start again from `oldestCursor` after a full sync.', {
    oldestCursor: changeCursor(pruned),
  });

/** A cursor's position, or `CURSOR_EXPIRED` when retention has removed changes after it. */
async function unexpired(context: Context, position: number): Promise<number> {
  const pruned = await context.changeFeed.prunedThrough();
  if (position < pruned) throw cursorExpired(pruned);
  return position;
}

export const changesResolvers: Resolvers = {
  Query: {
    async changes(_parent, args, context) {
      const categories = feedCategories(context, args.categories);
      const request = pageRequest('change', { first: args.first, after: args.after });
      const after = await unexpired(context, keysetCursor(request.after, 'after')?.time ?? 0);
      const page = await context.changeFeed.page(context.viewer!.userId, after, categories, request.first!);
      // A page is what the app read of the log: each change one item of its own category, its node
      // or not (a delete has none); an empty page read that none of the asked categories changed.
      if (page.rows.length === 0) for (const category of categories) context.access.record(category, 0);
      for (const row of page.rows) context.access.recordItem([row.category], row);
      return toConnection('change', { ...page, hasPreviousPage: after > 0 }, (row) => ({ time: row.position, id: String(row.position) }));
    },
    // The whole log's head, not the viewer's newest change: it exists before the viewer's first
    // change, and positions after it are exactly what a sync started now has not read.
    async changeCursor(_parent, _args, context) {
      feedCategories(context, null);
      return changeCursor(await context.changeFeed.head());
    },
  },
  Subscription: {
    changes: {
      async subscribe(_parent, args, context) {
        const categories = feedCategories(context, args.categories);
        const after = args.after == null ? await context.changeFeed.head() : await unexpired(context, keysetCursor(pageRequest('change', { first: 1, after: args.after }).after, 'after')!.time);
        return context.changeFeed.stream({ userId: context.viewer!.userId, after, categories, expired: cursorExpired }) as AsyncIterable<never>;
      },
      // The executor resolves each event with its batch's loaders (see StreamEvent).
      resolve: (event: StreamEvent<ChangeRow>) => event.value,
    },
  },
  Change: {
    cursor: (row) => changeCursor(row.position),
    category: (row) => categoryEnum(row.category),
    id: (row) => toGlobalId(row.entityType, row.entityId),
    node: (row, _args, context) => (row.operation === 'DELETE' ? null : (resolveNode(row.entityType, row.entityId, context) as never)),
  },
};
