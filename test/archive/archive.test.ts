import fs from 'node:fs';
import path from 'node:path';
import { createApp, DEMO_APP, setAppStatus } from '../../src/auth/index.js';
import { startTestGateway, upsertProfile, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';
import { Subscriber } from '../helpers/subscriber.js';
import { archiveWhen, jsonLines, requestArchive, sha256, unzip } from '../helpers/archives.js';

const USER = 'id username displayName avatarUrl';
const SELECTIONS = {
  posts: 'id caption media { url type durationSeconds } visibility counts { likes comments shares views } createdAt updatedAt',
  followers: `since node { ${USER} }`,
  following: `since node { ${USER} }`,
  activity: 'id kind target { type ref text } occurredAt',
  conversations: `id createdAt participants { ${USER} }`,
};
const ALL = ['PROFILE', 'POSTS', 'FOLLOWS', 'ACTIVITY', 'MESSAGES'];

describe.each(dialects())('archives on %s', (dialect) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(dialect);
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Every edge of a viewer connection, page by page through the API (edges without cursors, as archived). */
  async function paginate(token: string, field: keyof typeof SELECTIONS) {
    const isEdge = field === 'followers' || field === 'following';
    const records: any[] = [];
    let after: string | null = null;
    do {
      const { body } = await gw.graphql(
        `query($after: String) { viewer { ${field}(first: 100, after: $after) { edges { ${isEdge ? SELECTIONS[field] : `node { ${SELECTIONS[field]} }`} } pageInfo { hasNextPage endCursor } } } }`,
        { token, variables: { after } },
      );
      const connection = body.data.viewer[field];
      records.push(...connection.edges.map((edge: any) => (isEdge ? edge : edge.node)));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (after);
    return records;
  }

  async function messagesOf(token: string, conversationId: string) {
    const records: any[] = [];
    let after: string | null = null;
    do {
      const { body } = await gw.graphql(
        `query($id: ID!, $after: String) { node(id: $id) { ... on Conversation { messages(first: 100, after: $after) { edges { node { id text sentAt sender { id } conversation { id } } } pageInfo { hasNextPage endCursor } } } } }`,
        { token, variables: { id: conversationId, after } },
      );
      const connection = body.data.node.messages;
      records.push(...connection.edges.map((edge: any) => edge.node));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (after);
    return records;
  }

  async function readyArchive(scope: string, categories = ALL) {
    const token = await gw.token('alice', scope);
    const { archive, errors } = await requestArchive(gw, token, categories);
    expect(errors).toBeUndefined();
    const ready = await archiveWhen(gw, token, archive.id, ['READY']);
    const download = await fetch(ready.downloadUrl);
    const zip = Buffer.from(await download.arrayBuffer());
    return { token, archive: ready, download, zip, files: await unzip(zip) };
  }

  let full: Awaited<ReturnType<typeof readyArchive>>;
  // Generous limits: an archive and a full pagination of alice's data take seconds, more on a busy machine.
  beforeAll(async () => {
    full = await readyArchive('portability.all.ongoing');
  }, 120_000);

  it('unzips into files that match, record for record, what paginating the API returns', async () => {
    const { token, files } = full;
    const { body } = await gw.graphql('{ viewer { profile { id username displayName bio avatarUrl email birthDate country createdAt updatedAt } } }', { token });
    expect(JSON.parse(files.get('profile.json')!.toString())).toEqual(body.data.viewer.profile);
    for (const field of ['posts', 'followers', 'following', 'activity', 'conversations'] as const) {
      const fromApi = await paginate(token, field);
      expect(fromApi.length).toBeGreaterThan(field === 'posts' ? 100 : 0);
      expect(jsonLines(files.get(`${field}.jsonl`))).toEqual(fromApi);
    }
    const conversations = jsonLines(files.get('conversations.jsonl'));
    const messages: any[] = [];
    for (const conversation of conversations) messages.push(...(await messagesOf(token, conversation.id)));
    expect(jsonLines(files.get('messages.jsonl'))).toEqual(messages);
  }, 120_000);

  it('lists every file with its record count and a sha256 that verifies, and the ZIP itself matches the archive\'s sha256', async () => {
    const { archive, files, zip } = full;
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    expect(manifest).toMatchObject({ schemaVersion: 1, archive: { id: archive.id }, categories: ALL, grant: { mode: 'RECURRING', categories: ALL } });
    expect(manifest.files.map((f: any) => f.name).sort()).toEqual([...files.keys()].filter((n) => n !== 'manifest.json').sort());
    for (const file of manifest.files) {
      expect(sha256(files.get(file.name)!)).toBe(file.sha256);
      expect(files.get(file.name)!.length).toBe(file.bytes);
      expect(file.records).toBe(file.name === 'profile.json' ? 1 : jsonLines(files.get(file.name)).length);
    }
    expect(sha256(zip)).toBe(archive.sha256);
    expect(zip.length).toBe(archive.sizeBytes);
    expect(archive.progress.fraction).toBe(1);
    expect(archive.progress.records).toBe(manifest.files.reduce((sum: number, f: any) => sum + f.records, 0));
  });

  it('hands over a change cursor that the change stream accepts, and that replays what changed after the export', async () => {
    const { token, files } = full;
    const { changesCursor } = JSON.parse(files.get('manifest.json')!.toString());
    await gw.ingest([{ id: `arc-evt-${dialect}`, type: 'post.upsert', data: { id: `arc-post-${dialect}`, authorId: 'alice', caption: 'after the export', visibility: 'PUBLIC', createdAt: new Date().toISOString() } }]);
    const { body } = await gw.graphql('query($after: String) { changes(after: $after) { edges { node { category node { ... on Post { caption } } } } } }', { token, variables: { after: changesCursor } });
    expect(body.errors).toBeUndefined();
    expect(body.data.changes.edges.map((e: any) => e.node.node?.caption)).toContain('after the export');
  });

  it('serves the download with Content-Length, ETag and Accept-Ranges', () => {
    const { download, archive } = full;
    expect(download.status).toBe(200);
    expect(download.headers.get('content-length')).toBe(String(archive.sizeBytes));
    expect(download.headers.get('etag')).toBe(`"${archive.sha256}"`);
    expect(download.headers.get('accept-ranges')).toBe('bytes');
    expect(download.headers.get('content-type')).toBe('application/zip');
  });

  it('resumes a download cut off halfway with a Range request, and the joined file verifies', async () => {
    const { archive } = full;
    const half = Math.floor(archive.sizeBytes / 2);
    const first = await fetch(archive.downloadUrl, { headers: { range: `bytes=0-${half - 1}` } });
    expect(first.status).toBe(206);
    const rest = await fetch(archive.downloadUrl, { headers: { range: `bytes=${half}-`, 'if-range': first.headers.get('etag')! } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes ${half}-${archive.sizeBytes - 1}/${archive.sizeBytes}`);
    const joined = Buffer.concat([Buffer.from(await first.arrayBuffer()), Buffer.from(await rest.arrayBuffer())]);
    expect(sha256(joined)).toBe(archive.sha256);
  });

  it('answers a Range beyond the file with 416 and RANGE_NOT_SATISFIABLE', async () => {
    const response = await fetch(full.archive.downloadUrl, { headers: { range: `bytes=${full.archive.sizeBytes + 10}-` } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${full.archive.sizeBytes}`);
    expect(((await response.json()) as any).error.code).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('refuses a tampered signature with 403 SIGNATURE_INVALID', async () => {
    const url = new URL(full.archive.downloadUrl);
    url.searchParams.set('signature', url.searchParams.get('signature')!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')));
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(((await response.json()) as any).error.code).toBe('SIGNATURE_INVALID');
  });

  it('refuses a method other than GET and HEAD with 405 METHOD_NOT_ALLOWED and Allow', async () => {
    const response = await fetch(full.archive.downloadUrl, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'Use GET (or HEAD).' } });
  });

  it('answers a path that names no archive with 404 NOT_FOUND', async () => {
    const response = await fetch(new URL('/archives/readme.txt', full.archive.downloadUrl));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No such archive.' } });
  });

  it('refuses a link whose expiry was moved with 403 SIGNATURE_INVALID', async () => {
    const url = new URL(full.archive.downloadUrl);
    url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 86_400));
    expect((await fetch(url)).status).toBe(403);
  });

  it('answers 410 LINK_EXPIRED once the archive has expired, and deletes its file', async () => {
    const archive = await readyArchive('portability.posts.ongoing', ['POSTS']);
    const id = Buffer.from(archive.archive.id, 'base64url').toString().split(':')[1]!;
    await gw.store.db.updateTable('archives').set({ expiresAt: Date.now() - 1000 }).where('id', '=', id).execute();
    const response = await fetch(archive.archive.downloadUrl);
    expect(response.status).toBe(410);
    expect(((await response.json()) as any).error.code).toBe('LINK_EXPIRED');
    expect(fs.existsSync(path.join(gw.config.dataDir, 'archives', `${id}.zip`))).toBe(false);
    expect((await archiveWhen(gw, archive.token, archive.archive.id, ['EXPIRED'])).downloadUrl).toBeNull();
  });

  it('holds only the categories asked for', async () => {
    const { files } = await readyArchive('portability.all.ongoing', ['FOLLOWS']);
    expect([...files.keys()].sort()).toEqual(['followers.jsonl', 'following.jsonl', 'manifest.json']);
  });

  it('stops serving an archive once its grant is revoked, with 403 GRANT_REVOKED', async () => {
    const archive = await readyArchive('portability.activity.single', ['ACTIVITY']);
    const { body } = await gw.graphql('{ grant { id } }', { token: archive.token });
    await gw.gateway.authority.revokeGrant(body.data.grant.id);
    const response = await fetch(archive.archive.downloadUrl);
    expect(response.status).toBe(403);
    expect(((await response.json()) as any).error.code).toBe('GRANT_REVOKED');
  });

  /** A READY profile archive of `userId` through `clientId`, whose link is served until its grant stops holding. */
  async function servedArchive(userId: string, clientId: string = DEMO_APP.clientId) {
    const token = await gw.gateway.authority.issueToken(userId, clientId, 'portability.profile.single');
    const { archive } = await requestArchive(gw, token, ['PROFILE']);
    const ready = await archiveWhen(gw, token, archive.id, ['READY']);
    expect((await fetch(ready.downloadUrl)).status).toBe(200);
    const { body } = await gw.graphql('{ grant { id } }', { token });
    return { downloadUrl: ready.downloadUrl as string, grantId: body.data.grant.id as string };
  }

  /** A download's status, and its refusal's code (none when the file was served). */
  const refusal = async (url: string) => {
    const response = await fetch(url);
    const body = response.headers.get('content-type') === 'application/json' ? ((await response.json()) as any) : undefined;
    return { status: response.status, code: body?.error?.code };
  };

  it('stops serving an archive once its grant has expired, with 403 GRANT_EXPIRED', async () => {
    const { downloadUrl, grantId } = await servedArchive('alice');
    await gw.store.db.updateTable('grants').set({ expiresAt: Date.now() - 1000 }).where('id', '=', grantId).execute();
    expect(await refusal(downloadUrl)).toEqual({ status: 403, code: 'GRANT_EXPIRED' });
  });

  it('stops serving an archive once its app is suspended, with 403 APP_SUSPENDED', async () => {
    const app = await createApp(gw.store.db, { name: 'Soon suspended', redirectUris: ['https://app.example/callback'], scopes: ['portability.profile.single'], status: 'APPROVED' });
    const { downloadUrl } = await servedArchive('alice', app.clientId);
    await setAppStatus(gw.store.db, app.clientId, 'SUSPENDED');
    expect(await refusal(downloadUrl)).toEqual({ status: 403, code: 'APP_SUSPENDED' });
  });

  it('stops serving an archive once its user has moved out of the EEA, with 403 REGION_NOT_ELIGIBLE', async () => {
    await upsertProfile(gw, `mover_${dialect}`, 'DE');
    const { downloadUrl } = await servedArchive(`mover_${dialect}`);
    await upsertProfile(gw, `mover_${dialect}`, 'US');
    expect(await refusal(downloadUrl)).toEqual({ status: 403, code: 'REGION_NOT_ELIGIBLE' });
  });

  it('says an archive expires when its one-time grant does, when that comes before the archive\'s lifetime ends', async () => {
    const oneTime = await readyArchive('portability.posts.single', ['POSTS']);
    const { body } = await gw.graphql('{ grant { expiresAt } }', { token: oneTime.token });
    expect(Date.parse(body.data.grant.expiresAt)).toBeLessThan(Date.parse(oneTime.archive.readyAt) + gw.config.archiveLifetimeMs);
    expect(oneTime.archive.expiresAt).toBe(body.data.grant.expiresAt);
    // A recurring grant outlasts the archive, which keeps its whole lifetime.
    const recurring = await readyArchive('portability.posts.ongoing', ['POSTS']);
    expect(Date.parse(recurring.archive.expiresAt)).toBe(Date.parse(recurring.archive.readyAt) + gw.config.archiveLifetimeMs);
  });

  it('refuses a one-time grant\'s second archive with GRANT_EXHAUSTED', async () => {
    const token = await gw.token('alice', 'portability.posts.single');
    expect((await requestArchive(gw, token, ['POSTS'])).errors).toBeUndefined();
    const second = await requestArchive(gw, token, ['POSTS']);
    expect(second.errors?.[0]?.extensions?.code).toBe('GRANT_EXHAUSTED');
  });

  it('refuses a recurring grant\'s second archive within the interval with RATE_LIMITED, HTTP 429 and the time to retry', async () => {
    const token = await gw.token('alice', 'portability.activity.ongoing');
    expect((await requestArchive(gw, token, ['ACTIVITY'])).errors).toBeUndefined();
    const { response, errors } = await requestArchive(gw, token, ['ACTIVITY']);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number), retryAt: expect.any(String) });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(80_000);
  });

  it('refuses a category outside the grant with INSUFFICIENT_SCOPE, writing nothing', async () => {
    const token = await gw.token('alice', 'portability.posts.single');
    const { errors } = await requestArchive(gw, token, ['POSTS', 'MESSAGES']);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'INSUFFICIENT_SCOPE', requiredScopes: ['portability.messages.single'] });
    expect((await gw.graphql('{ archives { id } }', { token })).body.data.archives).toEqual([]);
  });

  it('refuses an empty list of categories with BAD_USER_INPUT', async () => {
    const token = await gw.token('alice', 'portability.posts.single');
    expect((await requestArchive(gw, token, [])).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers an unknown id, and another grant\'s archive, with BAD_USER_INPUT alike', async () => {
    const token = await gw.token('alice', 'portability.all.ongoing');
    const query = 'query($id: ID!) { archive(id: $id) { id } }';
    const unknown = await gw.graphql(query, { token, variables: { id: Buffer.from('Archive:nope').toString('base64url') } });
    const foreign = await gw.graphql(query, { token, variables: { id: full.archive.id } });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(foreign.body.errors?.[0]?.message).toBe(unknown.body.errors?.[0]?.message);
    const node = await gw.graphql('query($id: ID!) { node(id: $id) { id } }', { token, variables: { id: full.archive.id } });
    expect(node.body.data.node).toBeNull();
  });

  it('refuses to cancel a finished archive with BAD_USER_INPUT naming its status', async () => {
    const { body } = await gw.graphql('mutation($id: ID!) { cancelArchive(id: $id) { id } }', { token: full.token, variables: { id: full.archive.id } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 'READY' });
  });

  it('lists the grant\'s archives and finds one by node(id:)', async () => {
    const { body } = await gw.graphql('query($id: ID!) { archives { id } node(id: $id) { ... on Archive { status } } }', { token: full.token, variables: { id: full.archive.id } });
    expect(body.data).toEqual({ archives: [{ id: full.archive.id }], node: { status: 'READY' } });
  });

  it('streams an archive\'s progress until it is READY', async () => {
    const token = await gw.token('alice', 'portability.messages.single');
    const { archive } = await requestArchive(gw, token, ['MESSAGES']);
    const subscriber = new Subscriber(gw.gateway.url, `Bearer ${token}`, 'subscription($id: ID!) { archiveProgress(id: $id) { status progress { fraction categories { category records } } } }', { id: archive.id });
    try {
      await subscriber.until(() => subscriber.completed || subscriber.errors.length > 0);
      expect(subscriber.errors).toEqual([]);
      const last = subscriber.events.at(-1).archiveProgress;
      expect(last.status).toBe('READY');
      expect(last.progress.fraction).toBe(1);
      expect(last.progress.categories[0].records).toBeGreaterThan(0);
    } finally {
      await subscriber.close();
    }
  });
});
