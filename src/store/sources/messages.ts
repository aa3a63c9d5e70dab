import type { Kysely } from 'kysely';
import type { ConversationParticipantRow, ConversationRow, Database, MessageRow } from '../database.js';
import type { QueryDialect } from '../dialect.js';
import { countByParent, pageReader, type Page, type PageRequest } from '../page.js';
import { rowsByKeys } from '../rows-by-keys.js';

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

export function messagesSource(db: Kysely<Database>, queries: QueryDialect): MessagesSource {
  const conversations = { table: 'conversationParticipants', parent: 'userId', time: 'joinedAt', id: 'conversationId' } as const;
  const connected = queries.prepare(
    (param) =>
      `SELECT DISTINCT theirs."user_id" AS "userId" FROM "conversation_participants" AS mine ` +
      `JOIN "conversation_participants" AS theirs ON theirs."conversation_id" = mine."conversation_id" ` +
      `WHERE mine."user_id" = ${param(0)} AND ${queries.inList('theirs."user_id"', param(1))}`,
  );
  return {
    conversationsByIds: rowsByKeys(queries, 'conversations', 'id'),
    participantsOf: rowsByKeys(queries, 'conversationParticipants', 'conversationId', ['joinedAt', 'userId']),
    conversationPages: pageReader(queries, conversations),
    messagesByIds: rowsByKeys(queries, 'messages', 'id'),
    messagePages: pageReader(queries, { table: 'messages', parent: 'conversationId', time: 'sentAt', id: 'id' }),
    conversationCount: (userId) => countByParent(db, conversations, userId),
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
      const rows = await queries.run<{ userId: string }>(connected, [userId, userIds]);
      return new Set(rows.map((r) => r.userId));
    },
  };
}
