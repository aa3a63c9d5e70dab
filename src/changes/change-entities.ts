import type { EntityLoaders } from '../loaders/index.js';
import type { ChangeRow } from '../store/index.js';

/**
 * Loads, together, the objects a batch of changes names, and what deciding whether a viewer may
 * see them needs (a conversation's participants). Every subscriber the batch goes to then reads
 * them from these loaders instead of the store.
 */
export async function loadChangeEntities(rows: readonly ChangeRow[], loaders: EntityLoaders): Promise<void> {
  const upserts = rows.filter((row) => row.operation === 'UPSERT');
  await Promise.all(
    upserts.map(async ({ entityType, entityId }) => {
      switch (entityType) {
        case 'Profile':
          return loaders.user.load(entityId);
        case 'Post':
          return loaders.post.load(entityId);
        case 'Follow':
          return loaders.follow.load(entityId);
        case 'ActivityEvent':
          return loaders.activityEvent.load(entityId);
        case 'Conversation':
          return Promise.all([loaders.conversation.load(entityId), loaders.participants.load(entityId)]);
        case 'Message': {
          const message = await loaders.message.load(entityId);
          return message && loaders.participants.load(message.conversationId);
        }
      }
    }),
  );
}
