import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ingestEvent } from '../../src/changes/ingest-event.js';
import { plan, type SimEvent } from '../../src/cli/simulate.js';
import { startTestGateway, TEST_INGEST_TOKEN as INGEST_TOKEN, type TestGateway } from '../helpers/gateway.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const USERS = ['alice', 'bob', 'usr_0001', 'usr_0002', 'usr_0003'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npx tsx src/cli/simulate.ts …args` with the environment given on top of this one, minus any INGEST_TOKEN. */
function simulate(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.INGEST_TOKEN) delete childEnv.INGEST_TOKEN;
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'src/cli/simulate.ts', ...args], { cwd: repoRoot, env: childEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('simulate: plan', () => {
  it('gives the same events for the same seed, and others for another seed', () => {
    const fixed = { runId: 'r1', now: () => Date.UTC(2026, 0, 1) };
    const first = plan(7, USERS, 300, fixed);
    expect(plan('7', USERS, 300, fixed)).toEqual(first);
    expect(plan(7, USERS, 300).map((e) => e.type)).toEqual(first.map((e) => e.type));
    expect(plan(8, USERS, 300, fixed).map((e) => e.type)).not.toEqual(first.map((e) => e.type));
  });

  it('plans only valid events that apply in order: no self-follows, and edits, deletes and replies only of what it created', () => {
    const events = plan(7, USERS, 1000, { runId: 'r2' });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set(['post.upsert', 'post.delete', 'follow.upsert', 'follow.delete', 'activity.upsert', 'message.upsert']),
    );
    const posts = new Map<string, string>();
    const follows = new Set<string>();
    const conversations = new Map<string, string[]>();
    const check = (event: SimEvent) => {
      expect(ingestEvent.safeParse(event).error).toBeUndefined();
      expect(event.id).toMatch(/^sim-r2-\d+$/);
      switch (event.type) {
        case 'post.upsert':
          expect(USERS).toContain(event.data.authorId);
          expect(posts.get(event.data.id) ?? event.data.authorId).toBe(event.data.authorId);
          posts.set(event.data.id, event.data.authorId);
          break;
        case 'post.delete':
          expect(posts.delete(event.data.id)).toBe(true);
          break;
        case 'follow.upsert':
          expect(USERS).toEqual(expect.arrayContaining([event.data.followerId, event.data.followeeId]));
          expect(event.data.followerId).not.toBe(event.data.followeeId);
          follows.add(`${event.data.followerId} ${event.data.followeeId}`);
          break;
        case 'follow.delete':
          expect(follows.delete(`${event.data.followerId} ${event.data.followeeId}`)).toBe(true);
          break;
        case 'activity.upsert':
          expect(USERS).toContain(event.data.userId);
          if (event.data.target.type === 'POST') expect(posts.has(event.data.target.ref!)).toBe(true);
          else expect(event.data.target.text).toEqual(expect.any(String));
          break;
        case 'message.upsert': {
          const { conversationId, participantIds, senderId } = event.data;
          if (!conversations.has(conversationId)) {
            expect(participantIds?.length).toBeGreaterThanOrEqual(2);
            expect(USERS).toEqual(expect.arrayContaining(participantIds!));
            conversations.set(conversationId, participantIds!);
          } else expect(participantIds).toBeUndefined();
          expect(conversations.get(conversationId)).toContain(senderId);
          break;
        }
        default:
          throw new Error(`unexpected ${event.type}`);
      }
    };
    events.forEach(check);
  });
});

describe('simulate: against a gateway', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { INGEST_TOKEN });
  });
  afterAll(async () => {
    await gw.close();
  });

  const counts = async () => ({
    ingested: Number((await gw.store.db.selectFrom('ingestedEvents').select((eb) => eb.fn.countAll().as('n')).where('id', 'like', 'sim-%').executeTakeFirstOrThrow()).n),
    changes: Number((await gw.store.db.selectFrom('changes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  });

  it('sends --count events through the ingest API, all applied, and the change log grows', async () => {
    const before = await counts();
    const run = await simulate(['--url', gw.gateway.url, '--count', '40', '--rate', '40', '--seed', '7'], { INGEST_TOKEN });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/batch 1: 40 applied, 0 duplicates, 0 rejected/);
    expect(run.stdout).toMatch(/done: 40 events sent in 1 batch, 40 applied, 0 duplicates, 0 rejected/);
    const after = await counts();
    expect(after.ingested - before.ingested).toBe(40);
    expect(after.changes - before.changes).toBeGreaterThanOrEqual(40);

    // The seed fixed the sequence: the planned event types are the ones the gateway recorded.
    const runId = /run ([0-9a-f]+)/.exec(run.stdout)![1]!;
    const planned = plan(7, ['alice', 'bob', 'usr_0001', 'usr_0002', 'usr_0003', 'usr_0004', 'usr_0005'], 40, { runId });
    const posts = await gw.store.db.selectFrom('posts').select('id').where('id', 'like', `sim-${runId}-%`).execute();
    const live = new Set(planned.filter((e) => e.type === 'post.upsert').map((e) => e.data.id as string));
    for (const e of planned) if (e.type === 'post.delete') live.delete(e.data.id);
    expect(new Set(posts.map((p) => p.id))).toEqual(live);

    // Message text and the token never reach the log.
    const texts = await gw.store.db.selectFrom('messages').select('text').where('id', 'like', `sim-${runId}-%`).execute();
    expect(texts.length).toBeGreaterThan(0);
    for (const { text } of texts) expect(run.stdout).not.toContain(text);
    expect(run.stdout).not.toContain(INGEST_TOKEN);
  }, 60_000);

  it('exits 1 with a message when INGEST_TOKEN is unset or wrong', async () => {
    const unset = await simulate(['--url', gw.gateway.url, '--count', '1']);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('INGEST_TOKEN is not set');
    const wrong = await simulate(['--url', gw.gateway.url, '--count', '1'], { INGEST_TOKEN: 'not-the-token-0123456789' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('401 unauthorized');
    expect(wrong.stderr).not.toContain('not-the-token-0123456789');
  }, 60_000);

  it('runs until SIGTERM, then exits 0 with a summary', async () => {
    const child = spawn('node_modules/.bin/tsx', ['src/cli/simulate.ts', '--url', gw.gateway.url, '--rate', '5'], {
      cwd: repoRoot,
      env: { ...process.env, INGEST_TOKEN },
    });
    let stdout = '';
    const firstBatch = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('batch 1:')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await firstBatch;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/stopped: \d+ events sent in \d+ batch(es)?, \d+ applied, 0 duplicates, 0 rejected/);
  }, 60_000);
});
