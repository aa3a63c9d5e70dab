import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from '../helpers/cli.js';


// Each test runs several CLI processes, and each one compiles the sources with tsx as it starts.
const CLI_TEST_MS = 120_000;
describe('cli apps and grants', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-cli-apps-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers an app pending review, approves it and suspends it', async () => {
    const created = await cli(dataDir, ['apps', 'create', '--name', 'Backup Co', '--redirect-uri', 'https://backup.example/cb', '--scopes', 'portability.posts.single', '--json']);
    expect(created.code).toBe(0);
    const { client_id: id, client_secret: secret } = JSON.parse(created.stdout.trim().split('\n').at(-1)!);
    expect(id).toEqual(expect.any(String));
    expect(secret.length).toBeGreaterThanOrEqual(32);

    const listed = await cli(dataDir, ['apps', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\tPENDING_REVIEW\\tBackup Co\\tportability\\.posts\\.single\\thttps://backup\\.example/cb$`, 'm'));
    expect(listed.stdout).not.toContain(secret);

    expect((await cli(dataDir, ['apps', 'approve', id])).stdout.trim()).toBe(`${id} APPROVED`);
    expect((await cli(dataDir, ['apps', 'suspend', id])).stdout.trim()).toBe(`${id} SUSPENDED`);
    expect((await cli(dataDir, ['apps', 'list'])).stdout).toMatch(new RegExp(`^${id}\\tSUSPENDED\\t`, 'm'));
  }, CLI_TEST_MS);

  it('lists a user\'s grants and revokes one', async () => {
    expect((await cli(dataDir, ['token', '--user', 'bob', '--scope', 'portability.posts.ongoing'])).code).toBe(0);
    const listed = await cli(dataDir, ['grants', 'list', '--user', 'bob']);
    const [line] = listed.stdout.trim().split('\n');
    const [grantId, state, app, mode, categories] = line!.split('\t');
    expect([state, app, mode, categories]).toEqual(['ACTIVE', 'demo-app', 'ongoing', 'posts']);

    expect((await cli(dataDir, ['grants', 'revoke', grantId!])).stdout.trim()).toBe(`${grantId} REVOKED`);
    expect((await cli(dataDir, ['grants', 'list', '--user', 'bob'])).stdout).toMatch(new RegExp(`^${grantId}\\tREVOKED\\t`, 'm'));
    const again = await cli(dataDir, ['grants', 'revoke', grantId!]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no active grant');
  }, CLI_TEST_MS);

  it('refuses a redirect URI that is not a URL, and an unknown app id, with exit 1', async () => {
    const bad = await cli(dataDir, ['apps', 'create', '--name', 'X', '--redirect-uri', 'not a url']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not an http(s) URL');
    const unknown = await cli(dataDir, ['apps', 'approve', 'no-such-app']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no app with id');
  }, CLI_TEST_MS);
});
