import type { MessagesSource, Page } from '../store/index.js';
import { CONVERSATION, MESSAGE, type RemoteConversation } from './contract-types.js';
import { entitiesByIds, type RemoteSubgraph } from './remote-entity.js';
import { remoteCount, remoteList, remotePages, remoteRows } from './remote-lists.js';

/** Conversations counted at once for an archive's progress: each is one `_entities` alias of a request. */
const COUNT_CONCURRENCY = 16;

/**
 * The messages category from the platform's messages subgraph: `Conversation` and `Message`
 * entities, `User.conversations` and `Conversation.messages`. A conversation is read once for its
 * row and its participants alike: both reads select the same fields, so they share one
 * `_entities` field of one request.
 */
export function remoteMessagesSource(subgraph: RemoteSubgraph): MessagesSource {
  const conversations = remoteList({
    name: 'conversations',
    parentType: 'User',
    field: 'conversations',
    entity: CONVERSATION,
    belongsTo: (row, userId) => row.participantIds.includes(userId),
  });
  const messages = remoteList({ name: 'messages', parentType: 'Conversation', field: 'messages', entity: MESSAGE, belongsTo: (row, conversationId) => row.conversationId === conversationId });
  const conversationsOf = async (ids: readonly string[]) => entitiesByIds(subgraph, CONVERSATION, ids);
  return {
    conversationsByIds: async (ids) => (await conversationsOf(ids)).map(({ id, createdAt }) => ({ id, createdAt })),
    participantsOf: async (ids) =>
      (await conversationsOf(ids)).flatMap((conversation) => conversation.participantIds.map((userId) => ({ conversationId: conversation.id, userId, joinedAt: conversation.createdAt }))),
    async conversationPages(userIds, request) {
      const pages = await remotePages(subgraph, conversations, userIds, request);
      return new Map([...pages].map(([userId, page]) => [userId, asMemberships(userId, page)]));
    },
    messagesByIds: (ids) => entitiesByIds(subgraph, MESSAGE, ids),
    messagePages: (conversationIds, request) => remotePages(subgraph, messages, conversationIds, request),
    conversationCount: (userId) => remoteCount(subgraph, conversations, userId),
    async messageCount(userId) {
      let total = 0;
      for await (const rows of remoteRows(subgraph, conversations, userId)) {
        for (let i = 0; i < rows.length; i += COUNT_CONCURRENCY) {
          const counts = await Promise.all(rows.slice(i, i + COUNT_CONCURRENCY).map((row) => remoteCount(subgraph, messages, row.id)));
          total += counts.reduce((sum, n) => sum + n, 0);
        }
      }
      return total;
    },
    async connectedUsers(userId, userIds) {
      const wanted = new Set(userIds);
      const connected = new Set<string>();
      for await (const rows of remoteRows(subgraph, conversations, userId)) {
        for (const row of rows) for (const participant of row.participantIds) if (wanted.has(participant)) connected.add(participant);
      }
      return connected;
    },
  };
}

/** A page of a user's conversations as the store's list rows, each carrying its conversation. */
function asMemberships(userId: string, page: Page<RemoteConversation>) {
  return { ...page, rows: page.rows.map((conversation) => ({ conversationId: conversation.id, userId, joinedAt: conversation.createdAt, conversation })) };
}
