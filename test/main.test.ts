import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './helpers/cli.js';
import { freePort, GatewayProcess } from './helpers/gateway-process.js';
import { Subscriber } from './helpers/subscriber.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** The gateway's entry point, run from the TypeScript sources (`npm start` runs it compiled: test/build.test.ts). */
class MainProcess extends GatewayProcess {
  constructor(env: Record<string, string>) {
    super(['--import', 'tsx', 'src/main.ts'], { cwd: repoRoot, env });
  }
}

describe('the gateway process', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-main-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops at start-up with status 1 and a message naming a misconfigured variable', async () => {
    const main = new MainProcess({ DATA_DIR: dataDir, PORT: 'not-a-port' });
    expect(await main.exited).toBe(1);
    const fatal = main.lines.find((line) => line.level === 60);
    expect(fatal?.msg).toContain('PORT');
  }, 60_000);

  it('on SIGTERM finishes the request in flight, closes streams for reconnection, and exits 0', async () => {
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const env = { DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: url, NODE_ENV: 'production', DEMO_DATA: 'true', LOG_LEVEL: 'info' };
    // The CLI seeds the demo data into the empty store and grants alice a token for this gateway.
    const issued = await cli(dataDir, ['token', '--user', 'alice', '--scope', 'portability.all.ongoing'], env);
    expect(issued.code).toBe(0);
    const token = issued.stdout.trim().split('\n').at(-1)!;

    const main = new MainProcess(env);
    await main.logged('Gateway ready');

    // A WebSocket subscription, and an SSE one.
    const subscriber = new Subscriber(url, `Bearer ${token}`, 'subscription { changes { cursor } }');
    const sse = await fetch(`${url}/graphql/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription { changes { cursor } }' }),
    });
    expect(sse.status).toBe(200);
    const events = sse.body!.getReader();
    await events.read(); // The stream's opening comment: it is live.
    // The WebSocket subscription is open once the gateway counts it.
    while (!/gateway_subscriptions_active\{transport="ws"\} 1\n/.test(await (await fetch(`${url}/metrics`)).text())) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // A request in flight: its headers and half its body are sent before SIGTERM, the rest after.
    const body = JSON.stringify({ query: '{ __typename }' });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      request.on('error', reject);
      request.flushHeaders();
      request.write(body.slice(0, 10));
      main.logged('shutting down').then(() => request.end(body.slice(10)), reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // Let the headers reach the gateway.

    main.child.kill('SIGTERM');
    await main.logged('shutting down');

    // No new connections are accepted.
    await expect(
      new Promise((resolve, reject) => net.connect(port, '127.0.0.1').once('connect', resolve).once('error', reject)),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // The request in flight completes.
    expect(await response).toEqual({ status: 200, text: expect.stringContaining('"__typename":"Query"') });
    // The WebSocket closes with 1012: reconnect and resume.
    await subscriber.until(() => subscriber.closed !== undefined);
    expect(subscriber.closed?.code).toBe(1012);
    // The SSE stream is cut, not ended: graphql-sse clients retry a cut stream.
    await expect((async () => {
      for (;;) if ((await events.read()).done) return 'ended';
    })()).rejects.toThrow();

    expect(await main.exited).toBe(0);
    await main.logged('gateway stopped', 0);
    await subscriber.close();
  }, 120_000);
});
