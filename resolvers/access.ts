import { CATEGORIES } from '../src/auth/index.js';
import type { Category as CategoryName } from '../src/auth/index.js';
import type { Category, Resolvers } from './__generated__/types.js';
import { requireViewer } from './common.js';

export const accessResolvers: Resolvers = {
  Query: {
    grant(_parent, _args, context) {
      const { clientId, grant, scopes } = requireViewer(context);
      const held = CATEGORIES.filter((c: CategoryName) => scopes.has(`portability.${c}.${grant.mode}`));
      return {
        id: grant.id,
        app: { id: clientId, name: grant.appName },
        categories: held.map((c) => c.toUpperCase() as Category),
        mode: grant.mode === 'single' ? 'ONE_TIME' : 'RECURRING',
        scopes: held.map((c) => `portability.${c}.${grant.mode}`),
        createdAt: grant.createdAt,
        expiresAt: grant.expiresAt,
      };
    },
  },
};
