import { z } from 'zod';

/** A platform id, as every event names its objects and users. */
export const id = z.string().min(1).max(128).regex(/^\S+$/, 'must not contain white space');
/** An RFC 3339 time, read as epoch milliseconds. */
export const time = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));
const url = z.url({ protocol: /^https?$/ });

/** A username: what sign-in takes. */
export const username = z.string().regex(/^[a-z0-9_]{1,30}$/, 'must be 1–30 of a–z, 0–9 and _');
/** Where a user is registered: what the region check reads. */
export const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code');

const profile = z.object({
  userId: id,
  username,
  displayName: z.string().min(1).max(100),
  bio: z.string().max(1000).nullish(),
  avatarUrl: url.nullish(),
  email: z.email(),
  birthDate: z.iso.date().nullish(),
  country,
  createdAt: time.optional(),
});

const post = z.object({
  id,
  authorId: id,
  caption: z.string().max(10_000).nullish(),
  media: z
    .object({ url, type: z.enum(['IMAGE', 'VIDEO', 'AUDIO']), durationSeconds: z.number().nonnegative().nullish() })
    .nullish(),
  visibility: z.enum(['PUBLIC', 'FOLLOWERS', 'PRIVATE']),
  counts: z
    .object({ likes: z.number().int().nonnegative(), comments: z.number().int().nonnegative(), shares: z.number().int().nonnegative(), views: z.number().int().nonnegative() })
    .optional(),
  createdAt: time,
  updatedAt: time.optional(),
});

const follow = z.object({ followerId: id, followeeId: id, since: time.optional() });

const activity = z.object({
  id,
  userId: id,
  kind: z.enum(['LIKE', 'COMMENT', 'SHARE', 'SEARCH', 'WATCH', 'LOGIN']),
  target: z.object({ type: z.enum(['POST', 'USER', 'QUERY', 'DEVICE']), ref: z.string().max(128).nullish(), text: z.string().max(2000).nullish() }),
  occurredAt: time,
});

const message = z.object({
  id,
  conversationId: id,
  senderId: id,
  text: z.string().min(1).max(10_000),
  sentAt: time,
  participantIds: z.array(id).min(2).max(100).optional(),
});

/** One platform event, as `POST /internal/v1/events` takes it (README, "Ingest"). */
export const ingestEvent = z.discriminatedUnion('type', [
  z.object({ id, type: z.literal('profile.upsert'), data: profile }),
  z.object({ id, type: z.literal('profile.delete'), data: z.object({ userId: id }) }),
  z.object({ id, type: z.literal('post.upsert'), data: post }),
  z.object({ id, type: z.literal('post.delete'), data: z.object({ id }) }),
  z.object({ id, type: z.literal('follow.upsert'), data: follow }),
  z.object({ id, type: z.literal('follow.delete'), data: follow.pick({ followerId: true, followeeId: true }) }),
  z.object({ id, type: z.literal('activity.upsert'), data: activity }),
  z.object({ id, type: z.literal('activity.delete'), data: z.object({ id }) }),
  z.object({ id, type: z.literal('message.upsert'), data: message }),
  z.object({ id, type: z.literal('message.delete'), data: z.object({ id }) }),
]);

export type IngestEvent = z.infer<typeof ingestEvent>;

/** The request body: a batch of events. */
export const ingestBatch = z.object({ events: z.array(z.unknown()).min(1).max(1000) });
