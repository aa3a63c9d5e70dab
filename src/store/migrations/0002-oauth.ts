import type { Kysely, Migration } from 'kysely';

/**
 * Apps, grants and the authorization server's state. The simple tokens of 0001 give way to
 * oidc-provider's, kept in `oidc_payloads` under the SHA-256 of their ids.
 */
export const oauth: Migration = {
  // Long on purpose: a flat list of DDL statements, read top to bottom as the schema it creates,
  // and not rewritten once stores have run it.
  async up(db: Kysely<any>) {
    await db.schema.dropTable('accessTokens').execute();

    await db.schema
      .createTable('credentials')
      .addColumn('userId', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('passwordHash', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('apps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('secretHash', 'text')
      .addColumn('redirectUris', 'text', (c) => c.notNull())
      .addColumn('contact', 'text')
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('webhookUrl', 'text')
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('grants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('userId', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('appId', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('expiresAt', 'bigint', (c) => c.notNull())
      .addColumn('revokedAt', 'bigint')
      .execute();
    await db.schema.createIndex('grants_by_user').on('grants').columns(['userId', 'createdAt']).execute();

    await db.schema
      .createTable('oidcPayloads')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('idHash', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grantId', 'text')
      .addColumn('uidHash', 'text')
      .addColumn('userCode', 'text')
      .addColumn('expiresAt', 'bigint')
      .addColumn('consumedAt', 'bigint')
      .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'idHash'])
      .execute();
    await db.schema.createIndex('oidc_payloads_by_grant').on('oidcPayloads').column('grantId').execute();
    await db.schema.createIndex('oidc_payloads_by_uid').on('oidcPayloads').column('uidHash').execute();

    await db.schema
      .createTable('serverSecrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('accountSessions')
      .addColumn('idHash', 'text', (c) => c.primaryKey())
      .addColumn('userId', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('csrfToken', 'text', (c) => c.notNull())
      .addColumn('expiresAt', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('accessLog')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('userId', 'text', (c) => c.notNull())
      .addColumn('appId', 'text', (c) => c.notNull())
      .addColumn('grantId', 'text', (c) => c.notNull())
      .addColumn('operationName', 'text')
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('items', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('access_log_by_user').on('accessLog').columns(['userId', 'at']).execute();
  },
};
