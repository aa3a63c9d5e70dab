import type { DialectName } from '../src/store/index.js';
import { prepareStore, type BenchStore } from './fixtures.js';
import { median, startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { load, startBareServer, type LoadFigures, type Target } from './load.js';
import { OPERATIONS, requestBody, type Operation } from './operations.js';

/** One operation on one store: the gateway beside its two references. */
export interface QueryFigures {
  dialect: DialectName;
  operation: string;
  responseBytes: number;
  gateway: LoadFigures;
  /** The same gateway with `BATCHING=off`. */
  naive: LoadFigures;
  /** node:http writing the same response bytes, computed in advance. */
  bare: LoadFigures;
  /** Median over the rounds of gateway ÷ naive throughput, each round's runs back to back. */
  vsNaive: number;
  vsBare: number;
}

export interface QueryBenchOptions {
  dialects: DialectName[];
  /** Rounds; each runs the gateway, the naive gateway and the bare server once, in turn. */
  rounds: number;
  seconds: number;
  postgresUrl?: string | undefined;
  /** The PostgreSQL database created for the run. */
  databaseName: string;
  log(message: string): void;
}

/** Throughput and latency of the three operations against the naive and bare references. */
export async function benchQueries(options: QueryBenchOptions): Promise<QueryFigures[]> {
  const figures: QueryFigures[] = [];
  for (const dialect of options.dialects) {
    const store = await prepareStore(dialect, options);
    const gateway = await startGatewayProcess(store.env);
    const naive = await startGatewayProcess({ ...store.env, BATCHING: 'off' });
    try {
      for (const operation of OPERATIONS) figures.push(await benchOperation(store, operation, gateway, naive, options));
    } finally {
      await Promise.all([gateway.stop(), naive.stop()]);
      await store.close();
    }
  }
  return figures;
}

async function benchOperation(store: BenchStore, operation: Operation, gateway: GatewayProcess, naive: GatewayProcess, options: QueryBenchOptions): Promise<QueryFigures> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${store.token}` };
  const body = requestBody(operation);
  const expectedBody = await answer(`${gateway.url}/graphql`, headers, body);
  if ((await answer(`${naive.url}/graphql`, headers, body)) !== expectedBody) throw new Error(`${operation.name}: the naive gateway answers differently`);
  const bare = await startBareServer(expectedBody);
  try {
    const targets = {
      gateway: { url: `${gateway.url}/graphql`, headers, body, expectedBody },
      naive: { url: `${naive.url}/graphql`, headers, body, expectedBody },
      bare: { url: bare.url, headers, body, expectedBody },
    } satisfies Record<string, Target>;
    options.log(`queries: ${store.dialect} ${operation.name}, warm-up`);
    for (const target of Object.values(targets)) await load(target, Math.max(1, options.seconds / 2));
    const runs: Record<keyof typeof targets, LoadFigures[]> = { gateway: [], naive: [], bare: [] };
    for (let round = 0; round < options.rounds; round++) {
      for (const name of ['gateway', 'naive', 'bare'] as const) runs[name].push(await load(targets[name], options.seconds));
      const last = (name: keyof typeof targets) => Math.round(runs[name].at(-1)!.requestsPerSecond);
      options.log(`queries: ${store.dialect} ${operation.name}, round ${round + 1}: ${last('gateway')} / naive ${last('naive')} / bare ${last('bare')} req/s`);
    }
    const ratio = (reference: LoadFigures[]) => median(runs.gateway.map((run, i) => run.requestsPerSecond / reference[i]!.requestsPerSecond));
    return {
      dialect: store.dialect,
      operation: operation.name,
      responseBytes: Buffer.byteLength(expectedBody),
      gateway: summarize(runs.gateway),
      naive: summarize(runs.naive),
      bare: summarize(runs.bare),
      vsNaive: ratio(runs.naive),
      vsBare: ratio(runs.bare),
    };
  } finally {
    await bare.stop();
  }
}

/** The gateway's answer, which must be data without errors: the bytes every later answer must equal. */
async function answer(url: string, headers: Record<string, string>, body: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok || (JSON.parse(text) as { errors?: unknown }).errors) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

function summarize(runs: LoadFigures[]): LoadFigures {
  return {
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
  };
}

/** The targets of issue 8, by operation. */
export const TARGETS: { operation: string; dialect?: DialectName; reference: 'naive' | 'bare'; ratio: number }[] = [
  { operation: 'portability page', dialect: 'postgres', reference: 'naive', ratio: 3 },
  { operation: 'portability page', dialect: 'sqlite', reference: 'naive', ratio: 1.3 },
  { operation: 'profile', reference: 'bare', ratio: 0.5 },
];
