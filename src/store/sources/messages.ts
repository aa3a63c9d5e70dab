import type { Kysely } from 'kysely';
import type { ConversationParticipantRow, ConversationRow, Database, MessageRow } from '../database.js';
import { countByParent, pagesByParent, type Page, type PageRequest } from '../page.js';

/**
 * A conversation in a user's list, in the list's order (when they joined it). A source that reads
 * the conversation along with the list (a subgraph) gives it too, with its participants, so that
 * neither is read again.
 */
export interface ConversationListRow extends ConversationParticipantRow {
  conversation?: (ConversationRow & { participantIds: readonly string[] }) | undefined;
}

/** The messages category: a user's conversations, their participants and messages. */
export interface MessagesSource {
  conversationsByIds(ids: readonly string[]): Promise<ConversationRow[]>;
  participantsOf(conversationIds: readonly string[]): Promise<ConversationParticipantRow[]>;
  /** A user's conversations, in the order they joined them. */
  conversationPages(userIds: readonly string[], request: PageRequest): Promise<Map<string, Page<ConversationListRow>>>;
  messagesByIds(ids: readonly string[]): Promise<MessageRow[]>;
  messagePages(conversationIds: readonly string[], request: PageRequest): Promise<Map<string, Page<MessageRow>>>;
  conversationCount(userId: string): Promise<number>;
  /** How many messages there are in all of a user's conversations. */
  messageCount(userId: string): Promise<number>;
  /** Which of `userIds` share a conversation with `userId`. */
  connectedUsers(userId: string, userIds: readonly string[]): Promise<Set<string>>;
}

export function messagesSource(db: Kysely<Database>): MessagesSource {
  return {
    conversationsByIds: (ids) => db.selectFrom('conversations').selectAll().where('id', 'in', ids).execute(),
    participantsOf: (conversationIds) =>
      db
        .selectFrom('conversationParticipants')
        .selectAll()
        .where('conversationId', 'in', conversationIds)
        .orderBy('joinedAt')
        .orderBy('userId')
        .execute(),
    conversationPages: (userIds, request) =>
      pagesByParent(
        db,
        { table: 'conversationParticipants', parent: 'userId', time: 'joinedAt', id: 'conversationId' },
        userIds,
        request,
      ),
    messagesByIds: (ids) => db.selectFrom('messages').selectAll().where('id', 'in', ids).execute(),
    messagePages: (conversationIds, request) =>
      pagesByParent(db, { table: 'messages', parent: 'conversationId', time: 'sentAt', id: 'id' }, conversationIds, request),
    conversationCount: (userId) =>
      countByParent(db, { table: 'conversationParticipants', parent: 'userId', time: 'joinedAt', id: 'conversationId' }, userId),
    async messageCount(userId) {
      const row = await db
        .selectFrom('conversationParticipants')
        .innerJoin('messages', 'messages.conversationId', 'conversationParticipants.conversationId')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('conversationParticipants.userId', '=', userId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async connectedUsers(userId, userIds) {
      const rows = await db
        .selectFrom('conversationParticipants as mine')
        .innerJoin('conversationParticipants as theirs', 'theirs.conversationId', 'mine.conversationId')
        .select('theirs.userId')
        .distinct()
        .where('mine.userId', '=', userId)
        .where('theirs.userId', 'in', userIds)
        .execute();
      return new Set(rows.map((r) => r.userId));
    },
  };
}
