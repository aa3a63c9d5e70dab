import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { GrantLapse, HeldGrant } from '../auth/index.js';
import { SerialDrain, type ArchiveRow, type Database, type Sources } from '../store/index.js';
import { completeJob } from './complete-job.js';
import { ARCHIVE_FILES, PROFILE_FILE, profileDocument } from './contents.js';
import { expireArchives } from './expire-archives.js';
import { claimJob, failJob, releaseJob, renewLease } from './leases.js';
import { manifest, MANIFEST_FILE } from './manifest.js';
import { patientSources } from './patient-sources.js';
import { ZipWriter, type ZipEntrySummary } from './zip-writer.js';

/** A worker holds a job this long past its last progress write; then another may take it over. */
const LEASE_MS = 30_000;
/** Progress (and the lease) is written at most this often. */
const PROGRESS_MS = 500;
/** How often an idle worker looks for jobs other instances queued. */
const POLL_MS = 2000;
/** How often expired archives are looked for. */
const SWEEP_MS = 60_000;
/** A job that failed this many times is given up. */
const MAX_ATTEMPTS = 3;

/** Whether the grant an archive is made under still holds (undefined), or why not. */
export type GrantCheck = (grant: HeldGrant) => Promise<GrantLapse | undefined>;

export interface ArchiveWorkerOptions {
  db: Kysely<Database>;
  sources: Sources;
  /** `DATA_DIR/archives`. */
  dir: string;
  lifetimeMs: number;
  /** Whether the job's grant still holds; checked before a job starts and before it is marked READY. */
  grantLapse: GrantCheck;
  /** What `archive.ready` tells the app about a finished archive (its download URL, …). */
  describe: (row: ArchiveRow) => object;
  onError: (error: unknown) => void;
  /** Told when this worker starts a job, and how the attempt ended (the metrics). */
  observe?: (event: JobEvent) => void;
  /**
   * How long a read waits, before each of its next tries, when a platform subgraph fails; then the
   * attempt fails (and after three attempts, the job, with the reason). @default [] (no retry)
   */
  subgraphRetryWaitsMs?: readonly number[] | undefined;
}

/** A job this worker started, and how its attempt ended: finished, failed for good, or handed back. */
export type JobEvent = 'started' | 'READY' | 'FAILED' | 'RELEASED';

/** Why a running job stopped before its end. */
class Stopped extends Error {
  constructor(readonly reason: 'shutdown' | 'lost') {
    super(reason);
  }
}

/** A job whose grant stopped holding: it ends FAILED for good, since no retry can make it hold again. */
class GrantLapsed extends Error {}

/** The final file of an archive; its temporary one while being written adds the worker's name. */
export function archivePath(dir: string, id: string): string {
  return path.join(dir, `${id}.zip`);
}

/**
 * Runs archive jobs in the background, one at a time per instance. It claims jobs from the
 * table under a lease (so any instance runs any job, and a crashed one's job is taken over),
 * streams the user's data from the sources into a ZIP, and marks it READY. Every progress write
 * is announced on `progress` (the archive's id) for live subscriptions on this instance.
 */
export class ArchiveWorker {
  /** Emits `progress` with an archive id whenever that archive's row changed here. */
  readonly events = new EventEmitter().setMaxListeners(0);
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #drainer = new SerialDrain(() => this.#drain(), (error) => this.options.onError(error));
  #closed = false;
  #timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: ArchiveWorkerOptions) {}

  async start(): Promise<void> {
    await fs.promises.mkdir(this.options.dir, { recursive: true });
    this.#timers.push(setInterval(() => this.wake(), POLL_MS).unref());
    this.#timers.push(setInterval(() => void this.sweep().catch(this.options.onError), SWEEP_MS).unref());
    void this.sweep().catch(this.options.onError);
    this.wake();
  }

  /** Looks for a job now (a request on this instance just queued one). */
  wake(): void {
    if (!this.#closed) this.#drainer.wake();
  }

  /** Marks archives past their lifetime EXPIRED and deletes their files. */
  async sweep(): Promise<void> {
    for (const id of await expireArchives(this.options.db)) {
      await fs.promises.rm(archivePath(this.options.dir, id), { force: true });
      this.events.emit('progress', id);
    }
  }

  /** Stops: a running job is handed back (PENDING) for the next instance or start. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    await this.#drainer.settled();
  }

  async #drain(): Promise<void> {
    while (!this.#closed) {
      const job = await claimJob(this.options.db, this.owner, LEASE_MS);
      if (!job) return;
      this.events.emit('progress', job.id);
      await this.#run(job);
      this.events.emit('progress', job.id);
    }
  }

  async #run(job: ArchiveRow): Promise<void> {
    const { db, dir } = this.options;
    const finalPath = archivePath(dir, job.id);
    // A crashed attempt may have left its temporary file: the lease makes this worker the only owner now.
    await removeTemporaries(dir, job.id);
    const writer = new ZipWriter(path.join(dir, `${job.id}.zip.${this.owner.replace(/[^A-Za-z0-9]/g, '_')}.part`), finalPath);
    const observe = this.options.observe ?? (() => {});
    observe('started');
    try {
      await this.#assertGrantHolds(job, 'started');
      const files = await this.#write(job, writer);
      const summary = await writer.finish();
      // Checked once the file is complete, so a grant that ended while the job ran never sees it READY.
      await this.#assertGrantHolds(job, 'finished');
      const completed = await completeJob(db, job, this.owner, { ...summary, lifetimeMs: this.options.lifetimeMs, files, describe: this.options.describe });
      if (!completed) await fs.promises.rm(finalPath, { force: true });
      observe(completed ? 'READY' : 'RELEASED');
    } catch (error) {
      await writer.abort();
      if (error instanceof Stopped) {
        if (error.reason === 'shutdown') await releaseJob(db, job.id, this.owner);
        observe('RELEASED');
        return;
      }
      if (error instanceof GrantLapsed) {
        // This worker holds the job, so a final file (this attempt's, or a crashed one's) is its to remove.
        await fs.promises.rm(finalPath, { force: true });
        await failJob(db, job.id, this.owner, error.message);
        observe('FAILED');
        return;
      }
      this.options.onError(error);
      const message = error instanceof Error ? error.message : String(error);
      const failed = job.attempts >= MAX_ATTEMPTS;
      if (failed) await failJob(db, job.id, this.owner, message);
      else await releaseJob(db, job.id, this.owner, message);
      observe(failed ? 'FAILED' : 'RELEASED');
    }
  }

  async #assertGrantHolds(job: ArchiveRow, stage: 'started' | 'finished'): Promise<void> {
    const lapse = await this.options.grantLapse(job);
    if (lapse) throw new GrantLapsed(`${lapse}: the grant no longer held when the archive was to be ${stage}.`);
  }

  async #write(job: ArchiveRow, writer: ZipWriter) {
    const { db } = this.options;
    const categories = job.categories.split(' ');
    const files = ARCHIVE_FILES.filter((file) => categories.includes(file.category));
    // Taken before any row is read: whatever changes from here on is in the log after it.
    const position = await this.options.sources.changes.headPosition();
    const grant = await db.selectFrom('grants').select('categories').where('id', '=', job.grantId).executeTakeFirst();
    const profile = categories.includes('profile');
    const progress: Record<string, number> = {};
    let written = Date.now();
    const report = async (force = false) => {
      if (this.#closed) throw new Stopped('shutdown');
      if (!force && Date.now() - written < PROGRESS_MS) return;
      written = Date.now();
      if (!(await renewLease(db, job.id, this.owner, LEASE_MS, { progress: JSON.stringify(progress) }))) throw new Stopped('lost');
      this.events.emit('progress', job.id);
    };
    // While a subgraph does not answer, the job keeps its lease and waits; a shutdown still stops it.
    const sources = patientSources(this.options.sources, this.options.subgraphRetryWaitsMs ?? [], () => report(true));
    const counts = await Promise.all(files.map((file) => file.count(sources, job.userId)));
    const total = counts.reduce((sum, n) => sum + n, profile ? 1 : 0);
    if (!(await renewLease(db, job.id, this.owner, LEASE_MS, { totalRecords: total, progress: '{}' }))) throw new Stopped('lost');

    const entries: ZipEntrySummary[] = [];
    if (profile) {
      const document = await profileDocument(sources, job.userId);
      if (document) entries.push(await writer.addBuffer(PROFILE_FILE, document));
      progress[PROFILE_FILE] = document ? 1 : 0;
    }
    for (const file of files) {
      progress[file.name] = 0;
      entries.push(
        await writer.addLines(file.name, async (write) => {
          for await (const lines of file.records(sources, job.userId)) {
            await write(lines);
            progress[file.name]! += lines.length;
            await report();
          }
        }),
      );
    }
    await report(true);
    await writer.addBuffer(MANIFEST_FILE, manifest(job, grant?.categories ?? job.categories, position, entries, Date.now()));
    return progress;
  }
}

async function removeTemporaries(dir: string, id: string): Promise<void> {
  for (const name of await fs.promises.readdir(dir)) {
    if (name.startsWith(`${id}.zip.`) && name.endsWith('.part')) await fs.promises.rm(path.join(dir, name), { force: true });
  }
}
