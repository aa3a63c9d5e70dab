import { z } from 'zod';
import type { ActivityEventRow, ConversationRow, FollowRow, MessageRow, PostRow, UserRow } from '../store/index.js';
import type { RemoteEntity } from './remote-entity.js';

/*
 * The contract's object types (schema/subgraphs/*.graphql) as the gateway reads them: the fields
 * it selects, the zod schema an answer must fit, and the store row each becomes, so that
 * resolvers, archives and streams see one shape whatever serves the category. Owner fields are
 * nullable here: an object without them is left out (and logged), not a broken answer.
 */

const id = z.string().min(1);
const owner = id.nullish();
/** An RFC 3339 time, as epoch milliseconds like the store keeps times. */
const time = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));
const count = z.number().int().nonnegative();

const user = z.object({
  // A user's owner field is its own id: one without it is left out like any unplaceable object.
  id: owner,
  username: z.string().min(1),
  displayName: z.string(),
  bio: z.string().nullish(),
  avatarUrl: z.url().nullish(),
  email: z.string(),
  birthDate: z.iso.date().nullish(),
  country: z.string().regex(/^[A-Z]{2}$/),
  createdAt: time,
});

export const USER: RemoteEntity<z.infer<typeof user>, UserRow> = {
  typename: 'User',
  selection: 'id username displayName bio avatarUrl email birthDate country createdAt',
  schema: user,
  id: (node) => node.id ?? undefined,
  owners: (node) => [node.id ?? undefined],
  toRow: (node) => ({ ...node, id: node.id!, bio: node.bio ?? null, avatarUrl: node.avatarUrl ?? null, birthDate: node.birthDate ?? null, updatedAt: node.createdAt }),
};

const post = z.object({
  id,
  authorId: owner,
  caption: z.string().nullish(),
  media: z.object({ url: z.url(), type: z.enum(['IMAGE', 'VIDEO', 'AUDIO']), durationSeconds: z.number().nonnegative().nullish() }).nullish(),
  visibility: z.enum(['PUBLIC', 'FOLLOWERS', 'PRIVATE']),
  counts: z.object({ likes: count, comments: count, shares: count, views: count }),
  createdAt: time,
  updatedAt: time,
});

export const POST: RemoteEntity<z.infer<typeof post>, PostRow> = {
  typename: 'Post',
  selection: 'id authorId caption media { url type durationSeconds } visibility counts { likes comments shares views } createdAt updatedAt',
  schema: post,
  id: (node) => node.id,
  owners: (node) => [node.authorId ?? undefined],
  toRow: (node) => ({
    id: node.id,
    authorId: node.authorId!,
    caption: node.caption ?? null,
    mediaUrl: node.media?.url ?? null,
    mediaType: node.media?.type ?? null,
    mediaDurationMs: node.media?.durationSeconds == null ? null : Math.round(node.media.durationSeconds * 1000),
    visibility: node.visibility,
    likeCount: node.counts.likes,
    commentCount: node.counts.comments,
    shareCount: node.counts.shares,
    viewCount: node.counts.views,
    createdAt: node.createdAt,
    updatedAt: node.updatedAt,
  }),
};

const follow = z.object({ followerId: owner, followeeId: owner, since: time });

export const FOLLOW: RemoteEntity<z.infer<typeof follow>, FollowRow> = {
  typename: 'Follow',
  selection: 'followerId followeeId since',
  schema: follow,
  id: (node) => JSON.stringify([node.followerId, node.followeeId]),
  owners: (node) => [node.followerId ?? undefined, node.followeeId ?? undefined],
  toRow: (node) => ({ followerId: node.followerId!, followeeId: node.followeeId!, createdAt: node.since }),
};

const activity = z.object({
  id,
  userId: owner,
  kind: z.enum(['LIKE', 'COMMENT', 'SHARE', 'SEARCH', 'WATCH', 'LOGIN']),
  target: z.object({ type: z.enum(['POST', 'USER', 'QUERY', 'DEVICE']), ref: z.string().nullish(), text: z.string().nullish() }),
  occurredAt: time,
});

export const ACTIVITY_EVENT: RemoteEntity<z.infer<typeof activity>, ActivityEventRow> = {
  typename: 'ActivityEvent',
  selection: 'id userId kind target { type ref text } occurredAt',
  schema: activity,
  id: (node) => node.id,
  owners: (node) => [node.userId ?? undefined],
  toRow: (node) => ({
    id: node.id,
    userId: node.userId!,
    kind: node.kind,
    targetType: node.target.type,
    targetRef: node.target.ref ?? null,
    targetText: node.target.text ?? null,
    occurredAt: node.occurredAt,
  }),
};

/** A conversation as the messages subgraph serves it: the row, and who takes part. */
export interface RemoteConversation extends ConversationRow {
  participantIds: readonly string[];
}

const conversation = z.object({ id, participantIds: z.array(id).nullish(), createdAt: time });

export const CONVERSATION: RemoteEntity<z.infer<typeof conversation>, RemoteConversation> = {
  typename: 'Conversation',
  selection: 'id participantIds createdAt',
  schema: conversation,
  id: (node) => node.id,
  owners: (node) => node.participantIds ?? undefined,
  toRow: (node) => ({ id: node.id, createdAt: node.createdAt, participantIds: node.participantIds! }),
};

const message = z.object({ id, conversationId: owner, senderId: owner, text: z.string(), sentAt: time });

export const MESSAGE: RemoteEntity<z.infer<typeof message>, MessageRow> = {
  typename: 'Message',
  selection: 'id conversationId senderId text sentAt',
  schema: message,
  id: (node) => node.id,
  owners: (node) => [node.conversationId ?? undefined, node.senderId ?? undefined],
  toRow: (node) => ({ id: node.id, conversationId: node.conversationId!, senderId: node.senderId!, text: node.text, sentAt: node.sentAt }),
};
