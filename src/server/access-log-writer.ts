import type { Insertable, Kysely } from 'kysely';
import type { AccessLogTable, Database } from '../store/index.js';

/** How long a row waits for others to share its insert. */
export const ACCESS_LOG_FLUSH_MS = 50;
/** Rows per insert: well under SQLite's and PostgreSQL's limits on bound parameters. */
const MAX_ROWS = 500;

/**
 * Writes access-log rows in batches: one multi-row insert per {@link ACCESS_LOG_FLUSH_MS} (or per
 * {@link MAX_ROWS}) instead of an insert, and on PostgreSQL a commit, per request. The account
 * page flushes before it reads, so on this instance a request is in the log as soon as it is
 * answered; other instances' readers see it within the flush interval. Shutdown flushes the rest.
 */
export class AccessLogWriter {
  #pending: Insertable<AccessLogTable>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing = new Set<Promise<void>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly onError: (error: unknown) => void,
  ) {}

  add(row: Insertable<AccessLogTable>): void {
    this.#pending.push(row);
    if (this.#pending.length >= MAX_ROWS) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), ACCESS_LOG_FLUSH_MS);
  }

  /** Writes every row added so far; resolves when they, and any write already under way, are stored. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#pending;
    this.#pending = [];
    if (rows.length > 0) {
      const write = this.db
        .insertInto('accessLog')
        .values(rows)
        .execute()
        .then(
          () => undefined,
          // The request was answered long ago: nobody else can be told, so the operator is.
          (error: unknown) => this.onError(error),
        );
      this.#writing.add(write);
      void write.finally(() => this.#writing.delete(write));
    }
    await Promise.all(this.#writing);
  }
}
