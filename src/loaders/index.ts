import DataLoader from 'dataloader';
import { WaveScheduler } from './wave-scheduler.js';
import type {
  ActivityEventRow,
  ConversationListRow,
  ConversationRow,
  FollowRow,
  MessageRow,
  Page,
  PageCursor,
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
  conversationPage: DataLoader<PageKey, Page<ConversationListRow>>;
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
  /** Called with each batch's loader name and number of keys (batching only), for metrics. */
  onBatch?: ((loader: keyof Loaders, size: number) => void) | undefined;
}

/**
 * A viewer's loaders. With `entities`, the viewer-independent ones are those (already filled by
 * a batch of change events) and only the viewer's own are new.
 */
export function createLoaders(sources: Sources, viewerId: string | undefined, options: LoaderOptions, entities?: EntityLoaders): Loaders {
  return new LazyLoaders(sources, viewerId, options, entities) as unknown as Loaders;
}

/**
 * A loader set whose loaders are built on first use: a request touches a few of them, and a
 * subscription renews its set for every batch of events; neither pays for the rest. A new set is
 * one small object: the getters live on the prototype and nothing else is built up front.
 */
class LazyLoaders {
  #waves: WaveScheduler | undefined;

  constructor(
    readonly sources: Sources,
    readonly viewerId: string | undefined,
    readonly options: LoaderOptions,
    readonly entities: EntityLoaders | undefined,
  ) {}

  /** DataLoader's options: batched in waves (one scheduler per set), or naive. */
  get loaderOptions(): DataLoader.Options<any, any, any> {
    if (!this.options.batching) return { batch: false, cache: false };
    this.#waves ??= new WaveScheduler();
    return { batchScheduleFn: this.#waves.schedule };
  }

  track<Key, Result>(name: keyof Loaders, batch: (keys: readonly Key[]) => Promise<Result>): (keys: readonly Key[]) => Promise<Result> {
    if (!this.options.batching) return batch;
    this.#waves ??= new WaveScheduler();
    const { onBatch } = this.options;
    return this.#waves.track(
      onBatch
        ? (keys: readonly Key[]) => {
            onBatch(name, keys.length);
            return batch(keys);
          }
        : batch,
    );
  }
}

/** Every loader of the set, how it is built, and whether a batch of change events may share it. */
const LOADERS: { [K in keyof Loaders]: { shareable: boolean; build: (set: LazyLoaders, name: K) => Loaders[K] } } = {
  user: { shareable: true, build: (set, name) => byId(set, name, set.sources.profile.usersByIds) },
  post: { shareable: true, build: (set, name) => byId(set, name, set.sources.posts.postsByIds) },
  activityEvent: { shareable: true, build: (set, name) => byId(set, name, set.sources.activity.eventsByIds) },
  conversation: { shareable: true, build: (set, name) => byId(set, name, set.sources.messages.conversationsByIds) },
  message: { shareable: true, build: (set, name) => byId(set, name, set.sources.messages.messagesByIds) },
  follow: {
    shareable: true,
    build: (set, name) =>
      new DataLoader(
        set.track(name, async (ids: readonly string[]) => {
          const pairs = ids.map((id) => JSON.parse(id) as [string, string]);
          const rows = new Map((await set.sources.follows.followsByPairs(pairs)).map((row) => [JSON.stringify([row.followerId, row.followeeId]), row]));
          return ids.map((id) => rows.get(id));
        }),
        set.loaderOptions,
      ),
  },
  participants: {
    shareable: true,
    build: (set, name) =>
      new DataLoader(
        set.track(name, async (conversationIds: readonly string[]) => {
          const byConversation = new Map<string, string[]>(conversationIds.map((id) => [id, []]));
          for (const row of await set.sources.messages.participantsOf(conversationIds)) byConversation.get(row.conversationId)?.push(row.userId);
          return conversationIds.map((id) => byConversation.get(id)!);
        }),
        set.loaderOptions,
      ),
  },
  postPage: { shareable: false, build: (set, name) => pages(set, name, set.sources.posts.postPages) },
  followerPage: { shareable: false, build: (set, name) => pages(set, name, set.sources.follows.followerPages) },
  followingPage: { shareable: false, build: (set, name) => pages(set, name, set.sources.follows.followingPages) },
  activityPage: { shareable: false, build: (set, name) => pages(set, name, set.sources.activity.eventPages) },
  conversationPage: {
    shareable: false,
    build: (set, name) =>
      pages(set, name, set.sources.messages.conversationPages, (rows) => {
        // A source that read the conversations along with the list saves their own read.
        const loaders = set as unknown as Loaders;
        for (const { conversation } of rows) {
          if (!conversation) continue;
          loaders.conversation.prime(conversation.id, conversation);
          loaders.participants.prime(conversation.id, [...conversation.participantIds]);
        }
      }),
  },
  messagePage: { shareable: false, build: (set, name) => pages(set, name, set.sources.messages.messagePages) },
  followsViewer: { shareable: false, build: (set, name) => connectedToViewer(set, name, set.sources.follows.connectedUsers) },
  messagesViewer: { shareable: false, build: (set, name) => connectedToViewer(set, name, set.sources.messages.connectedUsers) },
};

for (const [name, { shareable, build }] of Object.entries(LOADERS)) {
  Object.defineProperty(LazyLoaders.prototype, name, {
    get(this: LazyLoaders) {
      const loader = shareable && this.entities ? this.entities[name as keyof EntityLoaders] : (build as (set: LazyLoaders, name: string) => unknown)(this, name);
      Object.defineProperty(this, name, { value: loader });
      return loader;
    },
  });
}

function byId<Row extends { id: string }>(set: LazyLoaders, name: keyof Loaders, fetch: (ids: readonly string[]) => Promise<Row[]>) {
  return new DataLoader<string, Row | undefined>(
    set.track(name, async (ids: readonly string[]) => {
      const rows = new Map((await fetch(ids)).map((row) => [row.id, row]));
      return ids.map((id) => rows.get(id));
    }),
    set.loaderOptions,
  );
}

function pages<Row>(
  set: LazyLoaders,
  name: keyof Loaders,
  fetch: (parentIds: readonly string[], request: PageRequest) => Promise<Map<string, Page<Row>>>,
  prime?: (rows: readonly Row[]) => void,
) {
  return new DataLoader<PageKey, Page<Row>, string>(
    set.track(name, async (keys: readonly PageKey[]) => {
      const groups = new Map<string, { request: PageRequest; parentIds: string[] }>();
      for (const key of keys) {
        const group = groups.get(requestKey(key.request)) ?? { request: key.request, parentIds: [] };
        group.parentIds.push(key.parentId);
        groups.set(requestKey(key.request), group);
      }
      const results = new Map<string, Page<Row>>();
      // Every group is asked at once: a federated source sends them all in one request.
      const fetched = await Promise.all([...groups].map(async ([groupKey, group]) => [groupKey, await fetch([...new Set(group.parentIds)], group.request)] as const));
      for (const [groupKey, pages] of fetched) {
        for (const [parentId, page] of pages) {
          prime?.(page.rows);
          results.set(`${parentId}\n${groupKey}`, page);
        }
      }
      return keys.map((key) => results.get(`${key.parentId}\n${requestKey(key.request)}`)!);
    }),
    { ...set.loaderOptions, cacheKeyFn: (key: PageKey) => `${key.parentId}\n${requestKey(key.request)}` },
  );
}

function connectedToViewer(set: LazyLoaders, name: keyof Loaders, fetch: (userId: string, ids: readonly string[]) => Promise<Set<string>>) {
  const { viewerId } = set;
  return new DataLoader<string, boolean>(
    set.track(name, async (ids: readonly string[]) => {
      if (viewerId === undefined) return ids.map(() => false);
      const connected = await fetch(viewerId, ids);
      return ids.map((id) => connected.has(id));
    }),
    set.loaderOptions,
  );
}

function requestKey(request: PageRequest): string {
  const { first, after, last, before } = request;
  return `${first ?? ''}|${cursorKey(after)}|${last ?? ''}|${cursorKey(before)}`;
}

function cursorKey(cursor: PageCursor | undefined): string {
  if (!cursor) return '';
  return 'token' in cursor ? `s:${cursor.token}` : `${cursor.time}:${cursor.id}`;
}
