import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandScopes, hashToken } from '../../src/auth/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { cli, type CliResult } from '../helpers/cli.js';


const RUNTIME_NOTICE = /^oidc-provider WARNING: Unsupported runtime\..*\n/m;
describe('cli token', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-cli-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe('for alice', () => {
    const scope = 'portability.all.ongoing';
    let result: CliResult;
    let token: string;
    let store: Store;

    beforeAll(async () => {
      result = await cli(dataDir, ['token', '--user', 'alice', '--scope', scope]);
      token = result.stdout.trim().split('\n').at(-1) ?? '';
      store = await openStore({ dataDir });
    }, 60_000);
    afterAll(async () => {
      await store?.close();
    });

    it('exits 0', () => {
      // oidc-provider warns on a Node release without an LTS codename (the registry's newest Node 26
      // build has none); that notice is the runtime's, not a failure of the command.
      expect(result.stderr.replace(RUNTIME_NOTICE, '')).toBe('');
      expect(result.code).toBe(0);
    });

    it('prints a token that belongs to alice with the requested scope', async () => {
      expect(token).toMatch(/^\S{20,}$/);
      const row = await store.db.selectFrom('oidcPayloads').selectAll().where('model', '=', 'AccessToken').where('idHash', '=', hashToken(token)).executeTakeFirstOrThrow();
      const payload = JSON.parse(row.payload) as { accountId: string; clientId: string; scope: string };
      expect(payload).toMatchObject({ accountId: 'alice', clientId: 'demo-app' });
      expect(new Set(payload.scope.split(' '))).toEqual(expandScopes(scope));
    });

    it('stores the token only as its hash', async () => {
      const rows = await store.db.selectFrom('oidcPayloads').selectAll().where('model', '=', 'AccessToken').execute();
      expect(rows.map((r) => r.idHash)).toEqual([hashToken(token)]);
      expect(JSON.stringify(await store.db.selectFrom('oidcPayloads').selectAll().execute())).not.toContain(token);
    });

    it('wrote the embedded store under DATA_DIR', () => {
      expect(store.dialect).toBe('sqlite');
      expect(fs.readdirSync(dataDir)).toContain('gateway.sqlite');
    });
  });

  // These run after alice's token, on the same (already seeded) store, one spawn each.
  it('refuses carol, who is outside the EEA, with REGION_NOT_ELIGIBLE and exit 1', async () => {
    const { code, stdout, stderr } = await cli(dataDir, ['token', '--user', 'carol', '--scope', 'portability.all.single']);
    expect(code).toBe(1);
    expect(stderr).toContain('REGION_NOT_ELIGIBLE');
    expect(stdout).toBe('');
  }, 60_000);

  it('refuses an unknown scope with exit 1, naming the scope', async () => {
    const { code, stdout, stderr } = await cli(dataDir, ['token', '--user', 'alice', '--scope', 'portability.posts.single portability.nope.forever']);
    expect(code).toBe(1);
    expect(stderr).toContain('unknown scope portability.nope.forever');
    expect(stderr).not.toMatch(/\n\s+at /); // an operator error, not a stack trace
    expect(stdout).toBe('');
  }, 60_000);

  it('refuses an unknown user with exit 1, naming the user', async () => {
    const { code, stdout, stderr } = await cli(dataDir, ['token', '--user', 'zelda', '--scope', 'portability.all.ongoing']);
    expect(code).toBe(1);
    expect(stderr).toContain('no user named "zelda"');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  }, 60_000);
});
