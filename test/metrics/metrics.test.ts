import { Gauge } from 'prom-client';
import { createClient as createSseClient } from 'graphql-sse';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';
import { Subscriber } from '../helpers/subscriber.js';

/** The value of one sample in a Prometheus text exposition, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe.each(dialects())('/metrics on %s', (dialect) => {
  let gw: TestGateway;
  let token: string;
  const scrape = async () => {
    const response = await fetch(`${gw.gateway.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  /** Scrapes until `done` holds for a scrape, or fails after a few seconds. */
  const scrapeUntil = async (done: (text: string) => boolean) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const text = await scrape();
      if (done(text)) return text;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the metrics never got there');
  };

  beforeAll(async () => {
    gw = await startTestGateway(dialect);
    token = await gw.token('alice');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('times GraphQL requests by operation type and name', async () => {
    await gw.graphql('query Mine { viewer { profile { username } } }', { token });
    await gw.graphql('query Mine { viewer { profile { username } } }', { token });
    const text = await scrape();
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count', { operation_type: 'query', operation_name: 'Mine' })).toBe(2);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_sum', { operation_type: 'query', operation_name: 'Mine' })).toBeGreaterThan(0);
  });

  it('counts errors by code, including a refused token', async () => {
    const before = await scrape();
    await gw.graphql('{ viewer { profile { username } } }', { token: 'not-a-token' });
    await gw.graphql('{ viewer { posts(first: 0) { edges { cursor } } } }', { token });
    const after = await scrape();
    for (const code of ['UNAUTHENTICATED', 'BAD_USER_INPUT']) {
      expect(sample(after, 'gateway_graphql_errors_total', { code })).toBe((sample(before, 'gateway_graphql_errors_total', { code }) ?? 0) + 1);
    }
  });

  it('counts the errors a subscription sends', async () => {
    const code = 'RECURRING_GRANT_REQUIRED';
    const before = sample(await scrape(), 'gateway_graphql_errors_total', { code }) ?? 0;
    const oneTime = await gw.token('alice', 'portability.all.single');
    const subscriber = new Subscriber(gw.gateway.url, `Bearer ${oneTime}`, 'subscription { changes { cursor } }');
    await subscriber.until(() => subscriber.errors.length > 0 || subscriber.completed);
    await subscriber.close();
    expect(sample(await scrape(), 'gateway_graphql_errors_total', { code })).toBe(before + 1);
  });

  it('records how many keys each DataLoader batch held', async () => {
    await gw.graphql('{ viewer { conversations(first: 3) { edges { node { participants { username } } } } } }', { token });
    const text = await scrape();
    expect(sample(text, 'gateway_dataloader_batch_size_count', { loader: 'participants' })).toBeGreaterThanOrEqual(1);
    // Three conversations' participants went out as one batch.
    expect(sample(text, 'gateway_dataloader_batch_size_bucket', { loader: 'participants', le: '2' })).toBe(0);
  });

  it('counts open subscriptions by transport', async () => {
    const query = 'subscription { changes { cursor } }';
    const subscriber = new Subscriber(gw.gateway.url, `Bearer ${token}`, query);
    const sse = createSseClient({ url: `${gw.gateway.url}/graphql/stream`, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const stop = sse.subscribe({ query }, { next: () => {}, error: () => {}, complete: () => {} });
    await scrapeUntil((text) => sample(text, 'gateway_subscriptions_active', { transport: 'ws' }) === 1 && sample(text, 'gateway_subscriptions_active', { transport: 'sse' }) === 1);
    await subscriber.close();
    stop();
    sse.dispose();
    await scrapeUntil((text) => sample(text, 'gateway_subscriptions_active', { transport: 'ws' }) === 0 && sample(text, 'gateway_subscriptions_active', { transport: 'sse' }) === 0);
  });

  it('reports the change-log lag, back to zero once the instance has read what was ingested', async () => {
    await gw.ingest([{ id: 'm-post', type: 'post.upsert', data: { id: 'm-post', authorId: 'alice', caption: 'lag', visibility: 'PUBLIC', createdAt: new Date().toISOString() } }]);
    const text = await scrapeUntil((t) => sample(t, 'gateway_change_log_lag_positions') === 0);
    expect(sample(text, 'gateway_change_log_lag_seconds')).toBe(0);
  });

  it('counts the archive jobs this instance ran, by how they ended', async () => {
    const token = await gw.token('alice', 'portability.posts.single');
    const { body } = await gw.graphql('mutation { requestArchive(categories: [POSTS]) { id } }', { token });
    expect(body.errors).toBeUndefined();
    const text = await scrapeUntil((t) => sample(t, 'gateway_archive_jobs_finished_total', { status: 'READY' }) === 1);
    expect(sample(text, 'gateway_archive_jobs_running')).toBe(0);
  });

  it("includes Node's process metrics", async () => {
    expect(sample(await scrape(), 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });
});

describe('a broken scrape', () => {
  let gw: TestGateway;
  beforeEach(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterEach(async () => {
    await gw?.close();
  });

  it('answers 503 with the reason when a collector fails', async () => {
    new Gauge({ name: 'broken', help: 'fails', registers: [gw.gateway.metrics.registry], collect: () => Promise.reject(new Error('collector exploded')) });
    const response = await fetch(`${gw.gateway.url}/metrics`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('collector exploded');
  });

  it('answers 503 with the reason when a collector hangs, instead of hanging', async () => {
    new Gauge({ name: 'stuck', help: 'never answers', registers: [gw.gateway.metrics.registry], collect: () => new Promise<void>(() => {}) });
    const response = await fetch(`${gw.gateway.url}/metrics`);
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/metrics collection did not answer within \d+ s/);
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  const METRICS_TOKEN = 'test-metrics-token-0123456789';
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { METRICS_TOKEN });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const scrape = (authorization?: string) => fetch(`${gw.gateway.url}/metrics`, { headers: authorization ? { authorization } : {} });

  it('refuses a scrape without the token, or with another, with 401 and WWW-Authenticate: Bearer', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${METRICS_TOKEN}x`, METRICS_TOKEN, `Basic ${METRICS_TOKEN}`]) {
      const response = await scrape(authorization);
      expect([authorization, response.status, response.headers.get('www-authenticate')]).toEqual([authorization, 401, 'Bearer']);
      expect(await response.text()).not.toContain('process_cpu_seconds_total');
    }
  });

  it('serves a scrape with Authorization: Bearer <METRICS_TOKEN>', async () => {
    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('process_cpu_seconds_total');
  });
});
