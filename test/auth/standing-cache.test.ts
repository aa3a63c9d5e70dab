import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { DEMO_APP, hashToken, seedDemoAccess, setAppStatus } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config/index.js';
import { startGateway, type Gateway } from '../../src/server/index.js';
import { openStore, seedDemo, type Store } from '../../src/store/index.js';
import { cli } from '../helpers/cli.js';
import { demoPassword, dialects } from '../helpers/stores.js';
import { startTestGateway, upsertProfile, type TestGateway } from '../helpers/gateway.js';

const PROFILE = '{ viewer { profile { username } } }';
const databaseUrl = process.env.TEST_DATABASE_URL;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The HTTP status and error code a gateway at `base` answers `token`'s profile request with. */
async function ask(base: string, token: string): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: PROFILE }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code };
}

const grantReads = (statements: string[]) => statements.filter((sql) => /from "grants"/.test(sql));

let users = 0;

describe.each(dialects())('remembered grant standing on %s', (dialect) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** A token of a user of its own (created through ingest, in the EEA), so no test moves another's user. */
  async function freshToken(): Promise<{ userId: string; token: string }> {
    const userId = `standing_${dialect}_${++users}`;
    await upsertProfile(gw, userId, 'FR');
    return { userId, token: await gw.token(userId) };
  }

  const grantOf = async (token: string) =>
    (await gw.store.db.selectFrom('oidcPayloads').select('grantId').where('idHash', '=', hashToken(token)).executeTakeFirstOrThrow()).grantId!;

  it('a grant is read once and then served from memory', async () => {
    const { token } = await freshToken();
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    gw.resetStatements();
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    expect(grantReads(gw.statements)).toEqual([]);
  });

  it('a grant revoked on this instance is refused on the very next request', async () => {
    const { token } = await freshToken();
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    expect(await gw.gateway.authority.revokeGrant(await grantOf(token))).toBe(true);
    expect((await gw.graphql(PROFILE, { token })).status).toBe(401);
  });

  it('a suspended app is refused on the very next request', async () => {
    const { token } = await freshToken();
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    await setAppStatus(gw.store.db, DEMO_APP.clientId, 'SUSPENDED');
    try {
      expect(await ask(gw.gateway.url, token)).toEqual({ status: 403, code: 'APP_SUSPENDED' });
    } finally {
      await setAppStatus(gw.store.db, DEMO_APP.clientId, 'APPROVED');
    }
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
  });

  it('a user whom ingest moves out of the region is refused on the very next request', async () => {
    const { userId, token } = await freshToken();
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    await upsertProfile(gw, userId, 'US');
    expect(await ask(gw.gateway.url, token)).toEqual({ status: 403, code: 'REGION_NOT_ELIGIBLE' });
  });

  it('a remembered grant is refused once its expiry passes, with no write to say so', async () => {
    const { token } = await freshToken();
    await gw.store.db.updateTable('grants').set({ expiresAt: Date.now() + 1500 }).where('id', '=', await grantOf(token)).execute();
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    gw.resetStatements();
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    expect(grantReads(gw.statements)).toEqual([]);
    await sleep(1600);
    expect((await gw.graphql(PROFILE, { token })).status).toBe(401);
  });

  it('a profile update that keeps the country leaves the grant remembered', async () => {
    const { userId, token } = await freshToken();
    expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
    await upsertProfile(gw, userId, 'FR');
    // On PostgreSQL this instance's own write to users waits for a heartbeat, a moment, before memory is trusted again.
    let reads = Infinity;
    for (let i = 0; i < 20 && reads > 0; i++) {
      await sleep(i === 0 ? 0 : 50);
      gw.resetStatements();
      expect((await gw.graphql(PROFILE, { token })).status).toBe(200);
      reads = grantReads(gw.statements).length;
    }
    expect(reads).toBe(0);
  });
});

(databaseUrl ? describe : describe.skip)('remembered grant standing on two PostgreSQL instances', () => {
  let first: TestGateway;
  let secondStore: Store;
  let second: Gateway;
  let secondUrl: string;
  const secondStatements: string[] = [];

  beforeAll(async () => {
    first = await startTestGateway('postgres');
    secondStore = await openStore({ databaseUrl, dataDir: '/nonexistent', pgSchema: first.pgSchema, onQuery: (sql) => secondStatements.push(sql) });
    // One deployment: both instances are the same OAuth issuer, so either accepts the other's tokens.
    second = await startGateway({ ...first.config, publicUrl: first.gateway.url }, { store: secondStore });
    secondUrl = `http://127.0.0.1:${(second.httpServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await second?.close();
    await secondStore?.close();
    await first?.close();
  });

  /** A token of a new user, already served once by the second instance and then from its memory. */
  async function rememberedBySecond(): Promise<{ userId: string; token: string }> {
    const userId = `standing_two_${++users}`;
    await upsertProfile(first, userId, 'FR');
    const token = await first.token(userId);
    for (let i = 0; i < 20; i++) {
      expect((await ask(secondUrl, token)).status).toBe(200);
      secondStatements.length = 0;
      expect((await ask(secondUrl, token)).status).toBe(200);
      if (grantReads(secondStatements).length === 0) return { userId, token };
      await sleep(50);
    }
    throw new Error('the second instance never served the grant from memory');
  }

  /** How long the second instance takes to refuse `token`, asking every 20 ms for at most 1 s; undefined if it never does. */
  async function refusedBySecondWithin(token: string): Promise<{ ms: number; code: string | undefined } | undefined> {
    const started = Date.now();
    while (Date.now() - started < 1000) {
      const answer = await ask(secondUrl, token);
      if (answer.status !== 200) return { ms: Date.now() - started, code: answer.code };
      await sleep(20);
    }
    return undefined;
  }

  async function operatorSql(text: string, values: unknown[]): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${first.pgSchema}` });
    await client.connect();
    try {
      await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  it('a grant revoked on one instance is refused by the other within a second', async () => {
    const { token } = await rememberedBySecond();
    const grantId = (await first.store.db.selectFrom('oidcPayloads').select('grantId').where('idHash', '=', hashToken(token)).executeTakeFirstOrThrow()).grantId!;
    expect(await first.gateway.authority.revokeGrant(grantId)).toBe(true);
    expect((await ask(first.gateway.url, token)).status).toBe(401);
    expect(await refusedBySecondWithin(token)).toEqual({ ms: expect.any(Number), code: 'UNAUTHENTICATED' });
  });

  it('a user moved out of the region on one instance is refused by the other within a second', async () => {
    const { userId, token } = await rememberedBySecond();
    await upsertProfile(first, userId, 'US');
    expect(await refusedBySecondWithin(token)).toEqual({ ms: expect.any(Number), code: 'REGION_NOT_ELIGIBLE' });
  });

  it('an app an operator suspends with SQL is refused by every instance within a second', async () => {
    const { token } = await rememberedBySecond();
    await operatorSql('UPDATE apps SET status = $1 WHERE id = $2', ['SUSPENDED', DEMO_APP.clientId]);
    try {
      expect(await refusedBySecondWithin(token)).toEqual({ ms: expect.any(Number), code: 'APP_SUSPENDED' });
      expect(await ask(first.gateway.url, token)).toEqual({ status: 403, code: 'APP_SUSPENDED' });
    } finally {
      await operatorSql('UPDATE apps SET status = $1 WHERE id = $2', ['APPROVED', DEMO_APP.clientId]);
    }
  });

  it('while its listener is down, an instance serves nothing from memory, and forgets all of it once back', async () => {
    const { token } = await rememberedBySecond();
    await operatorSql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [
      `portability-standing:${first.pgSchema}`,
    ]);
    // Until a listener is back, every request reads the grant: none is served from memory.
    await sleep(200);
    secondStatements.length = 0;
    expect((await ask(secondUrl, token)).status).toBe(200);
    expect(grantReads(secondStatements)).toHaveLength(1);
    // A change no listener hears of is refused at once all the same.
    const grantId = (await first.store.db.selectFrom('oidcPayloads').select('grantId').where('idHash', '=', hashToken(token)).executeTakeFirstOrThrow()).grantId!;
    await operatorSql('UPDATE grants SET revoked_at = $1 WHERE id = $2', [Date.now(), grantId]);
    expect((await ask(secondUrl, token)).status).toBe(401);
    await sleep(1500);
    expect((await ask(secondUrl, token)).status).toBe(401);
    // Back, it remembers grants again.
    await rememberedBySecond();
  });
});

describe('remembered grant standing on a SQLite file other processes write', () => {
  let dataDir: string;
  let store: Store;
  let gateway: Gateway;
  const statements: string[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-standing-'));
    store = await openStore({ dataDir, onQuery: (sql) => statements.push(sql) });
    await store.migrate();
    await seedDemo(store.db, { passwordHash: demoPassword });
    await seedDemoAccess(store.db);
    gateway = await startGateway(loadConfig({ NODE_ENV: 'test', PORT: '0', DEMO_DATA: 'false', DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? '' }), { store });
  });
  afterAll(async () => {
    await gateway?.close();
    await store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A token for `userId`, served once and then from memory. */
  async function remembered(userId: string): Promise<string> {
    const token = await gateway.authority.issueToken(userId, DEMO_APP.clientId, 'portability.all.ongoing');
    expect((await ask(gateway.url, token)).status).toBe(200);
    statements.length = 0;
    expect((await ask(gateway.url, token)).status).toBe(200);
    expect(grantReads(statements)).toEqual([]);
    return token;
  }

  it('a user another connection moves out of the region is refused on the very next request', async () => {
    const token = await remembered('bob');
    const other = new SQLite(path.join(dataDir, 'gateway.sqlite'));
    try {
      other.prepare('UPDATE users SET country = ? WHERE id = ?').run('US', 'bob');
      expect(await ask(gateway.url, token)).toEqual({ status: 403, code: 'REGION_NOT_ELIGIBLE' });
    } finally {
      other.prepare('UPDATE users SET country = ? WHERE id = ?').run('FR', 'bob');
      other.close();
    }
    expect((await ask(gateway.url, token)).status).toBe(200);
  });

  it('a grant the CLI revokes from its own process is refused on the very next request', async () => {
    const token = await remembered('alice');
    const grantId = (await store.db.selectFrom('oidcPayloads').select('grantId').where('idHash', '=', hashToken(token)).executeTakeFirstOrThrow()).grantId!;
    const revoked = await cli(dataDir, ['grants', 'revoke', grantId], { DEMO_DATA: 'false' });
    expect(revoked.stdout.trim()).toBe(`${grantId} REVOKED`);
    expect((await ask(gateway.url, token)).status).toBe(401);
  }, 60_000);
});
