import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEMO_APP, seedDemoAccess } from '../../src/auth/index.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { startGateway, type Gateway } from '../../src/server/index.js';
import type { Store } from '../../src/store/index.js';
import { openTestStore, dialects, type TestStore } from '../helpers/stores.js';
import { heldStore, sha256, unzip } from '../helpers/archives.js';

describe.each(dialects())('archive jobs across restarts on %s', (dialect) => {
  let testStore: TestStore;
  let config: Config;
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    testStore = await openTestStore(dialect);
    await seedDemoAccess(testStore.store.db);
    // One issuer for both gateways, so a token of the first is good on the second.
    config = loadConfig({ NODE_ENV: 'test', PORT: '0', DEMO_DATA: 'false', PUBLIC_URL: 'http://gateway.test', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-restart-')) });
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close().catch(() => {});
    await testStore?.close();
  });

  async function start(store: Store): Promise<Gateway> {
    const gateway = await startGateway(config, { store });
    gateways.push(gateway);
    return gateway;
  }

  const address = (gateway: Gateway) => `http://127.0.0.1:${(gateway.httpServer.address() as AddressInfo).port}`;
  const download = async (gateway: Gateway, url: string) => Buffer.from(await (await fetch(url.replace(config.publicUrl!, address(gateway)))).arrayBuffer());

  async function graphql(gateway: Gateway, token: string, query: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(`${address(gateway)}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as any;
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  async function readyOn(gateway: Gateway, token: string, id: string) {
    for (;;) {
      const { archive } = await graphql(gateway, token, 'query($id: ID!) { archive(id: $id) { status sha256 downloadUrl } }', { id });
      if (archive.status === 'READY') return archive;
      expect(['PENDING', 'RUNNING']).toContain(archive.status);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const rowOf = (globalId: string) =>
    testStore.store.db.selectFrom('archives').selectAll().where('id', '=', Buffer.from(globalId, 'base64url').toString().split(':')[1]!).executeTakeFirstOrThrow();

  /** Starts an archive on a gateway whose job is held mid-run, and stops that gateway there. */
  async function interruptedArchive() {
    const held = heldStore(testStore.store);
    const hold = held.hold();
    const first = await start(held.store);
    const token = await first.authority.issueToken('alice', DEMO_APP.clientId, 'portability.profile.single portability.posts.single');
    const { requestArchive } = await graphql(first, token, 'mutation { requestArchive(categories: [PROFILE, POSTS]) { id } }');
    await hold.entered;
    expect((await rowOf(requestArchive.id)).status).toBe('RUNNING');
    // Opened from a shutdown step, after the archive jobs' own: the job cannot finish before shutdown stops it.
    first.onShutdown(async () => hold.open());
    await first.close();
    return { token, id: requestArchive.id as string };
  }

  it('hands a RUNNING job back when its gateway shuts down, and the next gateway finishes it READY', async () => {
    const { token, id } = await interruptedArchive();
    expect(await rowOf(id)).toMatchObject({ status: 'PENDING', leaseOwner: null });
    const second = await start(testStore.store);
    const archive = await readyOn(second, token, id);
    const zip = await download(second, archive.downloadUrl);
    expect(sha256(zip)).toBe(archive.sha256);
    const files = await unzip(zip);
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    for (const file of manifest.files) expect(sha256(files.get(file.name)!)).toBe(file.sha256);
    await second.close();
  }, 120_000);

  it('takes over a RUNNING job whose gateway crashed once its lease lapses, replacing the half-written file', async () => {
    const { token, id } = await interruptedArchive();
    const row = await rowOf(id);
    // What a crash leaves: the job RUNNING under a lease nobody renews, and a partial file.
    await testStore.store.db.updateTable('archives').set({ status: 'RUNNING', leaseOwner: 'crashed-instance', leaseUntil: Date.now() - 1 }).where('id', '=', row.id).execute();
    const partial = path.join(config.dataDir, 'archives', `${row.id}.zip.crashed-instance.part`);
    fs.writeFileSync(partial, 'PK half an archive');
    const second = await start(testStore.store);
    const archive = await readyOn(second, token, id);
    expect(fs.existsSync(partial)).toBe(false);
    expect(sha256(await download(second, archive.downloadUrl))).toBe(archive.sha256);
    expect((await rowOf(id)).attempts).toBe(2);
  }, 120_000);
});
