import type { DialectName } from '../src/store/index.js';
import { prepareStore, type BenchStore } from './fixtures.js';
import { median, startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { load, startApolloAlone, startBareServer, type LoadFigures, type Target } from './load.js';
import { OPERATIONS, requestBody, type Operation } from './operations.js';

/** One operation on one store: the gateway beside its two references. */
export interface QueryFigures {
  dialect: DialectName;
  operation: string;
  responseBytes: number;
  gateway: LoadFigures;
  /** The same gateway with `BATCHING=off`. */
  naive: LoadFigures;
  /** Apollo Server alone answering the same bytes from memory (bench/apollo-alone.ts). */
  apollo: LoadFigures;
  /** node:http writing the same response bytes, computed in advance. */
  bare: LoadFigures;
  /** Median over the rounds of gateway ÷ naive throughput, each round's runs back to back. */
  vsNaive: number;
  vsApollo: number;
  vsBare: number;
}

/** The references a query's throughput is measured against. */
export type Reference = 'naive' | 'apollo' | 'bare';

export interface QueryBenchOptions {
  dialects: DialectName[];
  /** Rounds; each runs the gateway and each reference once, in turn. */
  rounds: number;
  seconds: number;
  postgresUrl?: string | undefined;
  /** The PostgreSQL database created for the run. */
  databaseName: string;
  log(message: string): void;
}

/** Throughput and latency of the three operations against the naive, Apollo-alone and bare references. */
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
  const [bare, apollo] = await Promise.all([startBareServer(expectedBody), startApolloAlone(expectedBody)]);
  try {
    if ((await answer(apollo.url, headers, body)) !== expectedBody) throw new Error(`${operation.name}: Apollo alone answers differently`);
    const targets = {
      gateway: { url: `${gateway.url}/graphql`, headers, body, expectedBody },
      naive: { url: `${naive.url}/graphql`, headers, body, expectedBody },
      apollo: { url: apollo.url, headers, body, expectedBody },
      bare: { url: bare.url, headers, body, expectedBody },
    } satisfies Record<string, Target>;
    options.log(`queries: ${store.dialect} ${operation.name}, warm-up`);
    for (const target of Object.values(targets)) await load(target, Math.max(1, options.seconds / 2));
    const runs: Record<keyof typeof targets, LoadFigures[]> = { gateway: [], naive: [], apollo: [], bare: [] };
    for (let round = 0; round < options.rounds; round++) {
      for (const name of ['gateway', 'naive', 'apollo', 'bare'] as const) runs[name].push(await load(targets[name], options.seconds));
      const last = (name: keyof typeof targets) => Math.round(runs[name].at(-1)!.requestsPerSecond);
      options.log(`queries: ${store.dialect} ${operation.name}, round ${round + 1}: ${last('gateway')} / naive ${last('naive')} / Apollo alone ${last('apollo')} / bare ${last('bare')} req/s`);
    }
    const ratio = (reference: LoadFigures[]) => median(runs.gateway.map((run, i) => run.requestsPerSecond / reference[i]!.requestsPerSecond));
    return {
      dialect: store.dialect,
      operation: operation.name,
      responseBytes: Buffer.byteLength(expectedBody),
      gateway: summarize(runs.gateway),
      naive: summarize(runs.naive),
      apollo: summarize(runs.apollo),
      bare: summarize(runs.bare),
      vsNaive: ratio(runs.naive),
      vsApollo: ratio(runs.apollo),
      vsBare: ratio(runs.bare),
    };
  } finally {
    await Promise.all([bare.stop(), apollo.stop()]);
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

/** A throughput target: the gateway's ratio to a reference, on one store. */
export interface ThroughputTarget {
  operation: string;
  dialect: DialectName;
  reference: Reference;
  /** The least ratio that meets the target. */
  ratio: number;
}

/** The targets of issue 16 (“a query costs little more than Apollo itself”), by operation and store. */
export const TARGETS: ThroughputTarget[] = [
  { operation: 'profile', dialect: 'sqlite', reference: 'apollo', ratio: 0.75 },
  { operation: 'profile', dialect: 'postgres', reference: 'apollo', ratio: 0.6 },
  { operation: 'portability page', dialect: 'sqlite', reference: 'bare', ratio: 0.25 },
  { operation: 'portability page', dialect: 'postgres', reference: 'bare', ratio: 0.15 },
  { operation: 'portability page', dialect: 'postgres', reference: 'naive', ratio: 3 },
];

/** The gateway's ratio to `reference` in `figures`. */
export function ratioTo(figures: QueryFigures, reference: Reference): number {
  return reference === 'naive' ? figures.vsNaive : reference === 'apollo' ? figures.vsApollo : figures.vsBare;
}
