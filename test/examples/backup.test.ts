import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Folder, type State } from '../../examples/backup/folder.js';
import { snapshot, type Category } from '../../examples/backup/snapshot.js';
import { ALL_SCOPES, createApp } from '../../src/auth/index.js';
import { plan } from '../../src/cli/simulate.js';
import { fromGlobalId } from '../../src/graph/index.js';
import { Browser, formAction } from '../helpers/browser.js';
import { revokeToken } from '../helpers/oauth.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';

const CATEGORIES: Category[] = ['PROFILE', 'POSTS', 'FOLLOWS', 'ACTIVITY', 'MESSAGES'];
// A real child process copies a few thousand records twice over: generous, for a loaded CI machine.
const TIMEOUT_MS = 120_000;

/** The backup example as a developer runs it: a child process, its output collected line by line. */
class Backup {
  output = '';
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;
  #waiters: (() => void)[] = [];

  constructor(args: string[], env: Record<string, string>) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', 'examples/backup/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
      this.#wake();
    };
    this.#child.stdout!.on('data', collect);
    this.#child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => (this.#wake(), resolve(code))));
  }

  /** Resolves once `done()` holds, re-checked on every line of output and every 100 ms. */
  async until<T>(done: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const value = await done();
      if (value) return value;
      if (Date.now() > deadline || this.#child.exitCode !== null) throw new Error(`waiting for ${what}; the backup printed:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  line(pattern: RegExp): Promise<RegExpMatchArray> {
    return this.until(() => this.output.match(pattern) ?? undefined, `${pattern}`);
  }

  async stop(): Promise<number | null> {
    this.#child.kill('SIGTERM');
    return this.exited;
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.each(dialects())('the backup example on %s', (dialect) => {
  let gw: TestGateway;
  let dir: string;
  let args: string[];
  let env: Record<string, string>;
  let token: string;
  let app: { clientId: string; clientSecret: string };
  const running: Backup[] = [];
  let tornDown = false;

  beforeAll(async () => {
    gw = await startTestGateway(dialect);
    const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
    app = await createApp(gw.store.db, { name: 'Backup example', redirectUris: [redirectUri], scopes: [...ALL_SCOPES], status: 'APPROVED' });
    dir = await mkdtemp(join(tmpdir(), 'backup-'));
    args = ['--server', gw.gateway.url, '--out', dir, '--client-id', app.clientId, '--redirect-uri', redirectUri];
    // A secret belongs in the environment, not in the process list.
    env = { BACKUP_CLIENT_SECRET: app.clientSecret };
    token = await gw.token('alice');
  });
  afterAll(async () => {
    tornDown = true;
    await Promise.all(running.map((b) => b.stop()));
    await gw?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = () => {
    // A test that timed out runs on: it must not leave a child behind after the teardown.
    if (tornDown) throw new Error('the suite has been torn down');
    const backup = new Backup(args, env);
    running.push(backup);
    return backup;
  };
  const folder = () => new Folder(dir);
  const readState = () => folder().readState();

  /** The cursor of alice's newest change after `after`, as the gateway's log holds it. */
  async function newestCursor(after: string): Promise<string> {
    let cursor = after;
    for (;;) {
      const { body } = await gw.graphql('query ($after: String) { changes(after: $after, first: 100) { pageInfo { hasNextPage endCursor } } }', { token, variables: { after: cursor } });
      cursor = body.data.changes.pageInfo.endCursor ?? cursor;
      if (!body.data.changes.pageInfo.hasNextPage) return cursor;
    }
  }

  async function ingest(events: unknown[]): Promise<void> {
    const { status, body } = await gw.ingest(events);
    expect(status).toBe(200);
    expect(body.results.filter((r: { status: string }) => r.status !== 'applied')).toEqual([]);
  }

  const caughtUp = (backup: Backup, cursor: string) => backup.until(async () => (await readState()).cursor === cursor, `the backup to reach ${cursor}`);

  it('copies alice\'s data, follows a burst of changes across a restart, and ends equal to the gateway', async () => {
    // Consent, as alice would click through it in a browser.
    const first = start();
    const [, consentUrl] = await first.line(/read your data:\n(\S+)\n/);
    const browser = new Browser(gw.gateway.url);
    const login = await browser.follow(consentUrl!);
    const consentPage = await browser.submit(formAction(await login.response.text(), '/login'), { username: 'alice', password: 'demo' });
    const categories = Object.fromEntries(CATEGORIES.map((c) => [`category_${c.toLowerCase()}`, 'on']));
    const redirect = await browser.submit(formAction(await consentPage.response.text(), '/consent'), { ...categories, decision: 'allow' });
    const landed = await fetch(redirect.url);
    expect(landed.status).toBe(200);

    await first.line(/Initial sync complete/);
    for (const category of ['profile', 'posts', 'follows', 'activity', 'messages']) expect(first.output).toMatch(new RegExp(`Copied [1-9]\\d* ${category} records`));
    const synced = (await readState()).cursor!;

    // A burst of alice's and bob's activity, plus deletes of records the initial sync copied.
    const copiedPost = [...(await folder().records('posts')).keys()][0]!;
    const copiedMessage = [...(await folder().records('messages')).values()].find((r) => r.__typename === 'Message')!.id;
    const burst = plan('backup-example', ['alice', 'bob'], 80, { runId: `backup-${dialect}` });
    const deletes = [
      { id: 'backup-del-post', type: 'post.delete', data: { id: fromGlobalId(copiedPost).id } },
      { id: 'backup-del-message', type: 'message.delete', data: { id: fromGlobalId(copiedMessage).id } },
    ];
    expect(burst.filter((e) => e.type.endsWith('.delete')).length).toBeGreaterThan(0);
    await ingest([...deletes, ...burst.slice(0, 40)]);

    // Stop the backup once it has applied some of the burst, wherever it is in it.
    await first.until(async () => (await readState()).cursor !== synced, 'the first change to be applied');
    expect(await first.stop()).toBe(0);
    await ingest(burst.slice(40));

    // An expired access token: the restarted backup must use its refresh token.
    const stopped = await readState();
    await writeFile(join(dir, 'state.json'), JSON.stringify({ ...stopped, tokens: { ...stopped.tokens!, expiresAt: 0 } } satisfies State));
    const second = start();
    await second.line(/Resuming after/);
    await caughtUp(second, await newestCursor(synced));
    expect(second.output).not.toMatch(/read your data|Copied/);
    expect((await readState()).tokens!.accessToken).not.toBe(stopped.tokens!.accessToken);

    // The access token revoked (RFC 7009) while the stream is live: 4401, refresh, resume, nothing lost.
    const live = await readState();
    expect((await revokeToken(gw.gateway.url, live.tokens!.accessToken, app)).status).toBe(200);
    await second.line(/The access token ended: refreshing it and resuming/);
    const more = plan('backup-example-after-revocation', ['alice'], 20, { runId: `backup-revoked-${dialect}` });
    await ingest(more);
    await caughtUp(second, await newestCursor(synced));
    expect((await readState()).tokens!.accessToken).not.toBe(live.tokens!.accessToken);

    const gateway = <Data>(query: string, variables?: Record<string, unknown>) =>
      gw.graphql(query, { token, variables }).then(({ body }) => {
        expect(body.errors).toBeUndefined();
        return body.data as Data;
      });
    for (const category of CATEGORIES) {
      const expected = new Map<string, unknown>();
      for await (const record of snapshot(gateway, category)) expected.set(record.id, record);
      expect(await folder().records(category.toLowerCase())).toEqual(expected);
    }
    expect((await folder().records('posts')).has(copiedPost)).toBe(false);
    expect((await folder().records('messages')).has(copiedMessage)).toBe(false);
    // And, independently of the example's own reads, the store's count of alice's posts.
    const posts = await gw.store.db.selectFrom('posts').select('id').where('authorId', '=', 'alice').execute();
    expect((await folder().records('posts')).size).toBe(posts.length);
    expect(await second.stop()).toBe(0);
  }, 4 * TIMEOUT_MS);
});
