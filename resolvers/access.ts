import { heldCategories, scopesFor } from '../src/auth/index.js';
import { categoryEnum, grantModeEnum } from '../src/graph/index.js';
import type { Resolvers } from './__generated__/types.js';
import { requireViewer } from './common.js';

export const accessResolvers: Resolvers = {
  Query: {
    grant(_parent, _args, context) {
      const { appId, grant, scopes } = requireViewer(context);
      const held = heldCategories(scopes, grant.mode);
      return {
        id: grant.id,
        app: { id: appId, name: grant.appName },
        categories: held.map(categoryEnum),
        mode: grantModeEnum(grant.mode),
        scopes: scopesFor(held, grant.mode),
        createdAt: grant.createdAt,
        expiresAt: grant.expiresAt,
      };
    },
  },
};
