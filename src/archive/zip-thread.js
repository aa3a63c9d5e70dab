// @ts-check
/**
 * The thread a `ZipWriter` builds its ZIP on, so the job's thread only reads and serializes.
 * yazl's CRC-32 (JavaScript), the deflate stream's bookkeeping and the sha256 of every file cost
 * the job's thread more than a second per million records.
 *
 * Plain JavaScript (type-checked through its JSDoc), so Node runs it as it is from the sources
 * and from the build alike: under tsx, a thread that had to load TypeScript would start tsx's
 * loader of its own, which costs the process about 30 MB.
 *
 * Requests arrive in order and each is answered with its `seq`: `open` starts a streamed file,
 * `lines` appends a chunk of it (answered once the ZIP has taken it, which is the writer's
 * backpressure), `close` ends it, `buffer` adds a small file whole, `finish` ends the ZIP on disk.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import yazl from 'yazl';

/** @typedef {import('./zip-writer.js').ZipRequest} ZipRequest */
/** @typedef {import('./zip-writer.js').ZipReply} ZipReply */
/** @typedef {import('./zip-writer.js').ZipEntrySummary} ZipEntrySummary */

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const zip = new yazl.ZipFile();
const mtime = new Date();
const archiveHash = createHash('sha256');
let archiveSize = 0;

const out = fs.createWriteStream(/** @type {{ path: string }} */ (workerData).path);
const tap = new Transform({
  transform(/** @type {Buffer} */ chunk, _encoding, done) {
    archiveHash.update(chunk);
    archiveSize += chunk.length;
    done(null, chunk);
  },
});
zip.outputStream.pipe(tap).pipe(out);
/** @type {Promise<never>} */
const failed = new Promise((_resolve, reject) => {
  zip.on('error', reject);
  tap.on('error', reject);
  out.on('error', reject);
});
const written = Promise.race([once(out, 'close'), failed]);
// A write error is answered to the request that meets it; unawaited, it must not end the thread.
written.catch(() => {});

/** @type {{ name: string; input: PassThrough; hash: import('node:crypto').Hash; bytes: number; records: number } | undefined} */
let file;

/** The file being streamed; a request for it without an `open` before is the writer's bug. */
function current() {
  if (!file) throw new Error('no file is open');
  return file;
}

/**
 * @param {ZipRequest} request
 * @returns {Promise<ZipEntrySummary | { sizeBytes: number; sha256: string } | undefined>}
 */
async function handle(request) {
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
      const streamed = current();
      streamed.hash.update(chunk);
      streamed.bytes += chunk.length;
      streamed.records += request.records;
      if (!streamed.input.write(chunk)) await Promise.race([once(streamed.input, 'drain'), written]);
      return undefined;
    }
    case 'close': {
      const { name, input, hash, bytes, records } = current();
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
port.on('message', (/** @type {ZipRequest} */ request) => {
  queue = queue.then(async () => {
    /** @type {ZipReply} */
    let reply;
    try {
      reply = { seq: request.seq, result: await handle(request) };
    } catch (error) {
      reply = { seq: request.seq, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
});
