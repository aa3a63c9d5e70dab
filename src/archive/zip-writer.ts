import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
import { once } from 'node:events';
import { ZipFile } from 'yazl';

/** What one file of the ZIP holds: its name, how many records, its size and sha256 (uncompressed). */
export interface ZipEntrySummary {
  name: string;
  records: number;
  bytes: number;
  sha256: string;
}

/**
 * A ZIP written file by file to a temporary path with yazl, and renamed to its final path only
 * once complete, so a half-written archive never looks finished. Each file is streamed in with
 * backpressure and hashed on the way, as is the whole archive: memory stays bounded whatever the
 * size.
 */
export class ZipWriter {
  readonly #zip = new ZipFile();
  readonly #hash = createHash('sha256');
  #size = 0;
  readonly #written: Promise<unknown>;
  readonly #mtime = new Date();

  constructor(
    private readonly tempPath: string,
    private readonly finalPath: string,
  ) {
    const out = fs.createWriteStream(tempPath);
    const tap = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.#hash.update(chunk);
        this.#size += chunk.length;
        done(null, chunk);
      },
    });
    this.#zip.outputStream.pipe(tap).pipe(out);
    const failed = new Promise((_resolve, reject) => {
      this.#zip.on('error', reject);
      tap.on('error', reject);
      out.on('error', reject);
    });
    this.#written = Promise.race([once(out, 'close'), failed]);
    // Until someone awaits it, a failure must not surface as an unhandled rejection.
    this.#written.catch(() => {});
  }

  /**
   * Adds a file whose content `produce` writes, one record a line; resolves with its summary
   * once the last line has been handed to the ZIP.
   */
  async addLines(name: string, produce: (write: (lines: readonly string[]) => Promise<void>) => Promise<void>): Promise<ZipEntrySummary> {
    const input = new PassThrough({ highWaterMark: 64 * 1024 });
    this.#zip.addReadStream(input, name, { mtime: this.#mtime });
    const hash = createHash('sha256');
    let bytes = 0;
    let records = 0;
    await produce(async (lines) => {
      if (lines.length === 0) return;
      const chunk = Buffer.from(lines.join('\n') + '\n');
      hash.update(chunk);
      bytes += chunk.length;
      records += lines.length;
      if (!input.write(chunk)) await Promise.race([once(input, 'drain'), this.#written]);
    });
    input.end();
    return { name, records, bytes, sha256: hash.digest('hex') };
  }

  /** Adds a small file held in memory (the manifest, the profile). */
  addBuffer(name: string, content: Buffer): ZipEntrySummary {
    this.#zip.addBuffer(content, name, { mtime: this.#mtime });
    return { name, records: 1, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
  }

  /** Ends the ZIP, waits until it is on disk, and moves it to its final path. */
  async finish(): Promise<{ sizeBytes: number; sha256: string }> {
    this.#zip.end();
    await this.#written;
    await fs.promises.rename(this.tempPath, this.finalPath);
    return { sizeBytes: this.#size, sha256: this.#hash.digest('hex') };
  }

  /** Gives up: stops writing and removes the temporary file. */
  async abort(): Promise<void> {
    this.#zip.outputStream.unpipe();
    (this.#zip.outputStream as unknown as PassThrough).destroy?.();
    await fs.promises.rm(this.tempPath, { force: true });
  }
}
