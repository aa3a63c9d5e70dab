import { toGlobalId } from '../graph/index.js';
import type { ActivityEventRow, ConversationRow, FollowRow, MessageRow, PostRow, UserRow } from '../store/index.js';

/*
 * Each archive record has the field names and shapes of its GraphQL type, as the API returns it:
 * global ids, RFC 3339 times, nested objects. An object a record points at appears as `{ "id" }`
 * when the archive holds it in full elsewhere (a message's conversation and sender).
 *
 * The JSON Lines records are written straight as JSON text: building each as an object and then
 * calling `JSON.stringify` took twice as long, which on a million records is seconds. Values from
 * the store go through `json()`; global ids and times are ours and need no escaping.
 */

const json = (value: string | null) => JSON.stringify(value);

const DAY_MS = 86_400_000;
const twoDigits = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
const threeDigits = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
let cachedDay = NaN;
let cachedDate = '';

/**
 * `new Date(ms).toISOString()`, faster (BENCHMARKS.md says by how much): the date part is kept from the last call (an
 * archive's records come in time order, so the day rarely changes) and the time of day is
 * arithmetic.
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const iso = new Date(day * DAY_MS).toISOString();
    cachedDay = day;
    cachedDate = iso.slice(0, iso.indexOf('T') + 1);
  }
  let rest = ms - day * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  return `${cachedDate}${twoDigits[(rest - minutes) / 60]}:${twoDigits[minutes]}:${twoDigits[seconds]}.${threeDigits[millis]}Z`;
}

/** `profile.json`, the one record that is a document of its own rather than a line. */
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
    createdAt: isoTime(user.createdAt),
    updatedAt: isoTime(user.updatedAt),
  };
}

function userJson(user: UserRow): string {
  return `{"id":"${toGlobalId('User', user.id)}","username":${json(user.username)},"displayName":${json(user.displayName)},"avatarUrl":${json(user.avatarUrl)}}`;
}

export function postLine(post: PostRow): string {
  const media =
    post.mediaUrl && post.mediaType
      ? `{"url":${json(post.mediaUrl)},"type":${json(post.mediaType)},"durationSeconds":${post.mediaDurationMs === null ? null : post.mediaDurationMs / 1000}}`
      : null;
  const counts = `{"likes":${post.likeCount},"comments":${post.commentCount},"shares":${post.shareCount},"views":${post.viewCount}}`;
  return `{"id":"${toGlobalId('Post', post.id)}","caption":${json(post.caption)},"media":${media},"visibility":${json(post.visibility)},"counts":${counts},"createdAt":"${isoTime(post.createdAt)}","updatedAt":"${isoTime(post.updatedAt)}"}`;
}

/** A `FollowEdge` without its cursor: since when, and the other person. */
export function followEdgeLine(follow: FollowRow, other: UserRow): string {
  return `{"since":"${isoTime(follow.createdAt)}","node":${userJson(other)}}`;
}

export function activityLine(event: ActivityEventRow): string {
  const target = `{"type":${json(event.targetType)},"ref":${json(event.targetRef)},"text":${json(event.targetText)}}`;
  return `{"id":"${toGlobalId('ActivityEvent', event.id)}","kind":${json(event.kind)},"target":${target},"occurredAt":"${isoTime(event.occurredAt)}"}`;
}

export function conversationLine(conversation: ConversationRow, participants: UserRow[]): string {
  return `{"id":"${toGlobalId('Conversation', conversation.id)}","createdAt":"${isoTime(conversation.createdAt)}","participants":[${participants.map(userJson).join(',')}]}`;
}

/** `refId` makes the ids of the sender and the conversation, which repeat from message to message. */
export function messageLine(message: MessageRow, refId: typeof toGlobalId = toGlobalId): string {
  return `{"id":"${toGlobalId('Message', message.id)}","text":${json(message.text)},"sentAt":"${isoTime(message.sentAt)}","sender":{"id":"${refId('User', message.senderId)}"},"conversation":{"id":"${refId('Conversation', message.conversationId)}"}}`;
}
