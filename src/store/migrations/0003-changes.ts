import type { Kysely, Migration } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * The change log: one row per affected user and change, its position strictly increasing in
 * commit order (see `lockChangeLog`), and the platform event ids already applied.
 */
export const changes: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('changes')
      .addColumn('position', isPostgres(db) ? 'bigserial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('userId', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('entityType', 'text', (c) => c.notNull())
      .addColumn('entityId', 'text', (c) => c.notNull())
      .addColumn('occurredAt', 'bigint', (c) => c.notNull())
      .addColumn('committedAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('changes_by_user').on('changes').columns(['userId', 'position']).execute();
    await db.schema.createIndex('changes_by_time').on('changes').column('committedAt').execute();

    await db.schema
      .createTable('ingestedEvents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('receivedAt', 'bigint', (c) => c.notNull())
      .execute();

    // How far retention has pruned the log: cursors before it are expired.
    await db.schema
      .createTable('changeLogState')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
  },
};
