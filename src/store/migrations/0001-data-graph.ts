import type { Kysely, Migration } from 'kysely';

/** The five categories of a user's data, with an index for every connection's order (time, then id). */
export const dataGraph: Migration = {
  // Long on purpose: a flat list of DDL statements, read top to bottom as the schema it creates,
  // and not rewritten once stores have run it.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('displayName', 'text', (c) => c.notNull())
      .addColumn('bio', 'text')
      .addColumn('avatarUrl', 'text')
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('birthDate', 'text')
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('posts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('authorId', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('caption', 'text')
      .addColumn('mediaUrl', 'text')
      .addColumn('mediaType', 'text')
      .addColumn('mediaDurationMs', 'integer')
      .addColumn('visibility', 'text', (c) => c.notNull())
      .addColumn('likeCount', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('commentCount', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('shareCount', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('viewCount', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('posts_by_author').on('posts').columns(['authorId', 'createdAt', 'id']).execute();

    await db.schema
      .createTable('follows')
      .addColumn('followerId', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('followeeId', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('follows_pk', ['followerId', 'followeeId'])
      .execute();
    await db.schema.createIndex('follows_followers').on('follows').columns(['followeeId', 'createdAt', 'followerId']).execute();
    await db.schema.createIndex('follows_following').on('follows').columns(['followerId', 'createdAt', 'followeeId']).execute();

    await db.schema
      .createTable('activityEvents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('userId', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('targetType', 'text', (c) => c.notNull())
      .addColumn('targetRef', 'text')
      .addColumn('targetText', 'text')
      .addColumn('occurredAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('activity_by_user').on('activityEvents').columns(['userId', 'occurredAt', 'id']).execute();

    await db.schema
      .createTable('conversations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('conversationParticipants')
      .addColumn('conversationId', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
      .addColumn('userId', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('joinedAt', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('conversation_participants_pk', ['conversationId', 'userId'])
      .execute();
    await db.schema
      .createIndex('conversations_by_participant')
      .on('conversationParticipants')
      .columns(['userId', 'joinedAt', 'conversationId'])
      .execute();

    await db.schema
      .createTable('messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('conversationId', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
      .addColumn('senderId', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('sentAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('messages_by_conversation').on('messages').columns(['conversationId', 'sentAt', 'id']).execute();

    await db.schema
      .createTable('accessTokens')
      .addColumn('tokenHash', 'text', (c) => c.primaryKey())
      .addColumn('userId', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('clientId', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('expiresAt', 'bigint', (c) => c.notNull())
      .addColumn('revokedAt', 'bigint')
      .execute();
  },
};
