import { dialects } from '../helpers/stores.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { archiveFiles, archiveWhen, jsonLines, requestArchive } from '../helpers/archives.js';
import { SubgraphProcess } from '../helpers/subgraph-process.js';

let posts: SubgraphProcess;
let messages: SubgraphProcess;

beforeAll(async () => {
  [posts, messages] = await Promise.all([SubgraphProcess.start('posts'), SubgraphProcess.start('messages')]);
});
afterAll(async () => {
  await Promise.all([posts?.stop(), messages?.stop()]);
});

describe.each(dialects())('archives of categories on their subgraphs, on %s', (dialect) => {
  let federated: TestGateway;
  let embedded: TestGateway;
  beforeAll(async () => {
    [federated, embedded] = await Promise.all([
      startTestGateway(dialect, { SUBGRAPHS: `posts=${posts.url},messages=${messages.url}`, SUBGRAPH_TIMEOUT_MS: '400' }),
      startTestGateway(dialect),
    ]);
  });
  afterAll(async () => {
    await Promise.all([federated?.close(), embedded?.close()]);
  });
  afterEach(async () => {
    await Promise.all([posts.setFaults({}), messages.setFaults({})]);
  });

  it('hold the same records as an archive of the embedded store, read a page of up to 1000 at a time', async () => {
    await messages.resetCounters();
    const [fromSubgraphs, fromStore] = await Promise.all([archiveFiles(federated, ['POSTS', 'MESSAGES']), archiveFiles(embedded, ['POSTS', 'MESSAGES'])]);
    for (const name of ['posts.jsonl', 'conversations.jsonl', 'messages.jsonl']) {
      expect(jsonLines(fromSubgraphs.get(name))).toEqual(jsonLines(fromStore.get(name)));
      expect(jsonLines(fromSubgraphs.get(name)).length).toBeGreaterThan(0);
    }
    const manifest = (entries: Map<string, Buffer>) => JSON.parse(entries.get('manifest.json')!.toString()).files;
    expect(manifest(fromSubgraphs)).toEqual(manifest(fromStore));
    // Every request for messages asks for pages of the contract's largest size.
    const { bodies } = await messages.counters();
    for (const body of bodies as { variables?: Record<string, unknown> }[]) {
      for (const [name, value] of Object.entries(body.variables ?? {})) if (/_(first|last)$/.test(name)) expect(value).toBe(1000);
    }
  });

  it('waits out a subgraph failing for a while, and finishes READY', async () => {
    await posts.setFaults({ answer: 'http-500', times: 3 });
    const entries = await archiveFiles(federated, ['POSTS']);
    expect(jsonLines(entries.get('posts.jsonl')).length).toBeGreaterThan(200);
  });

  it('ends FAILED with the reason when the subgraph keeps failing, never READY with part of the data', async () => {
    await posts.setFaults({ answer: 'http-500' });
    const token = await federated.token('bob', 'portability.all.single');
    const { archive } = await requestArchive(federated, token, ['POSTS']);
    const failed = await archiveWhen(federated, token, archive.id, ['READY', 'FAILED'], 60_000);
    expect(failed).toMatchObject({ status: 'FAILED', downloadUrl: null });
    const row = await federated.store.db.selectFrom('archives').select(['error', 'attempts']).where('id', '=', Buffer.from(archive.id, 'base64url').toString().split(':')[1]!).executeTakeFirstOrThrow();
    expect(row).toEqual({ attempts: 3, error: expect.stringMatching(/posts service is unavailable/) });
  });
});
