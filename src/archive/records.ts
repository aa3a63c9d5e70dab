import { toGlobalId } from '../graph/index.js';
import type { ActivityEventRow, ConversationRow, FollowRow, MessageRow, PostRow, UserRow } from '../store/index.js';

/*
 * Each archive record has the field names and shapes of its GraphQL type, as the API returns it:
 * global ids, RFC 3339 times, nested objects. An object a record points at appears as `{ "id" }`
 * when the archive holds it in full elsewhere (a message's conversation and sender).
 */

const time = (ms: number) => new Date(ms).toISOString();

export function profileRecord(user: UserRow) {
  return {
    id: toGlobalId('Profile', user.id),
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    avatarUrl: user.avatarUrl,
    email: user.email,
    birthDate: user.birthDate,
    country: user.country,
    createdAt: time(user.createdAt),
    updatedAt: time(user.updatedAt),
  };
}

export function userRecord(user: UserRow) {
  return { id: toGlobalId('User', user.id), username: user.username, displayName: user.displayName, avatarUrl: user.avatarUrl };
}

export function postRecord(post: PostRow) {
  return {
    id: toGlobalId('Post', post.id),
    caption: post.caption,
    media:
      post.mediaUrl && post.mediaType
        ? { url: post.mediaUrl, type: post.mediaType, durationSeconds: post.mediaDurationMs === null ? null : post.mediaDurationMs / 1000 }
        : null,
    visibility: post.visibility,
    counts: { likes: post.likeCount, comments: post.commentCount, shares: post.shareCount, views: post.viewCount },
    createdAt: time(post.createdAt),
    updatedAt: time(post.updatedAt),
  };
}

/** A `FollowEdge` without its cursor: since when, and the other person. */
export function followEdgeRecord(follow: FollowRow, other: UserRow) {
  return { since: time(follow.createdAt), node: userRecord(other) };
}

export function activityRecord(event: ActivityEventRow) {
  return {
    id: toGlobalId('ActivityEvent', event.id),
    kind: event.kind,
    target: { type: event.targetType, ref: event.targetRef, text: event.targetText },
    occurredAt: time(event.occurredAt),
  };
}

export function conversationRecord(conversation: ConversationRow, participants: UserRow[]) {
  return { id: toGlobalId('Conversation', conversation.id), createdAt: time(conversation.createdAt), participants: participants.map(userRecord) };
}

/** `refId` makes the ids of the sender and the conversation, which repeat from message to message. */
export function messageRecord(message: MessageRow, refId: typeof toGlobalId = toGlobalId) {
  return {
    id: toGlobalId('Message', message.id),
    text: message.text,
    sentAt: time(message.sentAt),
    sender: { id: refId('User', message.senderId) },
    conversation: { id: refId('Conversation', message.conversationId) },
  };
}
