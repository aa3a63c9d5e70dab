import { ARCHIVE_FILES, PROFILE_FILE } from '../src/archive/index.js';
import { assertCategoriesGranted, CATEGORIES, type Category } from '../src/auth/index.js';
import { badInput } from '../src/errors/index.js';
import { categoryEnum, categoryFromEnum, fromGlobalId, storedCategories, toGlobalId, type Context } from '../src/graph/index.js';
import type { ArchiveRow } from '../src/store/index.js';
import type { Resolvers } from './__generated__/types.js';
import { requireViewer, type NodeFetcher } from './common.js';

/** The archive's own id from a global id; `BAD_USER_INPUT` for anything but an archive's. */
function archiveId(globalId: string): string {
  const { type, id } = fromGlobalId(globalId);
  if (type !== 'Archive') throw badInput('This id is not an archive\'s.', 'id');
  return id;
}

/**
 * The requested categories, each held by the grant in its mode; `INSUFFICIENT_SCOPE` names the
 * rest. Checked here, not by `@requiresScopes`: which categories it needs is an argument.
 */
function grantedCategories(context: Context, requested: readonly Uppercase<Category>[]): Category[] {
  const { grant } = requireViewer(context);
  const names = [...new Set(requested.map(categoryFromEnum))];
  if (names.length === 0) throw badInput('Name at least one category.', 'categories');
  assertCategoriesGranted(context, names, grant.mode);
  return CATEGORIES.filter((c) => names.includes(c));
}

/**
 * Logs each archive an operation returns as one item of the archive's categories: its progress
 * tells how much of each the user has, and its link hands all of it out.
 */
function logged<Rows extends ArchiveRow | ArchiveRow[] | undefined>(context: Context, rows: Rows): Rows {
  for (const row of [rows].flat()) if (row) context.access.recordItem(storedCategories(row.categories), row);
  return rows;
}

/** An archive is part of the caller's data when its own grant made it. */
export const archiveNode: NodeFetcher = async (id, viewer, context) => logged(context, await context.archives.get(viewer.grant.id, id));

const categoryOfFile = new Map<string, Category>([[PROFILE_FILE, 'profile'], ...ARCHIVE_FILES.map((f) => [f.name, f.category] as const)]);

export const archivesResolvers: Resolvers = {
  Query: {
    archive: async (_parent, args, context) => logged(context, await context.archives.find(requireViewer(context).grant.id, archiveId(args.id))),
    archives: async (_parent, _args, context) => logged(context, await context.archives.list(requireViewer(context).grant.id)),
  },
  Mutation: {
    async requestArchive(_parent, args, context) {
      const viewer = requireViewer(context);
      const categories = grantedCategories(context, args.categories);
      const requester = { userId: viewer.userId, appId: viewer.appId, grantId: viewer.grant.id, mode: viewer.grant.mode };
      return logged(context, await context.archives.request(requester, categories));
    },
    cancelArchive: async (_parent, args, context) => logged(context, await context.archives.cancel(requireViewer(context).grant.id, archiveId(args.id))),
  },
  Subscription: {
    archiveProgress: {
      subscribe: (_parent, args, context) => {
        const grantId = requireViewer(context).grant.id;
        const id = archiveId(args.id);
        // Fail at once for an unknown id, rather than on the stream's first read.
        return context.archives.find(grantId, id).then(() => context.archives.watch(grantId, id)) as never;
      },
      resolve: (row: ArchiveRow) => row,
    },
  },
  Archive: {
    id: (row) => toGlobalId('Archive', row.id),
    categories: (row) => storedCategories(row.categories).map(categoryEnum),
    progress(row) {
      const files = JSON.parse(row.progress) as Record<string, number>;
      const records = Object.values(files).reduce((sum, n) => sum + n, 0);
      const total = row.totalRecords;
      const fraction = row.status === 'READY' ? 1 : total ? Math.min(1, records / total) : 0;
      const perCategory = new Map<Category, number>(storedCategories(row.categories).map((c) => [c, 0]));
      for (const [file, n] of Object.entries(files)) {
        const category = categoryOfFile.get(file);
        if (category) perCategory.set(category, (perCategory.get(category) ?? 0) + n);
      }
      return {
        fraction,
        records,
        totalRecords: total,
        categories: [...perCategory].map(([category, n]) => ({ category: categoryEnum(category), records: n })),
      };
    },
    downloadUrl: (row, _args, context) => context.archives.downloadUrl(row),
  },
};
