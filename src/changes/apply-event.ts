import type { Kysely } from 'kysely';
import type { Category, ChangeEntity, Database } from '../store/index.js';
import type { IngestEvent } from './ingest-event.js';

/** A change an event makes, before it has a position: one per affected user. */
export interface PendingChange {
  userId: string;
  category: Category;
  operation: 'UPSERT' | 'DELETE';
  entityType: ChangeEntity;
  entityId: string;
  occurredAt: number;
}

/** Why an event was refused; nothing of it was written. */
export class IngestError extends Error {
  constructor(
    readonly code: 'UNKNOWN_REFERENCE' | 'CONFLICT' | 'UNSUPPORTED_EVENT',
    message: string,
  ) {
    super(message);
  }
}

/** A follow has no id of its own: its two users make one. */
export function followId(followerId: string, followeeId: string): string {
  return JSON.stringify([followerId, followeeId]);
}

type Trx = Kysely<Database>;

/** Refuses an event naming users the gateway does not know (`UNKNOWN_REFERENCE`). */
export async function requireUsers(trx: Trx, ids: string[]): Promise<void> {
  const found = new Set((await trx.selectFrom('users').select('id').where('id', 'in', ids).execute()).map((u) => u.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new IngestError('UNKNOWN_REFERENCE', `unknown user ${missing.join(', ')}`);
}

/** One change for each of `userIds` (each once). */
export function changes(userIds: string[], change: Omit<PendingChange, 'userId'>): PendingChange[] {
  return [...new Set(userIds)].map((userId) => ({ userId, ...change }));
}

type EventType = IngestEvent['type'];
type EventData<T extends EventType> = Extract<IngestEvent, { type: T }>['data'];
/** Stores one kind of event inside the caller's transaction and returns the changes it makes. */
type EventWriter<T extends EventType> = (trx: Trx, data: EventData<T>, now: number) => Promise<PendingChange[]>;
/** A writer for each event type of `T`. */
type EventWriters<T extends EventType = EventType> = { [K in T]: EventWriter<K> };
/**
 * How ingest writes one entity's events (`post.upsert`, `post.delete`): each entity has its own,
 * so where a category's data is stored is decided in one place.
 */
type EntityWriters<E extends string> = EventWriters<Extract<EventType, `${E}.${string}`>>;

/**
 * Writes one validated event inside the caller's transaction and returns the changes it makes.
 * Throws {@link IngestError} for an event that references what does not exist or contradicts
 * what does; the caller's transaction then writes nothing.
 */
export async function applyEvent(trx: Trx, event: IngestEvent, now: number): Promise<PendingChange[]> {
  return write(trx, event, now);
}

// Spelled as a map over event types, so TypeScript sees that an event's type and data go together.
function write<T extends EventType>(trx: Trx, event: { [K in T]: { type: K; data: EventData<K> } }[T], now: number): Promise<PendingChange[]> {
  return WRITERS[event.type](trx, event.data, now);
}

const profiles: EntityWriters<'profile'> = {
  async 'profile.upsert'(trx, data, now) {
    const { userId, createdAt, ...fields } = data;
    const values = { ...fields, bio: fields.bio ?? null, avatarUrl: fields.avatarUrl ?? null, birthDate: fields.birthDate ?? null };
    const taken = await trx.selectFrom('users').select('id').where('username', '=', values.username).where('id', '!=', userId).executeTakeFirst();
    if (taken) throw new IngestError('CONFLICT', `username ${values.username} belongs to another user`);
    await trx
      .insertInto('users')
      .values({ id: userId, ...values, createdAt: createdAt ?? now, updatedAt: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, updatedAt: now }))
      .execute();
    return changes([userId], { category: 'profile', operation: 'UPSERT', entityType: 'Profile', entityId: userId, occurredAt: now });
  },
  async 'profile.delete'() {
    throw new IngestError('UNSUPPORTED_EVENT', 'profile.delete is not applied through ingest: erase an account through the platform, which removes its data category by category');
  },
};

const posts: EntityWriters<'post'> = {
  async 'post.upsert'(trx, data) {
    const { id, authorId, media, counts, createdAt, updatedAt, caption, visibility } = data;
    await requireUsers(trx, [authorId]);
    const existing = await trx.selectFrom('posts').select('authorId').where('id', '=', id).executeTakeFirst();
    if (existing && existing.authorId !== authorId) throw new IngestError('CONFLICT', `post ${id} belongs to another author`);
    const values = {
      caption: caption ?? null,
      mediaUrl: media?.url ?? null,
      mediaType: media?.type ?? null,
      mediaDurationMs: media?.durationSeconds == null ? null : Math.round(media.durationSeconds * 1000),
      visibility,
      likeCount: counts?.likes ?? 0,
      commentCount: counts?.comments ?? 0,
      shareCount: counts?.shares ?? 0,
      viewCount: counts?.views ?? 0,
      updatedAt: updatedAt ?? createdAt,
    };
    await trx
      .insertInto('posts')
      .values({ id, authorId, createdAt, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
    return changes([authorId], { category: 'posts', operation: 'UPSERT', entityType: 'Post', entityId: id, occurredAt: values.updatedAt });
  },
  async 'post.delete'(trx, { id }, now) {
    const post = await trx.deleteFrom('posts').where('id', '=', id).returning('authorId').executeTakeFirst();
    if (!post) throw new IngestError('UNKNOWN_REFERENCE', `unknown post ${id}`);
    return changes([post.authorId], { category: 'posts', operation: 'DELETE', entityType: 'Post', entityId: id, occurredAt: now });
  },
};

const follows: EntityWriters<'follow'> = {
  async 'follow.upsert'(trx, { followerId, followeeId, since }, now) {
    if (followerId === followeeId) throw new IngestError('CONFLICT', 'a user cannot follow themselves');
    await requireUsers(trx, [followerId, followeeId]);
    const createdAt = since ?? now;
    await trx
      .insertInto('follows')
      .values({ followerId, followeeId, createdAt })
      .onConflict((oc) => oc.columns(['followerId', 'followeeId']).doUpdateSet({ createdAt }))
      .execute();
    const entityId = followId(followerId, followeeId);
    return changes([followerId, followeeId], { category: 'follows', operation: 'UPSERT', entityType: 'Follow', entityId, occurredAt: createdAt });
  },
  async 'follow.delete'(trx, { followerId, followeeId }, now) {
    const removed = await trx.deleteFrom('follows').where('followerId', '=', followerId).where('followeeId', '=', followeeId).executeTakeFirst();
    if (removed.numDeletedRows === 0n) throw new IngestError('UNKNOWN_REFERENCE', `${followerId} does not follow ${followeeId}`);
    const entityId = followId(followerId, followeeId);
    return changes([followerId, followeeId], { category: 'follows', operation: 'DELETE', entityType: 'Follow', entityId, occurredAt: now });
  },
};

const activity: EntityWriters<'activity'> = {
  async 'activity.upsert'(trx, { id, userId, kind, target, occurredAt }) {
    await requireUsers(trx, [userId]);
    const existing = await trx.selectFrom('activityEvents').select('userId').where('id', '=', id).executeTakeFirst();
    if (existing && existing.userId !== userId) throw new IngestError('CONFLICT', `activity ${id} belongs to another user`);
    const values = { kind, targetType: target.type, targetRef: target.ref ?? null, targetText: target.text ?? null, occurredAt };
    await trx
      .insertInto('activityEvents')
      .values({ id, userId, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
    return changes([userId], { category: 'activity', operation: 'UPSERT', entityType: 'ActivityEvent', entityId: id, occurredAt });
  },
  async 'activity.delete'(trx, { id }, now) {
    const removed = await trx.deleteFrom('activityEvents').where('id', '=', id).returning('userId').executeTakeFirst();
    if (!removed) throw new IngestError('UNKNOWN_REFERENCE', `unknown activity ${id}`);
    return changes([removed.userId], { category: 'activity', operation: 'DELETE', entityType: 'ActivityEvent', entityId: id, occurredAt: now });
  },
};

const messages: EntityWriters<'message'> = {
  'message.upsert': upsertMessage,
  async 'message.delete'(trx, { id }, now) {
    const message = await trx.selectFrom('messages').select('conversationId').where('id', '=', id).executeTakeFirst();
    if (!message) throw new IngestError('UNKNOWN_REFERENCE', `unknown message ${id}`);
    const participants = await participantsOf(trx, message.conversationId);
    await trx.deleteFrom('messages').where('id', '=', id).execute();
    return changes(participants, { category: 'messages', operation: 'DELETE', entityType: 'Message', entityId: id, occurredAt: now });
  },
};

const WRITERS: EventWriters = { ...profiles, ...posts, ...follows, ...activity, ...messages };

async function participantsOf(trx: Trx, conversationId: string): Promise<string[]> {
  return (await trx.selectFrom('conversationParticipants').select('userId').where('conversationId', '=', conversationId).execute()).map((p) => p.userId);
}

async function upsertMessage(trx: Trx, data: EventData<'message.upsert'>): Promise<PendingChange[]> {
  const { id, conversationId, senderId, text, sentAt, participantIds } = data;
  const created: PendingChange[] = [];
  let participants = await participantsOf(trx, conversationId);
  if (participants.length === 0) {
    // A message to an unknown conversation starts it, between the participants it names.
    if (!participantIds) throw new IngestError('UNKNOWN_REFERENCE', `unknown conversation ${conversationId}: name its participantIds to start it`);
    participants = [...new Set(participantIds)];
    await requireUsers(trx, participants);
    await trx.insertInto('conversations').values({ id: conversationId, createdAt: sentAt }).execute();
    await trx
      .insertInto('conversationParticipants')
      .values(participants.map((userId) => ({ conversationId, userId, joinedAt: sentAt })))
      .execute();
    created.push(...changes(participants, { category: 'messages', operation: 'UPSERT', entityType: 'Conversation', entityId: conversationId, occurredAt: sentAt }));
  }
  if (!participants.includes(senderId)) throw new IngestError('CONFLICT', `${senderId} is not a participant of conversation ${conversationId}`);
  const existing = await trx.selectFrom('messages').select(['conversationId', 'senderId']).where('id', '=', id).executeTakeFirst();
  if (existing && (existing.conversationId !== conversationId || existing.senderId !== senderId)) {
    throw new IngestError('CONFLICT', `message ${id} belongs to another conversation or sender`);
  }
  await trx
    .insertInto('messages')
    .values({ id, conversationId, senderId, text, sentAt })
    .onConflict((oc) => oc.column('id').doUpdateSet({ text, sentAt }))
    .execute();
  return [...created, ...changes(participants, { category: 'messages', operation: 'UPSERT', entityType: 'Message', entityId: id, occurredAt: sentAt })];
}
