import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { STANDING_CHANNEL, type StandingVersion } from './standing-version.js';

/** How often the listening connection proves it is alive and has passed on every notification sent before. */
const HEARTBEAT_MS = 250;
/**
 * How long a proof counts. A change committed on any instance is either notified by the time a
 * proof sent after it comes back, or vouched for by none: what this process remembers is
 * trusted at most this long after a change, well within a second.
 */
const LEASE_MS = 750;
/** A proof this late means the connection is gone though no error said so: it is dropped and made anew. */
const STALL_MS = 5000;
const RECONNECT_MS = 1000;

export interface PostgresStandingOptions {
  databaseUrl: string;
  /** The schema the store works in; notifications about another schema's tables are not ours. */
  pgSchema?: string | undefined;
  onError: (error: unknown) => void;
  /** Subscribes to this process's own committed writes to standing rows; returns the unsubscribe function. */
  onLocalWrite: (listener: () => void) => () => void;
}

/**
 * PostgreSQL: a connection of its own LISTENs for the notifications migration 0007's triggers
 * send, and each bumps the version. It vouches only while it is connected and its last heartbeat
 * came back within {@link LEASE_MS}; after this process's own write to a standing row, only once a
 * heartbeat sent after that write came back, by which time the write's own notification has
 * arrived (PostgreSQL sends notifications ahead of a query's answer). A lost connection is made
 * anew after {@link RECONNECT_MS}, and everything remembered before it is forgotten.
 */
export async function postgresStandingVersion(options: PostgresStandingOptions): Promise<StandingVersion> {
  const listener = new StandingListener(options);
  await listener.connect();
  return listener;
}

class StandingListener implements StandingVersion {
  #client: pg.Client | undefined;
  #schema = '';
  #generation = 0;
  /** When the last answered heartbeat was sent: every change committed before then has been heard of. */
  #provenAt = -Infinity;
  /** When this process last committed a write to a standing row. */
  #fencedAt = -Infinity;
  #beatSentAt: number | undefined;
  #closed = false;
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(private readonly options: PostgresStandingOptions) {
    this.#timer = setInterval(() => this.#beat(), HEARTBEAT_MS).unref();
    this.#unsubscribe = options.onLocalWrite(() => {
      this.#fencedAt = performance.now();
      this.#beat();
    });
  }

  current(): number | undefined {
    if (!this.#client) return undefined;
    if (this.#provenAt <= this.#fencedAt || performance.now() - this.#provenAt > LEASE_MS) return undefined;
    return this.#generation;
  }

  async connect(): Promise<void> {
    const { databaseUrl, pgSchema } = this.options;
    const client = new pg.Client({
      connectionString: databaseUrl,
      application_name: `portability-standing${pgSchema ? `:${pgSchema}` : ''}`,
      keepAlive: true,
      ...(pgSchema ? { options: `-c search_path=${pgSchema}` } : {}),
    });
    client.on('notification', (message) => {
      if (message.channel === STANDING_CHANNEL && message.payload === this.#schema) this.#generation++;
    });
    client.on('error', (error) => this.#drop(client, error));
    client.on('end', () => this.#drop(client, new Error('the grant standing listener\'s connection ended')));
    let sentAt: number;
    try {
      await client.connect();
      sentAt = performance.now();
      this.#schema = (await client.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]!.schema;
      await client.query(`LISTEN ${STANDING_CHANNEL}`);
    } catch (error) {
      client.end().catch(this.options.onError);
      throw error;
    }
    if (this.#closed) return void (await client.end());
    // Whatever changed while no one listened: nothing remembered from before is trusted.
    this.#generation++;
    this.#provenAt = sentAt;
    this.#client = client;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unsubscribe();
    const client = this.#client;
    this.#client = undefined;
    await client?.end();
  }

  #beat(): void {
    const client = this.#client;
    if (!client) return;
    if (this.#beatSentAt !== undefined) {
      if (performance.now() - this.#beatSentAt > STALL_MS) this.#drop(client, new Error('the grant standing listener stopped answering'));
      return;
    }
    const sentAt = performance.now();
    this.#beatSentAt = sentAt;
    client.query('SELECT 1').then(
      () => {
        if (client !== this.#client) return;
        this.#beatSentAt = undefined;
        this.#provenAt = sentAt;
        // A write of this process committed while that heartbeat was under way: prove again.
        if (this.#fencedAt >= sentAt) this.#beat();
      },
      (error: unknown) => this.#drop(client, error),
    );
  }

  #drop(client: pg.Client, error: unknown): void {
    if (client !== this.#client || this.#closed) return;
    this.options.onError(error);
    this.#client = undefined;
    this.#beatSentAt = undefined;
    client.end().catch(this.options.onError);
    setTimeout(() => void this.#reconnect(), RECONNECT_MS).unref();
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.connect();
    } catch (error) {
      this.options.onError(error);
      setTimeout(() => void this.#reconnect(), RECONNECT_MS).unref();
    }
  }
}
