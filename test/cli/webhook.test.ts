import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from '../helpers/cli.js';


// Each test runs several CLI processes, and each one compiles the sources with tsx as it starts.
const CLI_TEST_MS = 120_000;
describe('cli apps webhook', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-cli-webhook-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('sets an app\'s webhook and prints a new signing secret as its last line', async () => {
    const result = await cli(dataDir, ['apps', 'webhook', 'demo-app', '--url', 'https://hooks.example/portability']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  }, CLI_TEST_MS);

  it('refuses a URL that is not http(s), and an unknown app, with exit status 1', async () => {
    expect((await cli(dataDir, ['apps', 'webhook', 'demo-app', '--url', 'ftp://hooks.example'])).code).toBe(1);
    const unknown = await cli(dataDir, ['apps', 'webhook', 'no-such-app', '--url', 'https://hooks.example']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no app with id "no-such-app"');
  }, CLI_TEST_MS);
});
