import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzip } from './helpers/archives.js';
import { cli } from './helpers/cli.js';
import { freePort, GatewayProcess } from './helpers/gateway-process.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * What a production install holds, in `dir`: package.json, `dist/` from `npm run build`, and in
 * `node_modules` only the packages `npm ci --omit=dev` installs (each a link to this checkout's).
 * No TypeScript source, no tsx: anything the build still needs from them fails to load.
 */
function layOutProductionInstall(dir: string): void {
  fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(dir, 'package.json'));
  fs.cpSync(path.join(repoRoot, 'dist'), path.join(dir, 'dist'), { recursive: true });
  const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  for (const [key, entry] of Object.entries(lock.packages)) {
    const topLevel = /^node_modules\/(?:@[^/]+\/)?[^/]+$/.test(key);
    if (!topLevel || entry.dev || !fs.existsSync(path.join(repoRoot, key))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
    fs.symlinkSync(path.join(repoRoot, key), path.join(dir, key));
  }
}

describe('the compiled build', () => {
  let installDir: string;
  let dataDir: string;
  let url: string;
  let env: Record<string, string>;
  let gateway: GatewayProcess;
  let token: string;

  beforeAll(async () => {
    await new Promise<void>((resolve, reject) =>
      execFile('npm', ['run', '-s', 'build'], { cwd: repoRoot, timeout: 600_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`npm run build failed:\n${stdout}${stderr}`)) : resolve(),
      ),
    );
    installDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-build-'));
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-build-data-'));
    layOutProductionInstall(installDir);
    const port = await freePort();
    url = `http://localhost:${port}`;
    env = { DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: url, NODE_ENV: 'production', DEMO_DATA: 'true', PLAYGROUND: 'on', LOG_LEVEL: 'info' };
  }, 600_000);

  afterAll(async () => {
    if (gateway?.child.exitCode === null) {
      gateway.child.kill('SIGKILL');
      await gateway.exited;
    }
    fs.rmSync(installDir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: unknown[] } };
  };

  it('leaves no TypeScript source and no tsx in the production install it runs from', () => {
    expect(fs.readdirSync(installDir).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    const built = fs.readdirSync(path.join(installDir, 'dist'), { recursive: true, encoding: 'utf8' });
    expect(built).toContain('main.js');
    expect(built.filter((file) => file.endsWith('.ts'))).toEqual([]);
    expect(fs.existsSync(path.join(installDir, 'node_modules', 'tsx'))).toBe(false);
    expect(fs.existsSync(path.join(installDir, 'node_modules', 'better-sqlite3'))).toBe(true);
  });

  it('issues a token with the compiled CLI, node dist/src/cli/main.js', async () => {
    const issued = await cli(dataDir, ['token', '--user', 'alice', '--scope', 'portability.all.ongoing'], env, {
      command: [process.execPath, 'dist/src/cli/main.js'],
      cwd: installDir,
    });
    expect(issued).toMatchObject({ code: 0 });
    token = issued.stdout.trim().split('\n').at(-1)!;
  }, 120_000);

  it('starts with node dist/main.js and answers a query', async () => {
    gateway = new GatewayProcess(['dist/main.js'], { cwd: installDir, env });
    await gateway.logged('Gateway ready');
    const { status, body } = await graphql('{ viewer { profile { username country } } }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ viewer: { profile: { username: 'alice', country: 'DE' } } });
  }, 120_000);

  it('writes an archive on its compiled ZIP thread, and serves it', async () => {
    const requested = await graphql('mutation { requestArchive(categories: [PROFILE]) { id } }');
    const id = requested.body.data?.requestArchive?.id as string;
    expect(requested.body.errors).toBeUndefined();
    const deadline = Date.now() + 60_000;
    let archive: { status: string; downloadUrl: string | null } | undefined;
    while (!['READY', 'FAILED'].includes(archive?.status ?? '') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      archive = (await graphql('query($id: ID!) { archive(id: $id) { status downloadUrl } }', { id })).body.data?.archive;
    }
    expect(archive?.status).toBe('READY');
    const download = await fetch(archive!.downloadUrl!);
    expect(download.status).toBe(200);
    const entries = await unzip(Buffer.from(await download.arrayBuffer()));
    expect([...entries.keys()]).toEqual(expect.arrayContaining(['manifest.json', 'profile.json']));
  }, 120_000);

  it('serves the playground page its own script, copied beside the compiled module', async () => {
    const response = await fetch(`${url}/playground/assets/playground.js`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(fs.readFileSync(path.join(repoRoot, 'src/server/playground/browser/playground.js'), 'utf8'));
  });

  it('stops on SIGTERM with status 0', async () => {
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 30_000);
});
