import { z } from 'zod';
import { country, id, time, username } from './ingest-event.js';

/*
 * The events of a federated category, as ingest takes them: only the ids that place a change (the
 * object's, and its owners'), and optionally the time it happened. The platform keeps the data;
 * anything else an event carries is accepted and not kept.
 */

const participants = z.array(id).min(1).max(100);

const profile = z.object({ userId: id, username, country, createdAt: time.optional() });
const post = z.object({ id, authorId: id, createdAt: time.optional(), updatedAt: time.optional() });
const follow = z.object({ followerId: id, followeeId: id, since: time.optional() });
const activity = z.object({ id, userId: id, occurredAt: time.optional() });
const message = z.object({ id, conversationId: id, senderId: id, participantIds: participants, sentAt: time.optional() });

/** One event of a federated category (README, "For platform teams"). */
export const federatedEvent = z.discriminatedUnion('type', [
  z.object({ id, type: z.literal('profile.upsert'), data: profile }),
  z.object({ id, type: z.literal('profile.delete'), data: z.object({ userId: id }) }),
  z.object({ id, type: z.literal('post.upsert'), data: post }),
  z.object({ id, type: z.literal('post.delete'), data: post.pick({ id: true, authorId: true }) }),
  z.object({ id, type: z.literal('follow.upsert'), data: follow }),
  z.object({ id, type: z.literal('follow.delete'), data: follow.pick({ followerId: true, followeeId: true }) }),
  z.object({ id, type: z.literal('activity.upsert'), data: activity }),
  z.object({ id, type: z.literal('activity.delete'), data: activity.pick({ id: true, userId: true }) }),
  z.object({ id, type: z.literal('message.upsert'), data: message }),
  z.object({ id, type: z.literal('message.delete'), data: message.pick({ id: true, conversationId: true, participantIds: true }) }),
]);

export type FederatedEvent = z.infer<typeof federatedEvent>;
