import { startPinnedProcess, type PinnedProcess } from './pinned-process.js';

/**
 * The subgraphs of the federated benchmark: the reference posts and messages subgraphs, which
 * both gateways federate, and the people subgraph only the reference gateway needs.
 */
export const BENCH_SUBGRAPHS = ['posts', 'messages', 'people'] as const;
export type BenchSubgraphName = (typeof BENCH_SUBGRAPHS)[number];

/** A subgraph in a pinned child process, with its count of the GraphQL requests it received. */
export interface BenchSubgraph extends PinnedProcess {
  name: BenchSubgraphName;
  url: string;
  /** GraphQL requests received since the start or the last reset. */
  requests(): Promise<number>;
  resetRequests(): Promise<void>;
}

const SCRIPTS: Record<BenchSubgraphName, string[]> = {
  posts: ['examples/subgraphs/main.ts', 'posts'],
  messages: ['examples/subgraphs/main.ts', 'messages'],
  people: ['bench/people-subgraph-main.ts'],
};

/** Starts one subgraph on a free port with the demo data (and, for the references, their request counters on). */
async function startSubgraph(name: BenchSubgraphName): Promise<BenchSubgraph> {
  const server = await startPinnedProcess({
    command: [process.execPath, '--import', 'tsx', ...SCRIPTS[name]],
    // No token: the reference gateway sends none. The counters are the test knobs' (`/admin/counters`).
    env: { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', SEED: 'demo', SUBGRAPH_TEST_KNOBS: 'on', SUBGRAPH_TOKEN: undefined, SEED_FILE: undefined, SUBGRAPH_DB: undefined },
    ready: new RegExp(`^${name} subgraph ready at \\S+$`),
  });
  const url = server.readyLine.split(' ').at(-1)!;
  const counters = async (method: 'GET' | 'DELETE') => {
    const response = await fetch(new URL('/admin/counters', url), { method });
    if (!response.ok) throw new Error(`${method} /admin/counters of the ${name} subgraph answered ${response.status}`);
    return ((await response.json()) as { requests: number }).requests;
  };
  return {
    ...server,
    name,
    url,
    requests: () => counters('GET'),
    resetRequests: async () => void (await counters('DELETE')),
  };
}

/** Starts the three subgraphs, one after another (each seeds on core 0), stopping any started if one fails. */
export async function startBenchSubgraphs(): Promise<BenchSubgraph[]> {
  const started: BenchSubgraph[] = [];
  try {
    for (const name of BENCH_SUBGRAPHS) started.push(await startSubgraph(name));
    return started;
  } catch (error) {
    await Promise.all(started.map((subgraph) => subgraph.stop()));
    throw error;
  }
}
