// Starts one reference subgraph: `tsx examples/subgraphs/main.ts profile|posts|follows|activity|messages` (see README.md).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Database } from 'better-sqlite3';
import { activitySubgraph } from './activity/index.js';
import { followsSubgraph } from './follows/index.js';
import { messagesSubgraph } from './messages/index.js';
import { postsSubgraph } from './posts/index.js';
import { profileSubgraph } from './profile/index.js';
import { serveSubgraph } from './server.js';
import { openDatabase } from './sqlite.js';
import { SUBGRAPH_NAMES, type Subgraph, type SubgraphName } from './subgraph.js';
import { TestKnobs } from './test-knobs.js';

const DEFAULT_PORTS: Record<SubgraphName, number> = { posts: 4001, messages: 4002, profile: 4003, follows: 4004, activity: 4005 };
const CREATE: Record<SubgraphName, (db: Database) => Subgraph> = {
  profile: profileSubgraph,
  posts: postsSubgraph,
  follows: followsSubgraph,
  activity: activitySubgraph,
  messages: messagesSubgraph,
};

const environment = z.object({
  /** The port to listen on; 0 takes a free one. Defaults to 4001 (posts), 4002 (messages), 4003 (profile), 4004 (follows) or 4005 (activity). */
  PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** The interface to listen on. @default 127.0.0.1 */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** The bearer token every request must carry; unset, the subgraph answers anyone. */
  SUBGRAPH_TOKEN: z.string().min(1).optional(),
  /** The SQLite file of this subgraph's own store. @default :memory: */
  SUBGRAPH_DB: z.string().min(1).default(':memory:'),
  /** `demo` loads the gateway's demo data set for this category at start. */
  SEED: z.enum(['demo']).optional(),
  /** A JSON-lines file of records in the contract's shape, loaded at start. */
  SEED_FILE: z.string().min(1).optional(),
  /** `on` enables the test-only knobs under `/admin/` (faults, counters, records). */
  SUBGRAPH_TEST_KNOBS: z.enum(['on', 'off']).default('off'),
});

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** The records of a JSON-lines file, or a message naming the line that is not JSON. */
function readRecords(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        return fail(`SEED_FILE: line ${index + 1} of ${file} is not JSON`);
      }
    });
}

async function main(): Promise<void> {
  const name = SUBGRAPH_NAMES.find((known) => known === process.argv[2]);
  if (name === undefined) fail(`usage: tsx examples/subgraphs/main.ts ${SUBGRAPH_NAMES.join('|')}`);
  const parsed = environment.safeParse(process.env);
  if (!parsed.success) fail(z.prettifyError(parsed.error));
  const env = parsed.data;

  const knobs = env.SUBGRAPH_TEST_KNOBS === 'on' ? new TestKnobs(name) : undefined;
  const subgraph = CREATE[name](openDatabase(env.SUBGRAPH_DB, knobs?.countStatement));
  if (env.SEED === 'demo') await subgraph.seedDemo();
  if (env.SEED_FILE !== undefined) {
    try {
      subgraph.load(readRecords(env.SEED_FILE));
    } catch (error) {
      fail(`SEED_FILE: ${(error as Error).message}`);
    }
  }

  knobs?.resetCounters();

  const server = await serveSubgraph({ subgraph, host: env.HOST, port: env.PORT ?? DEFAULT_PORTS[name], token: env.SUBGRAPH_TOKEN, interceptor: knobs });
  console.log(`${name} subgraph ready at ${server.url}`);

  const stop = async () => {
    await server.close();
    subgraph.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
