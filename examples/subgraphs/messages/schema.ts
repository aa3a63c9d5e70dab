import { buildSubgraphSchema } from '@apollo/subgraph';
import type DataLoader from 'dataloader';
import type { GraphQLSchema } from 'graphql';
import { rfc3339, type Page } from '../connection.js';
import { listField, pagesOf, rowsById, rowsByParent, type PageKey } from '../loaders.js';
import { contractSdl } from '../subgraph.js';
import {
  CONVERSATIONS_BY_MEMBER, MESSAGES_BY_CONVERSATION,
  type ConversationRecord, type MembershipRecord, type MessageRecord, type MessagesStore, type ParticipantRecord,
} from './store.js';

/** What the messages resolvers read through, new for every request. */
export interface MessagesContext {
  conversations: DataLoader<string, ConversationRecord | null>;
  participants: DataLoader<string, ParticipantRecord[]>;
  messages: DataLoader<string, MessageRecord | null>;
  conversationPages: DataLoader<PageKey, Page<MembershipRecord>, string>;
  messagePages: DataLoader<PageKey, Page<MessageRecord>, string>;
}

export function messagesContext(store: MessagesStore): MessagesContext {
  return {
    conversations: rowsById((ids) => store.conversationsByIds(ids)),
    participants: rowsByParent((ids) => store.participantsOf(ids), (participant) => participant.conversationId),
    messages: rowsById((ids) => store.messagesByIds(ids)),
    conversationPages: pagesOf<MembershipRecord>(store.db, CONVERSATIONS_BY_MEMBER),
    messagePages: pagesOf<MessageRecord>(store.db, MESSAGES_BY_CONVERSATION),
  };
}

const resolvers = {
  User: {
    // A `User` representation is only its key; the lists hang off that id.
    conversations: listField(
      (context: MessagesContext) => context.conversationPages,
      (membership) => ({ time: membership.joinedAt, id: membership.id }),
      ({ id, createdAt }) => ({ id, createdAt }),
    ),
  },
  Conversation: {
    __resolveReference: ({ id }: { id: string }, { conversations }: MessagesContext) => conversations.load(id),
    participantIds: async ({ id }: ConversationRecord, _args: unknown, { participants }: MessagesContext) =>
      (await participants.load(id)).map((participant) => participant.userId),
    createdAt: (conversation: ConversationRecord) => rfc3339(conversation.createdAt),
    messages: listField((context: MessagesContext) => context.messagePages, (message) => ({ time: message.sentAt, id: message.id }), (message) => message),
  },
  Message: {
    __resolveReference: ({ id }: { id: string }, { messages }: MessagesContext) => messages.load(id),
    sentAt: (message: MessageRecord) => rfc3339(message.sentAt),
  },
};

/** The messages subgraph: the published contract, resolved over {@link MessagesStore}. */
export function messagesSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: contractSdl('messages'), resolvers }]);
}
