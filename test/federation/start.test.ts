import net from 'node:net';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { SubgraphProcess } from '../helpers/subgraph-process.js';

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function readyz(gw: TestGateway): Promise<{ status: number; body: any }> {
  const response = await fetch(`${gw.gateway.url}/readyz`);
  return { status: response.status, body: await response.json() };
}

describe('a gateway starting with SUBGRAPHS', () => {
  let posts: SubgraphProcess | undefined;
  afterEach(async () => {
    await posts?.stop();
    posts = undefined;
  });

  it('does not start when a subgraph lacks its category contract, naming the subgraph and what it lacks', async () => {
    posts = await SubgraphProcess.start('posts', { demo: false });
    const started = startTestGateway('sqlite', { SUBGRAPHS: `messages=${posts.url}` });
    await expect(started).rejects.toThrow(/the messages subgraph at http:\/\/127\.0\.0\.1:\d+\/graphql does not carry the messages contract: .*`User\.conversations` is missing/);
  });

  it('stays unready, naming a subgraph that does not answer, until it does', async () => {
    const port = await freePort();
    const gw = await startTestGateway('sqlite', { SUBGRAPHS: `posts=http://127.0.0.1:${port}/graphql`, SUBGRAPH_TIMEOUT_MS: '1000' });
    try {
      const waiting = await readyz(gw);
      expect(waiting.status).toBe(503);
      expect(waiting.body.reason).toMatch(new RegExp(`the posts subgraph at http://127\\.0\\.0\\.1:${port}/graphql does not answer`));
      // Meanwhile the embedded categories are served, and the posts fields say why they are null.
      const token = await gw.token('alice', 'portability.all.single');
      const { body } = await gw.graphql('{ viewer { profile { username } posts(first: 1) { edges { cursor } } } }', { token });
      expect(body.data.viewer).toEqual({ profile: { username: 'alice' }, posts: null });
      expect(body.errors![0]!.extensions!.code).toBe('SUBGRAPH_UNAVAILABLE');

      posts = await SubgraphProcess.start('posts', { demo: false, env: { PORT: String(port) } });
      const deadline = Date.now() + 20_000;
      while ((await readyz(gw)).status !== 200) {
        if (Date.now() > deadline) throw new Error(`still unready: ${JSON.stringify((await readyz(gw)).body)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await gw.close();
    }
  });
});
