import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ZipWriter } from '../../src/archive/zip-writer.js';
import { sha256, unzip } from '../helpers/archives.js';

describe('ZipWriter', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-writer-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes streamed and whole files, in order, with the sizes and checksums it reports', async () => {
    const writer = new ZipWriter(path.join(dir, 'a.zip.part'), path.join(dir, 'a.zip'));
    // More chunks than the writer lets run ahead, so its backpressure is exercised.
    const pages = Array.from({ length: 20 }, (_, page) => Array.from({ length: 500 }, (_, n) => JSON.stringify({ page, n, text: 'é'.repeat(n % 7) })));
    const lines = await writer.addLines('lines.jsonl', async (write) => {
      for (const page of pages) await write(page);
      await write([]);
    });
    const whole = await writer.addBuffer('whole.json', Buffer.from('{"a":1}\n'));
    expect(fs.existsSync(path.join(dir, 'a.zip'))).toBe(false);
    const archive = await writer.finish();

    const zip = fs.readFileSync(path.join(dir, 'a.zip'));
    expect(archive).toEqual({ sizeBytes: zip.length, sha256: sha256(zip) });
    expect(fs.readdirSync(dir)).toEqual(['a.zip']);
    const files = await unzip(zip);
    const expected = Buffer.from(pages.flat().join('\n') + '\n');
    expect(files.get('lines.jsonl')!.equals(expected)).toBe(true);
    expect(lines).toEqual({ name: 'lines.jsonl', records: 10_000, bytes: expected.length, sha256: sha256(expected) });
    expect(whole).toEqual({ name: 'whole.json', records: 1, bytes: 8, sha256: sha256(Buffer.from('{"a":1}\n')) });
  });

  it('rejects, and leaves no final file, when the ZIP cannot be written', async () => {
    const writer = new ZipWriter(path.join(dir, 'missing', 'b.zip.part'), path.join(dir, 'b.zip'));
    const failed = (async () => {
      await writer.addLines('lines.jsonl', async (write) => {
        for (let page = 0; page < 50; page++) await write(Array.from({ length: 1000 }, (_, n) => `{"n":${n}}`));
      });
      await writer.finish();
    })();
    await expect(failed).rejects.toThrow(/writing the archive failed: ENOENT/);
    await writer.abort();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('abort stops the writing and removes the temporary file', async () => {
    const writer = new ZipWriter(path.join(dir, 'c.zip.part'), path.join(dir, 'c.zip'));
    await writer.addLines('lines.jsonl', (write) => write(['{"n":1}']));
    await writer.abort();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
