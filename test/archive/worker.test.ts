import fs from 'node:fs';
import path from 'node:path';
import { createApp, setAppStatus } from '../../src/auth/index.js';
import type { ArchiveRow } from '../../src/store/index.js';
import { heldStore, requestArchive } from '../helpers/archives.js';
import { startTestGateway, upsertProfile, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';

/** How a grant stops holding, the code the job's failure names, and the act, done to one job's grant. */
const LAPSES: [string, string, (gw: TestGateway, job: ArchiveRow) => Promise<unknown>][] = [
  ['is revoked', 'GRANT_REVOKED', (gw, job) => gw.gateway.authority.revokeGrant(job.grantId)],
  ['expires', 'GRANT_EXPIRED', (gw, job) => gw.store.db.updateTable('grants').set({ expiresAt: Date.now() - 1 }).where('id', '=', job.grantId).execute()],
  ['has its app suspended', 'APP_SUSPENDED', (gw, job) => setAppStatus(gw.store.db, job.appId, 'SUSPENDED')],
  ['has its user move out of the region', 'REGION_NOT_ELIGIBLE', (gw, job) => upsertProfile(gw, job.userId, 'US')],
];

describe.each(dialects())('the archive worker, when a grant stops holding, on %s', (dialect) => {
  let gw: TestGateway;
  let held: ReturnType<typeof heldStore>;
  beforeAll(async () => {
    gw = await startTestGateway(dialect, {}, { wrapStore: (store) => (held = heldStore(store)).store });
  });
  afterAll(async () => {
    await gw?.close();
  });

  let users = 0;
  /** Requests an archive for a user and an app of its own (in the EEA, approved), so a lapse touches no other job. */
  async function request(categories: string[]): Promise<ArchiveRow> {
    const userId = `lapse_${dialect}_${++users}`;
    await upsertProfile(gw, userId, 'DE');
    const scopes = categories.map((category) => `portability.${category.toLowerCase()}.single`);
    const app = await createApp(gw.store.db, { name: `App of ${userId}`, redirectUris: ['https://app.example/callback'], scopes, status: 'APPROVED' });
    const token = await gw.gateway.authority.issueToken(userId, app.clientId, scopes.join(' '));
    const { archive, errors } = await requestArchive(gw, token, categories);
    expect(errors).toBeUndefined();
    return rowOf(Buffer.from(archive.id, 'base64url').toString().split(':')[1]!);
  }

  const rowOf = (id: string) => gw.store.db.selectFrom('archives').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const archiveFiles = (id: string) => fs.readdirSync(path.join(gw.config.dataDir, 'archives')).filter((name) => name.startsWith(`${id}.zip`));

  /** The job's row once no worker holds it any more. */
  async function settled(job: ArchiveRow): Promise<ArchiveRow> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const row = await rowOf(job.id);
      if (row.status !== 'PENDING' && row.status !== 'RUNNING') return row;
      if (Date.now() > deadline) throw new Error(`archive ${job.id} is still ${row.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it.each(LAPSES)('does not start a job whose grant %s while it waited: it ends FAILED naming %s, with no file', async (_how, code, lapse) => {
    // The worker runs one job at a time: one held mid-run keeps the next one PENDING.
    const hold = held.hold();
    const ahead = await request(['POSTS']);
    await hold.entered;
    const job = await request(['PROFILE']);
    expect(job.status).toBe('PENDING');
    await lapse(gw, job);
    hold.open();
    expect((await settled(ahead)).status).toBe('READY');
    const after = await settled(job);
    expect(after).toMatchObject({ status: 'FAILED', totalRecords: null, readyAt: null, sha256: null });
    expect(after.error).toContain(code);
    expect(archiveFiles(job.id)).toEqual([]);
  });

  it.each(LAPSES)('does not mark READY a job whose grant %s while it ran: it ends FAILED naming %s, its file removed', async (_how, code, lapse) => {
    const hold = held.hold();
    const job = await request(['PROFILE', 'POSTS']);
    await hold.entered;
    expect((await rowOf(job.id)).status).toBe('RUNNING');
    await lapse(gw, job);
    hold.open();
    const after = await settled(job);
    expect(after).toMatchObject({ status: 'FAILED', readyAt: null, sha256: null });
    expect(after.error).toContain(code);
    expect(archiveFiles(job.id)).toEqual([]);
  });
});
