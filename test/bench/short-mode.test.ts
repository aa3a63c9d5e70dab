import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * CI runs the benchmark harness in its short mode: every section for a second or two, no speed
 * asserted (CI machines are noisy), but the harness must work end to end and the statement
 * counts must not depend on the page size (the run fails if they do).
 */
describe('npm run bench -- --short', () => {
  it('runs every section and reports statement counts that do not grow with the page size', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--short'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    // Node prints a thrown error's message flush left and any object it dumps indented: keep the former.
    const unindented = stderr.split('\n').filter((line) => /^\S/.test(line));
    if (code !== 0) throw new Error(`the short run failed (exit ${code}):\n${unindented.slice(-60).join('\n')}`);
    for (const heading of ['## Queries', '## Statements per operation', '## Where the time goes', '## Subscriptions']) expect(stdout).toContain(heading);
    expect(stdout).toMatch(/\| portability page \| sqlite \| (\d+) \/ \1 \/ \1 \|/);
    // The federated page through the gateway: one request to the posts subgraph, two to the messages one.
    expect(stdout).toContain('## Federated');
    expect(stdout).toMatch(/\| posts \| 1 \| \d+ \|[^\n]*\n\| messages \| 2 \| \d+ \|/);
  }, 600_000);
});
