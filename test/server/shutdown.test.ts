import { sql } from 'kysely';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Subscriber } from '../helpers/subscriber.js';

describe('Gateway.close', () => {
  let gw: TestGateway;
  beforeEach(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterEach(async () => {
    await gw?.close();
  });

  it('runs the onShutdown steps after the streams have closed, while the store is still open', async () => {
    const subscriber = new Subscriber(gw.gateway.url, `Bearer ${await gw.token('alice')}`, 'subscription { changes { cursor } }');
    while (gw.gateway.metrics.probes.subscriptions!().ws === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    let seen: { openStreams: number; storeAnswers: unknown } | undefined;
    gw.gateway.onShutdown(async () => {
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(gw.store.db);
      seen = { openStreams: gw.gateway.metrics.probes.subscriptions!().ws, storeAnswers: rows[0]?.one };
    });
    await gw.gateway.close();
    expect(seen).toEqual({ openStreams: 0, storeAnswers: 1 });
    await subscriber.until(() => subscriber.closed !== undefined);
    expect(subscriber.closed?.code).toBe(1012);
  });

  it('does not wait for a step that never finishes', async () => {
    gw.gateway.onShutdown(() => new Promise<void>(() => {}));
    await gw.gateway.close();
    expect(gw.gateway.httpServer.listening).toBe(false);
  });

  it('returns the same promise when called again', () => {
    expect(gw.gateway.close()).toBe(gw.gateway.close());
  });
});
