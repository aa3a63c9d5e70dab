import fs from 'node:fs';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { LineChunks } from './line-chunks.js';

/** What one file of the ZIP holds: its name, how many records, its size and sha256 (uncompressed). */
export interface ZipEntrySummary {
  name: string;
  records: number;
  bytes: number;
  sha256: string;
}

/** A request to the ZIP's thread (`zip-thread.js`), answered by a `ZipReply` with the same `seq`. */
export type ZipRequest = { seq: number } & (
  | { type: 'open'; name: string }
  | { type: 'lines'; content: Uint8Array; records: number }
  | { type: 'close' }
  | { type: 'buffer'; name: string; content: Uint8Array }
  | { type: 'finish' }
);
type ZipRequestBody = ZipRequest extends infer R ? (R extends unknown ? Omit<R, 'seq'> : never) : never;
export type ZipReply = { seq: number; result?: unknown; error?: string };

/** Chunks (`line-chunks.ts`) handed to the ZIP's thread and not yet taken by the ZIP: how far the producer may run ahead. */
const WINDOW = 4;

/**
 * A ZIP written file by file to a temporary path with yazl, and renamed to its final path only
 * once complete, so a half-written archive never looks finished. The ZIP is built on a thread of
 * its own (`zip-thread.js`); each file is streamed to it in chunks of UTF-8, whose memory moves to
 * that thread rather than being copied, with backpressure, and hashed there, as is the whole
 * archive: memory stays bounded whatever the size.
 */
export class ZipWriter {
  readonly #thread: Worker;
  readonly #pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  #seq = 0;
  #failure: Error | undefined;

  constructor(
    private readonly tempPath: string,
    private readonly finalPath: string,
  ) {
    this.#thread = startThread({ path: tempPath });
    this.#thread.on('message', ({ seq, result, error }: ZipReply) => {
      const pending = this.#pending.get(seq);
      this.#pending.delete(seq);
      if (error === undefined) pending?.resolve(result);
      else pending?.reject(new Error(`writing the archive failed: ${error}`));
    });
    const fail = (error: Error) => {
      this.#failure ??= error;
      for (const pending of this.#pending.values()) pending.reject(this.#failure);
      this.#pending.clear();
    };
    this.#thread.on('error', fail);
    this.#thread.on('exit', () => fail(new Error('the archive thread stopped')));
  }

  #call<T>(request: ZipRequestBody, transfer: readonly TransferListItem[] = []): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(seq, { resolve: resolve as (result: unknown) => void, reject });
      this.#thread.postMessage({ ...request, seq }, transfer);
    });
  }

  /**
   * Adds a file whose content `produce` writes, one record a line; resolves with its summary
   * once the last line has been handed to the ZIP.
   */
  async addLines(name: string, produce: (write: (lines: readonly string[]) => Promise<void>) => Promise<void>): Promise<ZipEntrySummary> {
    const window: Promise<unknown>[] = [];
    const send = (request: ZipRequestBody, transfer?: readonly TransferListItem[]) => {
      const reply = this.#call(request, transfer);
      // Awaited in turn below; until then a failure must not surface as an unhandled rejection.
      reply.catch(() => {});
      window.push(reply);
    };
    // Each chunk is a buffer of its own (never a slice of a shared pool), so its memory can move.
    const chunks = new LineChunks((content, records) => send({ type: 'lines', content, records }, [content.buffer]));
    send({ type: 'open', name });
    await produce(async (lines) => {
      for (const line of lines) chunks.add(line);
      while (window.length > WINDOW) await window.shift();
    });
    chunks.flush();
    for (const reply of window) await reply;
    return this.#call<ZipEntrySummary>({ type: 'close' });
  }

  /** Adds a small file held in memory (the manifest, the profile). */
  addBuffer(name: string, content: Buffer): Promise<ZipEntrySummary> {
    return this.#call({ type: 'buffer', name, content });
  }

  /** Ends the ZIP, waits until it is on disk, and moves it to its final path. */
  async finish(): Promise<{ sizeBytes: number; sha256: string }> {
    const summary = await this.#call<{ sizeBytes: number; sha256: string }>({ type: 'finish' });
    await this.#thread.terminate();
    await fs.promises.rename(this.tempPath, this.finalPath);
    return summary;
  }

  /** Gives up: stops writing and removes the temporary file. */
  async abort(): Promise<void> {
    await this.#thread.terminate();
    await fs.promises.rm(this.tempPath, { force: true });
  }
}

/**
 * The ZIP's thread (`zip-thread.js`, JavaScript in the sources and the build alike), started
 * without the process's Node options: it needs no preload (`--import tsx` under `npm start` would
 * load tsx in it for nothing), and V8's flags are the whole process's anyway.
 */
function startThread(workerData: unknown): Worker {
  return new Worker(new URL('./zip-thread.js', import.meta.url), { workerData, execArgv: [] });
}
