import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SubgraphName } from '../../examples/subgraphs/subgraph.js';
import type { Counters, FaultSettings } from '../../examples/subgraphs/test-knobs.js';

export type { Counters, FaultSettings, SubgraphName };

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Seeding the demo data set under tsx on a loaded machine takes a few seconds; this bounds it generously. */
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

/** Every reference subgraph this process started and has not yet seen exit. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A last resort against leaks: a test process that dies with subgraphs running takes them along. */
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export interface SubgraphProcessOptions {
  /** Requests must carry `Authorization: Bearer <token>`; unset, the subgraph answers anyone. */
  token?: string;
  /** Load the gateway's demo data set at start. @default true */
  demo?: boolean;
  /** A JSON-lines file of records in the contract's shape, loaded at start. */
  seedFile?: string;
  /** More environment for the child (`SUBGRAPH_DB`, …). */
  env?: Record<string, string>;
}

/**
 * A reference subgraph (`examples/subgraphs`) in a child process on a free port, with its
 * test knobs on: read and reset its counters, set faults, add records, and `stop()` it.
 */
export class SubgraphProcess {
  /** Everything the child wrote, stdout and stderr. */
  output = '';
  /** The GraphQL endpoint, `http://127.0.0.1:<port>/graphql`, once ready. */
  url = '';

  private constructor(
    readonly name: SubgraphName,
    readonly token: string | undefined,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  /** Starts the subgraph and resolves once it printed its ready line. */
  static async start(name: SubgraphName, options: SubgraphProcessOptions = {}): Promise<SubgraphProcess> {
    killAllOnExit();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', SUBGRAPH_TEST_KNOBS: 'on', ...options.env };
    for (const name of ['SUBGRAPH_TOKEN', 'SEED', 'SEED_FILE'] as const) delete env[name];
    if (options.token !== undefined) env.SUBGRAPH_TOKEN = options.token;
    if (options.demo ?? true) env.SEED = 'demo';
    if (options.seedFile !== undefined) env.SEED_FILE = options.seedFile;

    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/subgraphs/main.ts', name], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => (running.delete(child), resolve())));
    const subgraph = new SubgraphProcess(name, options.token, child, exited);
    child.stdout!.on('data', (chunk: Buffer) => (subgraph.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (subgraph.output += chunk.toString()));

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const url = new RegExp(`^${name} subgraph ready at (\\S+)$`, 'm').exec(subgraph.output)?.[1];
      if (url) {
        subgraph.url = url;
        return subgraph;
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        await subgraph.stop();
        throw new Error(`the ${name} subgraph did not start:\n${subgraph.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Sends one GraphQL request straight to the subgraph, with its token unless `token` says
   * otherwise (`null`: none). Resolves with the HTTP status and the parsed body.
   */
  async graphql(query: string, variables?: Record<string, unknown>, token: string | null = this.token ?? null): Promise<{ status: number; body: any }> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: await response.json() };
  }

  /** Requests received and SQL statements run since the start or the last reset. */
  counters(): Promise<Counters> {
    return this.admin('GET', 'counters');
  }

  async resetCounters(): Promise<void> {
    await this.admin('DELETE', 'counters');
  }

  /** Replaces the faults in force (see `FaultSettings`); `{}` clears them. */
  async setFaults(faults: FaultSettings): Promise<void> {
    await this.admin('PUT', 'faults', faults);
  }

  /** Saves records in the contract's shape (`{ __typename: 'Post', … }`) to the subgraph's store. */
  async save(records: object[]): Promise<number> {
    return ((await this.admin('POST', 'records', records)) as { saved: number }).saved;
  }

  /** Ends the child and waits for it: SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private async admin<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(`/admin/${path}`, this.url), {
      method,
      headers: { 'content-type': 'application/json', ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} /admin/${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  }
}
