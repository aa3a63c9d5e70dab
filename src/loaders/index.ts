import DataLoader from 'dataloader';
import { WaveScheduler } from './wave-scheduler.js';
import type {
  ActivityEventRow,
  ConversationParticipantRow,
  ConversationRow,
  FollowRow,
  MessageRow,
  Page,
  PageRequest,
  PostRow,
  Sources,
  UserRow,
} from '../store/index.js';

/** A page of some parent's connection: the loaders' key for connection queries. */
export interface PageKey {
  parentId: string;
  request: PageRequest;
}

/**
 * The DataLoaders of one request (or one batch of change events). Build a new set per request:
 * what they cache depends on who asks.
 */
export interface Loaders {
  user: DataLoader<string, UserRow | undefined>;
  post: DataLoader<string, PostRow | undefined>;
  activityEvent: DataLoader<string, ActivityEventRow | undefined>;
  conversation: DataLoader<string, ConversationRow | undefined>;
  message: DataLoader<string, MessageRow | undefined>;
  /** A follow by its id, `JSON.stringify([followerId, followeeId])`. */
  follow: DataLoader<string, FollowRow | undefined>;
  /** A conversation's participants' user ids. */
  participants: DataLoader<string, string[]>;
  postPage: DataLoader<PageKey, Page<PostRow>>;
  followerPage: DataLoader<PageKey, Page<FollowRow>>;
  followingPage: DataLoader<PageKey, Page<FollowRow>>;
  activityPage: DataLoader<PageKey, Page<ActivityEventRow>>;
  conversationPage: DataLoader<PageKey, Page<ConversationParticipantRow>>;
  messagePage: DataLoader<PageKey, Page<MessageRow>>;
  /** Whether a user follows, or is followed by, the viewer. */
  followsViewer: DataLoader<string, boolean>;
  /** Whether a user shares a conversation with the viewer. */
  messagesViewer: DataLoader<string, boolean>;
}

/** The loaders whose results do not depend on who asks: a batch of change events can share them. */
export type EntityLoaders = Pick<Loaders, 'user' | 'post' | 'activityEvent' | 'conversation' | 'message' | 'participants' | 'follow'>;

export interface LoaderOptions {
  /** False loads every key on its own and caches nothing: the naive reference the benchmarks compare against. */
  batching: boolean;
}

/**
 * A viewer's loaders. With `entities`, the viewer-independent ones are those (already filled by
 * a batch of change events) and only the viewer's own are new.
 */
export function createLoaders(sources: Sources, viewerId: string | undefined, options: LoaderOptions, entities?: EntityLoaders): Loaders {
  return new LazyLoaders(loaderFactories(sources, viewerId, options), entities) as unknown as Loaders;
}

type Factories = { [K in keyof Loaders]: () => Loaders[K] };

/**
 * A loader set whose loaders are built on first use: a request touches a few of them, and a
 * subscription renews its set for every batch of events; neither pays for the rest. The getters
 * live on the prototype, so a new set costs one small object.
 */
class LazyLoaders {
  constructor(
    readonly factories: Factories,
    readonly entities: EntityLoaders | undefined,
  ) {}
}

/** Every loader of the set, and whether a batch of change events may share it (the compiler checks the list is whole). */
const SHAREABLE: Record<keyof Loaders, boolean> = {
  user: true, post: true, activityEvent: true, conversation: true, message: true, participants: true, follow: true,
  postPage: false, followerPage: false, followingPage: false, activityPage: false, conversationPage: false, messagePage: false,
  followsViewer: false, messagesViewer: false,
};
for (const name of Object.keys(SHAREABLE) as (keyof Loaders)[]) {
  Object.defineProperty(LazyLoaders.prototype, name, {
    get(this: LazyLoaders) {
      const loader = this.entities && SHAREABLE[name] ? this.entities[name as keyof EntityLoaders] : this.factories[name]();
      Object.defineProperty(this, name, { value: loader });
      return loader;
    },
  });
}

function loaderFactories(sources: Sources, viewerId: string | undefined, options: LoaderOptions): Factories {
  const waves = new WaveScheduler();
  const loaderOptions = options.batching ? { batchScheduleFn: waves.schedule } : { batch: false, cache: false };
  const byId = <Row extends { id: string }>(fetch: (ids: readonly string[]) => Promise<Row[]>) =>
    new DataLoader<string, Row | undefined>(waves.track(async (ids) => {
      const rows = new Map((await fetch(ids)).map((row) => [row.id, row]));
      return ids.map((id) => rows.get(id));
    }), loaderOptions);
  const pages = <Row>(fetch: (parentIds: readonly string[], request: PageRequest) => Promise<Map<string, Page<Row>>>) =>
    new DataLoader<PageKey, Page<Row>, string>(
      waves.track(async (keys: readonly PageKey[]) => {
        const groups = new Map<string, { request: PageRequest; parentIds: string[] }>();
        for (const key of keys) {
          const group = groups.get(requestKey(key.request)) ?? { request: key.request, parentIds: [] };
          group.parentIds.push(key.parentId);
          groups.set(requestKey(key.request), group);
        }
        const results = new Map<string, Page<Row>>();
        for (const [groupKey, group] of groups) {
          const fetched = await fetch([...new Set(group.parentIds)], group.request);
          for (const [parentId, page] of fetched) results.set(`${parentId}\n${groupKey}`, page);
        }
        return keys.map((key) => results.get(`${key.parentId}\n${requestKey(key.request)}`)!);
      }),
      { ...loaderOptions, cacheKeyFn: (key) => `${key.parentId}\n${requestKey(key.request)}` },
    );
  const connectedToViewer = (fetch: (userId: string, ids: readonly string[]) => Promise<Set<string>>) =>
    new DataLoader<string, boolean>(waves.track(async (ids: readonly string[]) => {
      if (viewerId === undefined) return ids.map(() => false);
      const connected = await fetch(viewerId, ids);
      return ids.map((id) => connected.has(id));
    }), loaderOptions);

  const { profile, posts, follows, activity, messages } = sources;
  return {
    user: () => byId(profile.usersByIds),
    post: () => byId(posts.postsByIds),
    activityEvent: () => byId(activity.eventsByIds),
    conversation: () => byId(messages.conversationsByIds),
    message: () => byId(messages.messagesByIds),
    follow: () =>
      new DataLoader(
        waves.track(async (ids: readonly string[]) => {
          const pairs = ids.map((id) => JSON.parse(id) as [string, string]);
          const rows = new Map((await follows.followsByPairs(pairs)).map((row) => [JSON.stringify([row.followerId, row.followeeId]), row]));
          return ids.map((id) => rows.get(id));
        }),
        loaderOptions,
      ),
    participants: () =>
      new DataLoader(
        waves.track(async (conversationIds: readonly string[]) => {
          const byConversation = new Map<string, string[]>(conversationIds.map((id) => [id, []]));
          for (const row of await messages.participantsOf(conversationIds)) byConversation.get(row.conversationId)?.push(row.userId);
          return conversationIds.map((id) => byConversation.get(id)!);
        }),
        loaderOptions,
      ),
    postPage: () => pages(posts.postPages),
    followerPage: () => pages(follows.followerPages),
    followingPage: () => pages(follows.followingPages),
    activityPage: () => pages(activity.eventPages),
    conversationPage: () => pages(messages.conversationPages),
    messagePage: () => pages(messages.messagePages),
    followsViewer: () => connectedToViewer(follows.connectedUsers),
    messagesViewer: () => connectedToViewer(messages.connectedUsers),
  };
}

function requestKey(request: PageRequest): string {
  const { first, after, last, before } = request;
  return `${first ?? ''}|${after ? `${after.time}:${after.id}` : ''}|${last ?? ''}|${before ? `${before.time}:${before.id}` : ''}`;
}
