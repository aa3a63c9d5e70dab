import type { Kysely, Migration } from 'kysely';

/**
 * Archive jobs (claimed by any instance under a lease), apps' webhook signing secrets, and the
 * durable webhook queue with a row for every delivery attempt.
 */
export const archives: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('archives')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('userId', 'text', (c) => c.notNull())
      .addColumn('appId', 'text', (c) => c.notNull())
      // No foreign key: an external issuer's grants (`jwt:…`) have no row.
      .addColumn('grantId', 'text', (c) => c.notNull())
      .addColumn('grantMode', 'text', (c) => c.notNull())
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('progress', 'text', (c) => c.notNull())
      .addColumn('totalRecords', 'bigint')
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .addColumn('readyAt', 'bigint')
      .addColumn('expiresAt', 'bigint')
      .addColumn('sizeBytes', 'bigint')
      .addColumn('sha256', 'text')
      .addColumn('leaseOwner', 'text')
      .addColumn('leaseUntil', 'bigint')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('archives_by_grant').on('archives').columns(['grantId', 'createdAt']).execute();
    await db.schema.createIndex('archives_by_status').on('archives').columns(['status', 'leaseUntil']).execute();

    await db.schema.alterTable('apps').addColumn('webhookSecret', 'text').execute();

    await db.schema
      .createTable('webhookEvents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('appId', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('nextAttemptAt', 'bigint', (c) => c.notNull())
      .addColumn('deliveredAt', 'bigint')
      .execute();
    await db.schema.createIndex('webhook_events_due').on('webhookEvents').columns(['status', 'nextAttemptAt']).execute();

    await db.schema
      .createTable('webhookAttempts')
      .addColumn('eventId', 'text', (c) => c.notNull().references('webhookEvents.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('httpStatus', 'integer')
      .addColumn('error', 'text')
      .addColumn('durationMs', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_attempts_pk', ['eventId', 'attempt'])
      .execute();
  },
};
