import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { changes, followId, IngestError, requireUsers, type PendingChange } from './apply-event.js';
import type { FederatedEvent } from './federated-event.js';

type Trx = Kysely<Database>;
type EventType = FederatedEvent['type'];
type EventData<T extends EventType> = Extract<FederatedEvent, { type: T }>['data'];
/** Places one kind of event in the change log (inside the caller's transaction) and returns the changes it makes. */
type EventPlacers = { [K in EventType]: (trx: Trx, data: EventData<K>, now: number) => Promise<PendingChange[]> };

/**
 * The changes an event of a federated category makes, with nothing of its data stored: the
 * platform's subgraph keeps the data, and the change log only needs to know what changed, whose
 * it is and when. The users it names must be known to the gateway, as for any event.
 */
export async function placeEvent(trx: Trx, event: FederatedEvent, now: number): Promise<PendingChange[]> {
  return place(trx, event, now);
}

// Spelled as a map over event types, so TypeScript sees that an event's type and data go together.
function place<T extends EventType>(trx: Trx, event: { [K in T]: { type: K; data: EventData<K> } }[T], now: number): Promise<PendingChange[]> {
  return PLACERS[event.type](trx, event.data, now);
}

const PLACERS: EventPlacers = {
  async 'profile.upsert'(trx, { userId, username, country, createdAt }, now) {
    const taken = await trx.selectFrom('users').select('id').where('username', '=', username).where('id', '!=', userId).executeTakeFirst();
    if (taken) throw new IngestError('CONFLICT', `username ${username} belongs to another user`);
    // The identity sign-in and the region check need; the profile itself is the subgraph's.
    const identity = { username, country, displayName: username, email: '', bio: null, avatarUrl: null, birthDate: null };
    await trx
      .insertInto('users')
      .values({ id: userId, ...identity, createdAt: createdAt ?? now, updatedAt: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ username, country, updatedAt: now }))
      .execute();
    return changes([userId], { category: 'profile', operation: 'UPSERT', entityType: 'Profile', entityId: userId, occurredAt: now });
  },
  async 'profile.delete'() {
    throw new IngestError('UNSUPPORTED_EVENT', 'profile.delete is not applied through ingest: erase an account through the platform, which removes its data category by category');
  },
  'post.upsert': (trx, { id, authorId, createdAt, updatedAt }, now) =>
    placed(trx, [authorId], { category: 'posts', operation: 'UPSERT', entityType: 'Post', entityId: id, occurredAt: updatedAt ?? createdAt ?? now }),
  'post.delete': (trx, { id, authorId }, now) => placed(trx, [authorId], { category: 'posts', operation: 'DELETE', entityType: 'Post', entityId: id, occurredAt: now }),
  async 'follow.upsert'(trx, { followerId, followeeId, since }, now) {
    if (followerId === followeeId) throw new IngestError('CONFLICT', 'a user cannot follow themselves');
    return placed(trx, [followerId, followeeId], { category: 'follows', operation: 'UPSERT', entityType: 'Follow', entityId: followId(followerId, followeeId), occurredAt: since ?? now });
  },
  'follow.delete': (trx, { followerId, followeeId }, now) =>
    placed(trx, [followerId, followeeId], { category: 'follows', operation: 'DELETE', entityType: 'Follow', entityId: followId(followerId, followeeId), occurredAt: now }),
  'activity.upsert': (trx, { id, userId, occurredAt }, now) =>
    placed(trx, [userId], { category: 'activity', operation: 'UPSERT', entityType: 'ActivityEvent', entityId: id, occurredAt: occurredAt ?? now }),
  'activity.delete': (trx, { id, userId }, now) => placed(trx, [userId], { category: 'activity', operation: 'DELETE', entityType: 'ActivityEvent', entityId: id, occurredAt: now }),
  async 'message.upsert'(trx, { id, conversationId, senderId, participantIds, sentAt }, now) {
    if (!participantIds.includes(senderId)) throw new IngestError('CONFLICT', `${senderId} is not one of the participantIds of conversation ${conversationId}`);
    const occurredAt = sentAt ?? now;
    const message = await placed(trx, participantIds, { category: 'messages', operation: 'UPSERT', entityType: 'Message', entityId: id, occurredAt });
    if (await conversationSeen(trx, conversationId)) return message;
    // Its first message starts a conversation, as the embedded store has it.
    return [...changes(participantIds, { category: 'messages', operation: 'UPSERT', entityType: 'Conversation', entityId: conversationId, occurredAt }), ...message];
  },
  'message.delete': (trx, { id, participantIds }, now) =>
    placed(trx, participantIds, { category: 'messages', operation: 'DELETE', entityType: 'Message', entityId: id, occurredAt: now }),
};

/** The changes of `change` for each of `userIds`, once the gateway knows them all. */
async function placed(trx: Trx, userIds: string[], change: Omit<PendingChange, 'userId'>): Promise<PendingChange[]> {
  await requireUsers(trx, [...new Set(userIds)]);
  return changes(userIds, change);
}

/** Whether the change log has recorded the conversation's start (within its retention). */
async function conversationSeen(trx: Trx, conversationId: string): Promise<boolean> {
  const row = await trx.selectFrom('changes').select('position').where('entityType', '=', 'Conversation').where('entityId', '=', conversationId).limit(1).executeTakeFirst();
  return row !== undefined;
}
