import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiled } from './build.js';
import { canPin, freePort } from './gateway-process.js';
import { npmStartNodeFlags } from './npm-start-flags.js';
import { startPinnedProcess } from './pinned-process.js';

/** One POST the load generator repeats, and the exact response it must get back each time. */
export interface Target {
  url: string;
  headers: Record<string, string>;
  body: string;
  expectedBody: string;
}

/** What one load run measured. */
export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Connections the load generator keeps open, each with one request in flight. */
export const CONNECTIONS = 16;

/**
 * Drives `target` with autocannon for `seconds`: {@link CONNECTIONS} connections, one request in
 * flight on each (no pipelining). Any error, non-2xx answer or body other than the expected one
 * fails the run: a fast wrong answer is not a figure.
 */
export async function load(target: Target, seconds: number): Promise<LoadFigures> {
  const options = {
    url: target.url,
    method: 'POST' as const,
    headers: target.headers,
    body: target.body,
    connections: CONNECTIONS,
    pipelining: 1,
    // A shared machine can stall a server for seconds; a stall is slow, not broken.
    timeout: 60,
    expectBody: target.expectedBody,
  };
  let result = await autocannon({ ...options, duration: seconds });
  // A server slower than a few answers per connection in that time (the naive gateway on a large
  // page) is measured over a fixed number of requests instead, each one waited for.
  if (result.requests.total < 2 * CONNECTIONS) result = await autocannon({ ...options, amount: 2 * CONNECTIONS });
  // A timeout is a request slower than a minute (a naive gateway on a crowded machine): slow, and
  // counted as no answer. Anything else is a broken run.
  if (result.errors > result.timeouts || result.non2xx > 0 || result.mismatches > 0) {
    throw new Error(`load on ${target.url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.mismatches} wrong bodies`);
  }
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

/** A bare `node:http` server in a child process (pinned like the gateways) answering every request with `body`. */
export async function startBareServer(body: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./bare-server.mjs', import.meta.url));
  const command = [process.execPath, script, String(port)];
  const [file, ...args] = canPin ? ['taskset', '-c', '0', ...command] : command;
  const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.end(body);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    url: `http://localhost:${port}/graphql`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Apollo alone (bench/apollo-alone.ts) in a child process, pinned like the gateways, with the
 * gateway's Node options: Apollo Server answering `answer`'s data from memory.
 */
export async function startApolloAlone(answer: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-apollo-'));
  const file = path.join(dir, 'answer.json');
  fs.writeFileSync(file, answer);
  const server = await startPinnedProcess({
    command: [process.execPath, ...npmStartNodeFlags(), compiled('bench/apollo-alone.js'), String(port), file],
    env: { NODE_ENV: 'production' },
    ready: /^ready/,
  });
  return {
    url: `http://localhost:${port}/graphql`,
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
