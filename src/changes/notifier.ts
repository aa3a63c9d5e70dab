import { EventEmitter } from 'node:events';
import pg from 'pg';

/**
 * Wakes the streams of users whose data changed. It is only a wake-up call: the change log is the
 * truth, so a lost notification delays a change and never loses it.
 */
export interface Notifier {
  /** Wakes every stream of these users, on every instance. */
  publish(userIds: readonly string[]): Promise<void>;
  /** Calls `listener` when the user's data may have changed; returns the unsubscribe function. */
  subscribe(userId: string, listener: () => void): () => void;
  close(): Promise<void>;
}

const CHANNEL = 'portability_changes';
/** PostgreSQL caps a NOTIFY payload at 8000 bytes. */
const MAX_PAYLOAD = 7000;

class Listeners {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  wake(userIds: readonly string[]): void {
    for (const userId of userIds) this.#emitter.emit(userId);
  }

  wakeAll(): void {
    for (const userId of this.#emitter.eventNames()) this.#emitter.emit(userId);
  }

  subscribe(userId: string, listener: () => void): () => void {
    this.#emitter.on(userId, listener);
    return () => this.#emitter.off(userId, listener);
  }
}

/** The embedded store's notifier: one process, so an in-process event emitter does. */
export function localNotifier(): Notifier {
  const listeners = new Listeners();
  return {
    publish: async (userIds) => listeners.wake(userIds),
    subscribe: (userId, listener) => listeners.subscribe(userId, listener),
    close: async () => {},
  };
}

/**
 * PostgreSQL's LISTEN/NOTIFY, so a change ingested on one instance wakes streams on all. The
 * listening connection reconnects when it drops, and then wakes every stream, since
 * notifications may have been missed meanwhile.
 */
export async function postgresNotifier(databaseUrl: string, onError: (error: unknown) => void): Promise<Notifier> {
  const listeners = new Listeners();
  const publisher = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  let listener: pg.Client | undefined;
  let closed = false;

  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) listeners.wake(JSON.parse(message.payload) as string[]);
    });
    client.on('error', (error) => {
      onError(error);
      client.end().catch(onError);
      if (!closed) setTimeout(() => void reconnect(), 1000);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
  }

  async function reconnect(): Promise<void> {
    try {
      await listen();
      listeners.wakeAll();
    } catch (error) {
      onError(error);
      if (!closed) setTimeout(() => void reconnect(), 1000);
    }
  }

  await listen();
  return {
    async publish(userIds) {
      for (const chunk of chunks([...new Set(userIds)])) {
        await publisher.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(chunk)]);
      }
    },
    subscribe: (userId, listener) => listeners.subscribe(userId, listener),
    async close() {
      closed = true;
      await Promise.all([listener?.end(), publisher.end()]);
    },
  };
}

function* chunks(userIds: string[]): Generator<string[]> {
  let chunk: string[] = [];
  let size = 2;
  for (const id of userIds) {
    if (size + id.length + 3 > MAX_PAYLOAD && chunk.length > 0) {
      yield chunk;
      chunk = [];
      size = 2;
    }
    chunk.push(id);
    size += JSON.stringify(id).length + 1;
  }
  if (chunk.length > 0) yield chunk;
}
