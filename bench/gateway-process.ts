import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { compiled } from './build.js';
import { npmStartNodeFlags } from './npm-start-flags.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Whether `taskset` can pin processes to cores here. */
export const canPin = fs.existsSync('/usr/bin/taskset');

/** A gateway in a child process, pinned to core 0 when it can be, so the load generator can own core 1. */
export interface GatewayProcess {
  url: string;
  pid: number;
  /** The child's resident memory, in bytes. */
  rss(): number;
  /** CPU time the child has used so far, in milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startGatewayProcess(env: Record<string, string>, options: { cpuProfileDir?: string } = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  // BENCH_CPU_PROF=<dir> (or the option) writes the gateway's CPU profile there when it stops.
  const profileDir = options.cpuProfileDir ?? process.env.BENCH_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  // As `npm start` runs it: compiled, with its Node flags.
  const command = [process.execPath, ...npmStartNodeFlags(), ...profile, compiled('main.js')];
  const [file, ...args] = canPin ? ['taskset', '-c', '0', ...command] : command;
  const child: ChildProcess = spawn(file!, args, {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), PUBLIC_URL: url, NODE_ENV: 'production', RATE_LIMITS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Gateway ready') && resolve());
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    rss() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
    },
    cpuMs() {
      const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
