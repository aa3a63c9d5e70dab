import { EventEmitter } from 'node:events';
import pg from 'pg';

/**
 * Says "the change log grew" to every instance's log tailer. It is only a wake-up call: the log is
 * the truth, so a lost notification delays a change (until the tailer's next look) and loses nothing.
 */
export interface Notifier {
  /** Wakes the tailer of every instance. */
  publish(): Promise<void>;
  /** Calls `listener` whenever the log may have grown; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  close(): Promise<void>;
}

const CHANNEL = 'portability_changes';

function listeners() {
  const emitter = new EventEmitter().setMaxListeners(0);
  return {
    wake: () => void emitter.emit('changed'),
    subscribe(listener: () => void) {
      emitter.on('changed', listener);
      return () => void emitter.off('changed', listener);
    },
  };
}

/** The embedded store's notifier: one process, so an in-process event emitter does. */
export function localNotifier(): Notifier {
  const local = listeners();
  return {
    publish: async () => local.wake(),
    subscribe: local.subscribe,
    close: async () => {},
  };
}

/**
 * PostgreSQL's LISTEN/NOTIFY, so a change ingested on one instance wakes the tailers of all. The
 * listening connection reconnects when it drops, and then wakes its tailer, since notifications
 * may have been missed meanwhile.
 */
export async function postgresNotifier(databaseUrl: string, onError: (error: unknown) => void): Promise<Notifier> {
  const local = listeners();
  const publisher = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  publisher.on('error', onError);
  let listener: pg.Client | undefined;
  let closed = false;

  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('notification', (message) => message.channel === CHANNEL && local.wake());
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
      local.wake();
    } catch (error) {
      onError(error);
      if (!closed) setTimeout(() => void reconnect(), 1000);
    }
  }

  await listen();
  return {
    async publish() {
      await publisher.query(`NOTIFY ${CHANNEL}`);
    },
    subscribe: local.subscribe,
    async close() {
      closed = true;
      await Promise.all([listener?.end(), publisher.end()]);
    },
  };
}
