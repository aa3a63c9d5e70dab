/**
 * The thread a `ZipWriter` builds its ZIP on, so the job's thread only reads and serializes.
 * yazl's CRC-32 (JavaScript), the deflate stream's bookkeeping and the sha256 of every file cost
 * the job's thread more than a second per million records.
 *
 * Requests arrive in order and each is answered with its `seq`: `open` starts a streamed file,
 * `lines` appends a chunk of it (answered once the ZIP has taken it, which is the writer's backpressure),
 * `close` ends it, `buffer` adds a small file whole, `finish` ends the ZIP on disk.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { ZipFile } from 'yazl';
import type { ZipEntrySummary, ZipReply, ZipRequest } from './zip-writer.js';

const port = parentPort!;
const zip = new ZipFile();
const mtime = new Date();
const archiveHash = createHash('sha256');
let archiveSize = 0;

const out = fs.createWriteStream((workerData as { path: string }).path);
const tap = new Transform({
  transform(chunk: Buffer, _encoding, done) {
    archiveHash.update(chunk);
    archiveSize += chunk.length;
    done(null, chunk);
  },
});
zip.outputStream.pipe(tap).pipe(out);
const failed = new Promise<never>((_resolve, reject) => {
  zip.on('error', reject);
  tap.on('error', reject);
  out.on('error', reject);
});
const written = Promise.race([once(out, 'close'), failed]);
// A write error is answered to the request that meets it; unawaited, it must not end the thread.
written.catch(() => {});

let file: { name: string; input: PassThrough; hash: Hash; bytes: number; records: number } | undefined;

async function handle(request: ZipRequest): Promise<ZipEntrySummary | { sizeBytes: number; sha256: string } | undefined> {
  switch (request.type) {
    case 'open': {
      const input = new PassThrough({ highWaterMark: 64 * 1024 });
      zip.addReadStream(input, request.name, { mtime });
      file = { name: request.name, input, hash: createHash('sha256'), bytes: 0, records: 0 };
      return undefined;
    }
    case 'lines': {
      const { content } = request;
      const chunk = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
      file!.hash.update(chunk);
      file!.bytes += chunk.length;
      file!.records += request.records;
      if (!file!.input.write(chunk)) await Promise.race([once(file!.input, 'drain'), written]);
      return undefined;
    }
    case 'close': {
      const { name, input, hash, bytes, records } = file!;
      input.end();
      file = undefined;
      return { name, records, bytes, sha256: hash.digest('hex') };
    }
    case 'buffer': {
      const content = Buffer.from(request.content);
      zip.addBuffer(content, request.name, { mtime });
      return { name: request.name, records: 1, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
    }
    case 'finish':
      zip.end();
      await written;
      return { sizeBytes: archiveSize, sha256: archiveHash.digest('hex') };
  }
}

// One request at a time, in the order sent: a file's chunks must reach the ZIP in order.
let queue = Promise.resolve();
port.on('message', (request: ZipRequest) => {
  queue = queue.then(async () => {
    let reply: ZipReply;
    try {
      reply = { seq: request.seq, result: await handle(request) };
    } catch (error) {
      reply = { seq: request.seq, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
});
