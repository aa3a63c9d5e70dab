// Starts one reference subgraph: `tsx examples/subgraphs/main.ts posts|messages` (see README.md).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { messagesSubgraph } from './messages/index.js';
import { postsSubgraph } from './posts/index.js';
import { serveSubgraph } from './server.js';
import { openDatabase } from './sqlite.js';
import type { SubgraphName } from './subgraph.js';
import { TestKnobs } from './test-knobs.js';

const DEFAULT_PORTS: Record<SubgraphName, number> = { posts: 4001, messages: 4002 };
const CREATE = { posts: postsSubgraph, messages: messagesSubgraph };

const environment = z.object({
  /** The port to listen on; 0 takes a free one. Defaults to 4001 (posts) or 4002 (messages). */
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
  const name = process.argv[2];
  if (name !== 'posts' && name !== 'messages') fail('usage: tsx examples/subgraphs/main.ts posts|messages');
  const parsed = environment.safeParse(process.env);
  if (!parsed.success) fail(z.prettifyError(parsed.error));
  const env = parsed.data;

  const knobs = env.SUBGRAPH_TEST_KNOBS === 'on' ? new TestKnobs() : undefined;
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
