import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Where the change log records each conversation's start, found by the conversation's id: for a
 * federated messages category the gateway keeps no conversations, and the log is how ingest knows
 * whether a message starts one. Partial, so it holds only those rows.
 */
export const conversationStarts: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createIndex('changes_conversation_starts')
      .on('changes')
      .column('entityId')
      .where(sql.ref('entityType'), '=', 'Conversation')
      .execute();
  },
};
