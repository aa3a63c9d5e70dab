import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import type { Store } from '../../src/store/index.js';
import type { TestGateway } from './gateway.js';

export const ARCHIVE_FIELDS = `id status createdAt readyAt expiresAt sizeBytes sha256 downloadUrl categories
  progress { fraction records totalRecords categories { category records } }`;

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Requests an archive through the API; returns the response's errors or the archive. */
export async function requestArchive(gw: TestGateway, token: string, categories: string[]) {
  const response = await gw.graphql(`mutation($c: [Category!]!) { requestArchive(categories: $c) { ${ARCHIVE_FIELDS} } }`, { token, variables: { c: categories } });
  return { response, archive: response.body.data?.requestArchive, errors: response.body.errors };
}

/** Polls `archive(id)` until its status is one of `statuses`. */
export async function archiveWhen(gw: TestGateway, token: string, id: string, statuses: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await gw.graphql(`query($id: ID!) { archive(id: $id) { ${ARCHIVE_FIELDS} } }`, { token, variables: { id } });
    const archive = body.data?.archive;
    if (archive && statuses.includes(archive.status)) return archive;
    if (Date.now() > deadline) throw new Error(`archive ${id} is ${JSON.stringify(archive ?? body.errors)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every entry of a ZIP, by name. */
export function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error) return reject(error);
      const entries = new Map<string, Buffer>();
      file.on('error', reject);
      file.on('end', () => resolve(entries));
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}

/** The files of a READY archive of `categories` for `username`, downloaded and unzipped. */
export async function archiveFiles(gw: TestGateway, categories: string[], username = 'alice'): Promise<Map<string, Buffer>> {
  const token = await gw.token(username, 'portability.all.single');
  const { archive, errors } = await requestArchive(gw, token, categories);
  expect(errors).toBeUndefined();
  const ready = await archiveWhen(gw, token, archive.id, ['READY', 'FAILED'], 60_000);
  expect(ready.status).toBe('READY');
  return unzip(Buffer.from(await (await fetch(ready.downloadUrl)).arrayBuffer()));
}

export const jsonLines = (content: Buffer | undefined) =>
  (content ?? Buffer.alloc(0))
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

/** One hold on a {@link heldStore}: `entered` once a posts read waits at it, `open` lets it (and later ones) through. */
export interface Hold {
  entered: Promise<void>;
  open(): void;
}

/**
 * The same store, except that while a hold is on, reading posts waits until it is opened: an
 * archive job held RUNNING mid-run, and any job queued behind it held PENDING.
 */
export function heldStore(store: Store): { store: Store; hold(): Hold } {
  let current: { gate: Promise<void>; enter: () => void } | undefined;
  const postPages = async (...args: Parameters<Store['sources']['posts']['postPages']>) => {
    if (current) {
      current.enter();
      await current.gate;
    }
    return store.sources.posts.postPages(...args);
  };
  return {
    store: { ...store, sources: { ...store.sources, posts: { ...store.sources.posts, postPages } } },
    hold() {
      let open!: () => void;
      let enter!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const entered = new Promise<void>((resolve) => (enter = resolve));
      const hold = { gate, enter };
      current = hold;
      return {
        entered,
        open() {
          if (current === hold) current = undefined;
          open();
        },
      };
    },
  };
}
