import { pageRequest, toConnection, toGlobalId } from '../src/graph/index.js';
import type { Resolvers } from './__generated__/types.js';
import { required, type NodeFetcher } from './common.js';

export const conversationNode: NodeFetcher = async (id, viewer, { loaders }) =>
  (await loaders.participants.load(id)).includes(viewer.userId) ? loaders.conversation.load(id) : undefined;

export const messageNode: NodeFetcher = async (id, viewer, { loaders }) => {
  const message = await loaders.message.load(id);
  if (!message) return undefined;
  return (await loaders.participants.load(message.conversationId)).includes(viewer.userId) ? message : undefined;
};

export const messagesResolvers: Resolvers = {
  Viewer: {
    async conversations(viewer, args, { loaders }) {
      const request = pageRequest('conversation', args);
      const page = await loaders.conversationPage.load({ parentId: viewer.userId, request });
      return toConnection('conversation', page, (member) => ({ time: member.joinedAt, id: member.conversationId }));
    },
  },
  ConversationEdge: {
    node: async (edge, _args, { loaders }) =>
      required(await loaders.conversation.load(edge.node.conversationId), `conversation ${edge.node.conversationId}`),
  },
  Conversation: {
    id: (conversation) => toGlobalId('Conversation', conversation.id),
    async participants(conversation, _args, { loaders }) {
      const userIds = await loaders.participants.load(conversation.id);
      const users = await loaders.user.loadMany(userIds);
      return users.map((user, i) => {
        if (user instanceof Error) throw user;
        return required(user, `user ${userIds[i]}`);
      });
    },
    async messages(conversation, args, { loaders }) {
      const page = await loaders.messagePage.load({ parentId: conversation.id, request: pageRequest('message', args) });
      return toConnection('message', page, (message) => ({ time: message.sentAt, id: message.id }));
    },
  },
  Message: {
    id: (message) => toGlobalId('Message', message.id),
    sender: async (message, _args, { loaders }) => required(await loaders.user.load(message.senderId), `user ${message.senderId}`),
    conversation: async (message, _args, { loaders }) =>
      required(await loaders.conversation.load(message.conversationId), `conversation ${message.conversationId}`),
  },
};
