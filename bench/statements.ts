import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config/index.js';
import { startGateway } from '../src/server/index.js';
import type { DialectName, Store } from '../src/store/index.js';
import { BENCH_ISSUER, prepareStore } from './fixtures.js';
import { OPERATIONS, requestBody } from './operations.js';

/** The page sizes statements are counted at. */
export const PAGE_SIZES = [5, 50, 100];

/**
 * The most statements each operation may run batched (issue 16: no more than when it was set),
 * whatever the page size.
 */
export const STATEMENT_CEILINGS: Record<string, number> = { profile: 2, 'portability page': 10, node: 4 };

/** SQL statements one request of an operation runs, at each page size, batched and naive. */
export interface StatementCounts {
  dialect: DialectName;
  operation: string;
  batched: number[];
  naive: number[];
}

/**
 * Counts the statements of each operation at each page size on an in-process gateway whose store
 * reports every statement (the mechanism of test/loaders/statement-count.test.ts). Throws when a
 * batched count depends on the page size (the property the loaders exist for) or is above its
 * {@link STATEMENT_CEILINGS}.
 */
export async function countStatements(options: { dialects: DialectName[]; postgresUrl?: string | undefined; databaseName: string }): Promise<StatementCounts[]> {
  const counts: StatementCounts[] = [];
  for (const dialect of options.dialects) {
    const fixture = await prepareStore(dialect, options);
    try {
      const batched = await counter(fixture.open, fixture.env, fixture.token, 'on');
      const naive = await counter(fixture.open, fixture.env, fixture.token, 'off');
      try {
        for (const operation of OPERATIONS) {
          const row: StatementCounts = { dialect, operation: operation.name, batched: [], naive: [] };
          for (const n of PAGE_SIZES) {
            row.batched.push(await batched.count(requestBody(operation, operation.atPageSize(n))));
            row.naive.push(await naive.count(requestBody(operation, operation.atPageSize(n))));
          }
          if (new Set(row.batched).size !== 1) throw new Error(`${dialect} ${operation.name}: statements vary with the page size: ${row.batched.join(', ')}`);
          const ceiling = STATEMENT_CEILINGS[operation.name] ?? 0;
          if (row.batched[0]! > ceiling) throw new Error(`${dialect} ${operation.name}: ${row.batched[0]} statements, more than the ${ceiling} allowed`);
          counts.push(row);
        }
      } finally {
        await Promise.all([batched.close(), naive.close()]);
      }
    } finally {
      await fixture.close();
    }
  }
  return counts;
}

/**
 * Statements not counted, as they are not the request's own: the log tailer, the archive worker
 * and webhook delivery poll in the background; a token is read once and then remembered for
 * seconds; the access log is written in batches shared by every request of the last 50 ms. The
 * grant check is counted: it is remembered too, so after {@link counter}'s first request it is
 * absent unless memory stopped being trusted.
 */
const UNCOUNTED = /from "changes"|from "oidc_payloads"|into "access_log"|"(archives|webhook_events)"/i;

async function counter(open: (onQuery: (sql: string) => void) => Promise<Store>, env: Record<string, string>, token: string, batching: 'on' | 'off') {
  const statements: string[] = [];
  const store = await open((sql) => UNCOUNTED.test(sql) || statements.push(sql));
  // Page size 100 of the nested operations costs more than the default maximum a caller may ask.
  const config = loadConfig({ ...env, NODE_ENV: 'production', PORT: '0', RATE_LIMITS: 'off', MAX_QUERY_COST: '1000000', BATCHING: batching, PUBLIC_URL: BENCH_ISSUER });
  const gateway = await startGateway(config, { store });
  const { port } = gateway.httpServer.address() as AddressInfo;
  const run = async (body: string): Promise<number> => {
    statements.length = 0;
    const response = await fetch(`http://localhost:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    const answer = (await response.json()) as { errors?: unknown };
    if (!response.ok || answer.errors) throw new Error(`statement count: ${response.status} ${JSON.stringify(answer.errors)}`);
    return statements.length;
  };
  // The token's first request reads its grant; every counted one is a later request, as most are.
  await run(requestBody(OPERATIONS[0]!, OPERATIONS[0]!.atPageSize(PAGE_SIZES[0]!)));
  return {
    count: run,
    async close() {
      await gateway.close();
      await store.close();
    },
  };

}
