import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type http from 'node:http';
import type { Kysely } from 'kysely';
import { categoryEnum, storedCategories, toGlobalId } from '../graph/index.js';
import { sharedSecret, type ArchiveRow, type Category, type Database, type Sources } from '../store/index.js';
import { WebhookDeliverer } from '../webhooks/index.js';
import { DownloadLinks } from './download-links.js';
import { downloadRoute } from './download-route.js';
import { cancelArchiveJob, findArchive, getArchive, insertArchiveJob, listArchives, type ArchiveRequester } from './jobs.js';
import { reportDownload, type ArchiveDownload } from './report-download.js';
import { ArchiveWorker, type GrantCheck, type JobEvent } from './worker.js';

/** Statuses after which an archive no longer changes (but for expiring). */
const SETTLED = new Set(['FAILED', 'CANCELLED', 'EXPIRED']);
/** How often a progress stream re-reads its row when nothing on this instance announced a change. */
const WATCH_POLL_MS = 1000;

/** Archives as resolvers see them: every operation is scoped to the caller's grant. */
export interface Archives {
  request(requester: ArchiveRequester, categories: readonly Category[]): Promise<ArchiveRow>;
  /** `BAD_USER_INPUT` for an unknown id or another grant's. */
  find(grantId: string, id: string): Promise<ArchiveRow>;
  /** Undefined for an unknown id or another grant's (`node(id:)`). */
  get(grantId: string, id: string): Promise<ArchiveRow | undefined>;
  list(grantId: string): Promise<ArchiveRow[]>;
  cancel(grantId: string, id: string): Promise<ArchiveRow>;
  /** The archive now, then again whenever it changes, until it is READY or settled. */
  watch(grantId: string, id: string): AsyncIterable<ArchiveRow>;
  /** The signed download link of a READY archive; null otherwise. */
  downloadUrl(row: ArchiveRow): string | null;
}

export interface ArchiveSystemOptions {
  db: Kysely<Database>;
  sources: Sources;
  dataDir: string;
  /** The gateway's public base URL, which download links start with. */
  baseUrl: string;
  lifetimeMs: number;
  intervalMs: number;
  /** Whether an archive's grant still holds: the worker and downloads refuse one that stopped. */
  grantLapse: GrantCheck;
  webhookBackoffMs: number;
  onError: (error: unknown) => void;
  /** Told when this instance's worker starts a job and how each attempt ends (the metrics). */
  observe?: (event: JobEvent) => void;
  /** Told of every download served, once its response is over (the access log). */
  onDownload?: (download: ArchiveDownload) => void;
  /** How long an archive's read waits before each retry while a platform subgraph fails (the worker's). */
  subgraphRetryWaitsMs?: readonly number[] | undefined;
}

/** The archive side of one gateway instance: the service, its worker, webhook delivery, downloads. */
export interface ArchiveSystem {
  archives: Archives;
  /** Serves `/archives/…`. */
  download: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  /** Wakes webhook delivery (an event was queued on this instance). */
  wakeWebhooks(): void;
  close(): Promise<void>;
}

/** Starts the archive worker and webhook delivery of this instance. */
export async function startArchiveSystem(options: ArchiveSystemOptions): Promise<ArchiveSystem> {
  const { db } = options;
  const dir = path.join(options.dataDir, 'archives');
  const key = Buffer.from(await sharedSecret(db, 'archive-link-key', async () => randomBytes(32).toString('base64url')), 'base64url');
  const links = new DownloadLinks(options.baseUrl, key);
  const downloadUrl = (row: ArchiveRow) => (row.status === 'READY' && row.expiresAt ? links.url(toGlobalId('Archive', row.id), row.expiresAt) : null);
  const deliverer = new WebhookDeliverer(db, options.webhookBackoffMs, options.onError);
  const worker = new ArchiveWorker({
    db,
    sources: options.sources,
    dir,
    lifetimeMs: options.lifetimeMs,
    grantLapse: options.grantLapse,
    onError: options.onError,
    subgraphRetryWaitsMs: options.subgraphRetryWaitsMs,
    ...(options.observe ? { observe: options.observe } : {}),
    describe: (row) => ({ archive: describeArchive(row, downloadUrl(row)), grant: { id: row.grantId } }),
  });
  worker.events.on('progress', () => deliverer.wake());
  await worker.start();
  deliverer.start();

  return {
    archives: archiveService(db, worker, options.intervalMs, downloadUrl),
    download: downloadRoute(db, links, dir, options.grantLapse, () => worker.sweep(), (id, req, res) =>
      // The response is over: a failure here is the operator's to know, not the client's.
      reportDownload(db, id, req, res, options.onDownload ?? (() => {})).catch(options.onError),
    ),
    wakeWebhooks: () => deliverer.wake(),
    async close() {
      await worker.close();
      await deliverer.close();
    },
  };
}

/** {@link Archives} over the store, waking this instance's worker for what it must do. */
function archiveService(db: Kysely<Database>, worker: ArchiveWorker, intervalMs: number, downloadUrl: (row: ArchiveRow) => string | null): Archives {
  return {
    async request(requester, categories) {
      const row = await insertArchiveJob(db, requester, categories, intervalMs);
      worker.wake();
      return row;
    },
    find: (grantId, id) => findArchive(db, grantId, id),
    get: (grantId, id) => getArchive(db, grantId, id),
    list: (grantId) => listArchives(db, grantId),
    async cancel(grantId, id) {
      const row = await cancelArchiveJob(db, grantId, id);
      worker.events.emit('progress', id);
      return row;
    },
    watch: (grantId, id) => watchArchive(db, worker, grantId, id),
    downloadUrl,
  };
}

/** {@link Archives.watch}: reads the row on each change this instance announces (or each poll), and yields it when it differs. */
async function* watchArchive(db: Kysely<Database>, worker: ArchiveWorker, grantId: string, id: string): AsyncIterable<ArchiveRow> {
  let last: string | undefined;
  for (;;) {
    const row = await findArchive(db, grantId, id);
    const seen = `${row.status}:${row.updatedAt}`;
    if (seen !== last) {
      last = seen;
      yield row;
    }
    if (row.status === 'READY' || SETTLED.has(row.status)) return;
    await changeOf(worker, id);
  }
}

/** Resolves when this instance announces a change to the archive, or after a poll interval. */
function changeOf(worker: ArchiveWorker, id: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      worker.events.off('progress', listener);
      resolve();
    };
    const listener = (changed: string) => changed === id && done();
    const timer = setTimeout(done, WATCH_POLL_MS);
    worker.events.on('progress', listener);
  });
}

/** An archive as webhooks describe it. */
function describeArchive(row: ArchiveRow, downloadUrl: string | null) {
  return {
    id: toGlobalId('Archive', row.id),
    status: row.status,
    categories: storedCategories(row.categories).map(categoryEnum),
    createdAt: new Date(row.createdAt).toISOString(),
    readyAt: row.readyAt === null ? null : new Date(row.readyAt).toISOString(),
    expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString(),
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    downloadUrl,
  };
}
