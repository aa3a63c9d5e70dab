import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canPin } from './gateway-process.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
/** Seeding demo data under tsx on a crowded machine takes seconds; this bounds a start generously. */
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 5_000;

/** A server under test in a child process, pinned to core 0 when it can be (the load generator owns core 1). */
export interface PinnedProcess {
  /** What the process said when it was ready (its URL, for the servers that print one). */
  readyLine: string;
  pid: number;
  /** CPU time the child has used so far, in milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface PinnedProcessOptions {
  /** The program and its arguments, without `taskset`. */
  command: string[];
  /** Set over this process's environment; a variable set to `undefined` is left out. */
  env: Record<string, string | undefined>;
  /** @default the repository root */
  cwd?: string;
  /** The line of stdout or stderr that tells the process is ready to serve. */
  ready: RegExp;
}

/** CPU time of a process, user and system, in milliseconds (Linux `/proc`). */
export function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Starts `command` pinned to core 0 and resolves once a line of its output matches `ready`. */
export async function startPinnedProcess(options: PinnedProcessOptions): Promise<PinnedProcess> {
  const [file, ...args] = canPin ? ['taskset', '-c', '0', ...options.command] : options.command;
  const env = { ...process.env, ...options.env };
  for (const [name, value] of Object.entries(options.env)) if (value === undefined) delete env[name];
  const child: ChildProcess = spawn(file!, args, { cwd: options.cwd ?? repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.command.join(' ')} was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output.slice(-2000)}`)), READY_TIMEOUT_MS);
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => options.ready.test(candidate));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(line);
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.command.join(' ')} exited with ${code}:\n${output.slice(-2000)}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });
  // Past the start, stdout is drained and dropped (a full pipe would stall the child) and stderr
  // passed on: a server that fails mid-run says why.
  output = '';
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').pipe(process.stderr, { end: false });
  return {
    readyLine,
    pid: child.pid!,
    cpuMs: () => cpuMsOf(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
