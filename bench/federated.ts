import type { DialectName } from '../src/store/index.js';
import { BENCH_SUBGRAPHS, startBenchSubgraphs, type BenchSubgraph, type BenchSubgraphName } from './bench-subgraphs.js';
import { samePage } from './federated-answers.js';
import { prepareStore } from './fixtures.js';
import { median, startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { composeSupergraph, startHiveGateway, type GatewayServer } from './hive-gateway.js';
import { load, type LoadFigures, type Target } from './load.js';
import { OPERATIONS, requestBody } from './operations.js';
import { cpuMsOf } from './pinned-process.js';

/** The two gateways compared: this one (the candidate) and Hive Gateway (the reference). */
export const SIDES = ['gateway', 'hive'] as const;
export type Side = (typeof SIDES)[number];

/** One side's figures: throughput and latency (medians over the rounds) and where its CPU went. */
export interface SideFigures extends LoadFigures {
  /** GraphQL requests each subgraph received for one portability page asked alone. */
  requests: Record<BenchSubgraphName, number>;
  /** GraphQL requests each subgraph received per page under load (median over the rounds). */
  requestsUnderLoad: Record<BenchSubgraphName, number>;
  /** CPU time of the gateway's own process per page answered, in ms (median over the rounds). */
  gatewayCpuMs: number;
  /** CPU time of the three subgraphs' processes together per page answered, in ms. */
  subgraphsCpuMs: number;
  responseBytes: number;
}

/** The federated portability page on one store of the candidate, both gateways side by side. */
export interface FederatedFigures {
  dialect: DialectName;
  gateway: SideFigures;
  hive: SideFigures;
  /** Median over the rounds of gateway ÷ Hive throughput, each round's runs back to back. */
  ratio: number;
}

export interface FederatedBenchOptions {
  dialects: DialectName[];
  /** Rounds; each runs the gateway, then Hive Gateway. */
  rounds: number;
  seconds: number;
  postgresUrl?: string | undefined;
  databaseName: string;
  log(message: string): void;
}

/** What one side asks, and the processes whose CPU time counts for it. */
interface Contender {
  target: Target;
  pid: number;
  requests: Record<BenchSubgraphName, number>;
}

const PAGE = OPERATIONS.find((operation) => operation.name === 'portability page')!;
/** One request to the posts subgraph, two to the messages subgraph and none to the people subgraph: what the gateway promises for this page. */
const GATEWAY_REQUESTS: Partial<Record<BenchSubgraphName, number>> = { posts: 1, messages: 2, people: 0 };

/**
 * The portability page with posts and messages federated to the reference subgraphs, through
 * this gateway (profile, followers and people from its embedded store) and through Hive Gateway
 * (the people subgraph in their place), with the same query and the same page sizes.
 */
export async function benchFederated(options: FederatedBenchOptions): Promise<FederatedFigures[]> {
  options.log('federated: starting the subgraphs and Hive Gateway …');
  const subgraphs = await startBenchSubgraphs();
  const url = (name: BenchSubgraphName) => subgraphs.find((subgraph) => subgraph.name === name)!.url;
  let hive: GatewayServer | undefined;
  try {
    hive = await startHiveGateway(await composeSupergraph(subgraphs));
    const hiveSide = await contender(hive.url, {}, hive.pid, subgraphs);
    const figures: FederatedFigures[] = [];
    for (const dialect of options.dialects) {
      const store = await prepareStore(dialect, options);
      let gateway: GatewayProcess | undefined;
      try {
        gateway = await startGatewayProcess({
          ...store.env,
          SUBGRAPHS: `posts=${url('posts')},messages=${url('messages')}`,
          // A crowded machine can stall a subgraph for seconds: slow, not unavailable (as autocannon's timeout).
          SUBGRAPH_TIMEOUT_MS: '60000',
        });
        const gatewaySide = await contender(`${gateway.url}/graphql`, { authorization: `Bearer ${store.token}` }, gateway.pid, subgraphs);
        for (const name of BENCH_SUBGRAPHS) {
          if (gatewaySide.requests[name] !== GATEWAY_REQUESTS[name]) {
            throw new Error(`federated: the gateway sent ${JSON.stringify(gatewaySide.requests)} subgraph requests for one page; it must send ${JSON.stringify(GATEWAY_REQUESTS)}`);
          }
        }
        samePage(gatewaySide.target.expectedBody, hiveSide.target.expectedBody);
        figures.push(await measure(dialect, { gateway: gatewaySide, hive: hiveSide }, subgraphs, options));
      } finally {
        await gateway?.stop();
        await store.close();
      }
    }
    return figures;
  } finally {
    // Hive Gateway first: a subgraph gone under a request it still has in flight is an error it logs.
    await hive?.stop();
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  }
}

/** A side's first answer, which must be a well-formed page, and the subgraph requests a second one costs. */
async function contender(url: string, auth: Record<string, string>, pid: number, subgraphs: BenchSubgraph[]): Promise<Contender> {
  const headers = { 'content-type': 'application/json', ...auth };
  const body = requestBody(PAGE);
  const ask = async () => {
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    if (!response.ok || (JSON.parse(text) as { errors?: unknown }).errors) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 500)}`);
    return text;
  };
  const expectedBody = await ask();
  // Counted on a warm gateway, one page on its own: nothing else reaches the subgraphs meanwhile.
  await Promise.all(subgraphs.map((subgraph) => subgraph.resetRequests()));
  if ((await ask()) !== expectedBody) throw new Error(`${url} answers the same page differently twice`);
  const counts = await Promise.all(subgraphs.map(async (subgraph) => [subgraph.name, await subgraph.requests()] as const));
  return { target: { url, headers, body, expectedBody }, pid, requests: Object.fromEntries(counts) as Record<BenchSubgraphName, number> };
}

/**
 * Waits for the requests autocannon left in flight when it stopped: one more page, answered after
 * them, keeps their work out of the next run.
 */
async function settle(target: Target): Promise<void> {
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  if ((await response.text()) !== target.expectedBody) throw new Error(`${target.url} answered the page differently after a run`);
}

/** One load run, with the CPU time the side's gateway and the subgraphs spent, and the subgraph requests sent, per page meanwhile. */
async function run(side: Contender, subgraphs: BenchSubgraph[], seconds: number) {
  const cpu = () => ({ gateway: cpuMsOf(side.pid), subgraphs: subgraphs.reduce((sum, subgraph) => sum + subgraph.cpuMs(), 0) });
  await Promise.all(subgraphs.map((subgraph) => subgraph.resetRequests()));
  const before = cpu();
  const started = performance.now();
  const figures = await load(side.target, seconds);
  // autocannon reports a rate, not its count: the pages answered are that rate over the run's time.
  const pages = (figures.requestsPerSecond * (performance.now() - started)) / 1000;
  const after = cpu();
  const received = await Promise.all(subgraphs.map(async (subgraph) => [subgraph.name, (await subgraph.requests()) / pages] as const));
  await settle(side.target);
  return {
    ...figures,
    gatewayCpuMs: (after.gateway - before.gateway) / pages,
    subgraphsCpuMs: (after.subgraphs - before.subgraphs) / pages,
    requestsUnderLoad: Object.fromEntries(received) as Record<BenchSubgraphName, number>,
  };
}

async function measure(dialect: DialectName, sides: Record<Side, Contender>, subgraphs: BenchSubgraph[], options: FederatedBenchOptions): Promise<FederatedFigures> {
  options.log(`federated: ${dialect}, warm-up`);
  for (const side of SIDES) {
    await load(sides[side].target, Math.max(1, options.seconds / 2));
    await settle(sides[side].target);
  }
  const runs: Record<Side, Awaited<ReturnType<typeof run>>[]> = { gateway: [], hive: [] };
  for (let round = 0; round < options.rounds; round++) {
    for (const side of SIDES) runs[side].push(await run(sides[side], subgraphs, options.seconds));
    const last = (side: Side) => Math.round(runs[side].at(-1)!.requestsPerSecond);
    options.log(`federated: ${dialect}, round ${round + 1}: gateway ${last('gateway')} / Hive ${last('hive')} req/s`);
  }
  const summary = (side: Side): SideFigures => {
    const of = (figure: (r: (typeof runs)[Side][number]) => number) => median(runs[side].map(figure));
    return {
      requestsPerSecond: of((r) => r.requestsPerSecond),
      p50Ms: of((r) => r.p50Ms),
      p99Ms: of((r) => r.p99Ms),
      gatewayCpuMs: of((r) => r.gatewayCpuMs),
      subgraphsCpuMs: of((r) => r.subgraphsCpuMs),
      requests: sides[side].requests,
      requestsUnderLoad: Object.fromEntries(BENCH_SUBGRAPHS.map((name) => [name, of((r) => r.requestsUnderLoad[name])])) as Record<BenchSubgraphName, number>,
      responseBytes: Buffer.byteLength(sides[side].target.expectedBody),
    };
  };
  return {
    dialect,
    gateway: summary('gateway'),
    hive: summary('hive'),
    ratio: median(runs.gateway.map((r, i) => r.requestsPerSecond / runs.hive[i]!.requestsPerSecond)),
  };
}
