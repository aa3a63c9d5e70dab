import type { Database } from 'better-sqlite3';
import type { ListTable } from '../connection.js';
import { placeholders, rowsWithIds, saveRows } from '../sqlite.js';

/** A conversation as this service keeps it; its participants are rows of their own. */
export interface ConversationRecord {
  id: string;
  createdAt: number;
}

/** A user's place in a conversation, from the time they joined it. */
export interface ParticipantRecord {
  conversationId: string;
  userId: string;
  joinedAt: number;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  senderId: string;
  text: string;
  sentAt: number;
}

/** A conversation as one of its participants lists it: `memberships` joins each membership to its conversation. */
export interface MembershipRecord extends ConversationRecord {
  userId: string;
  joinedAt: number;
}

/** A user's conversations in the order they joined them: the list `User.conversations` pages through. */
export const CONVERSATIONS_BY_MEMBER: ListTable = { table: 'memberships', parent: 'userId', time: 'joinedAt', id: 'id' };
/** A conversation's messages, oldest first: the list `Conversation.messages` pages through. */
export const MESSAGES_BY_CONVERSATION: ListTable = { table: 'messages', parent: 'conversationId', time: 'sentAt', id: 'id' };

/** Everything the messages service stores, saved together so a conversation never lacks its participants. */
export interface MessagesBatch {
  conversations: ConversationRecord[];
  participants: ParticipantRecord[];
  messages: MessageRecord[];
}

/** The messages service's store: conversations, who takes part in them, and what they said. */
export class MessagesStore {
  constructor(readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, createdAt INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS participants (
        conversationId TEXT NOT NULL REFERENCES conversations (id), userId TEXT NOT NULL, joinedAt INTEGER NOT NULL,
        PRIMARY KEY (conversationId, userId)
      );
      CREATE INDEX IF NOT EXISTS participantsByUser ON participants (userId, joinedAt, conversationId);
      CREATE TABLE IF NOT EXISTS messages (
        id TEXT PRIMARY KEY, conversationId TEXT NOT NULL REFERENCES conversations (id), senderId TEXT NOT NULL,
        text TEXT NOT NULL, sentAt INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS messagesByConversation ON messages (conversationId, sentAt, id);
      CREATE VIEW IF NOT EXISTS memberships AS
        SELECT participants.userId, participants.joinedAt, participants.conversationId AS id, conversations.createdAt
        FROM participants JOIN conversations ON conversations.id = participants.conversationId;
    `);
  }

  /** Writes a batch, replacing records with the same keys, in one transaction. */
  save(batch: Partial<MessagesBatch>): number {
    return this.db.transaction(
      () =>
        saveRows<ConversationRecord>(this.db, 'conversations', ['id', 'createdAt'], batch.conversations ?? []) +
        saveRows<ParticipantRecord>(this.db, 'participants', ['conversationId', 'userId', 'joinedAt'], batch.participants ?? []) +
        saveRows<MessageRecord>(this.db, 'messages', ['id', 'conversationId', 'senderId', 'text', 'sentAt'], batch.messages ?? []),
    )();
  }

  conversationsByIds(ids: readonly string[]): ConversationRecord[] {
    return rowsWithIds<ConversationRecord>(this.db, 'conversations', ids);
  }

  /** The participants of each conversation, in the order they joined. */
  participantsOf(conversationIds: readonly string[]): ParticipantRecord[] {
    return this.db
      .prepare(`SELECT * FROM participants WHERE conversationId IN (${placeholders(conversationIds)}) ORDER BY joinedAt, userId`)
      .all(...conversationIds) as ParticipantRecord[];
  }

  messagesByIds(ids: readonly string[]): MessageRecord[] {
    return rowsWithIds<MessageRecord>(this.db, 'messages', ids);
  }
}
