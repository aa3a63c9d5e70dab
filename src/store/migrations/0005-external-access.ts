import type { Kysely, Migration } from 'kysely';

/**
 * What each user's external-issuer JWTs let each app do (`JWT_ISSUER`): recorded when such a
 * token is first served, listed on the account page, and revoked there. The primary key is the
 * one read every JWT request makes.
 */
export const externalAccess: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('externalAccess')
      .addColumn('userId', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('appId', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('firstUsedAt', 'bigint', (c) => c.notNull())
      .addColumn('lastUsedAt', 'bigint', (c) => c.notNull())
      .addColumn('revokedAt', 'bigint')
      .addPrimaryKeyConstraint('external_access_pk', ['userId', 'appId'])
      .execute();
  },
};
