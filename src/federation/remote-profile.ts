import type { ProfileSource } from '../store/index.js';
import { USER } from './contract-types.js';
import { entitiesByIds, type RemoteSubgraph } from './remote-entity.js';

/**
 * The profile category from the platform's profile subgraph: `User` entities, the viewer's own
 * record and others' public fields alike. The contract has no time of the last change: that is
 * when the gateway last ingested the user's profile event, from the embedded store's row, which
 * keeps a federated user's identity only (id, username, country: what sign-in and the region
 * check need).
 */
export function remoteProfileSource(subgraph: RemoteSubgraph, local: ProfileSource): ProfileSource {
  return {
    async usersByIds(ids) {
      const [remote, identities] = await Promise.all([entitiesByIds(subgraph, USER, ids), local.usersByIds(ids)]);
      const updated = new Map(identities.map((user) => [user.id, user.updatedAt]));
      return remote.map((user) => ({ ...user, updatedAt: Math.max(updated.get(user.id) ?? user.createdAt, user.createdAt) }));
    },
  };
}
