/**
 * One measured run of the archive benchmark, in a process of its own so its peak RSS is its
 * own: `archive` exports through the gateway's archive worker, `dump` reads the same rows with
 * plain keyset SQL and writes them as JSON Lines. Prints one JSON line of figures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import v8 from 'node:v8';
import { sql } from 'kysely';
import { startArchiveSystem } from '../src/archive/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { BENCH_USER } from './archive-seed.js';

const [mode, dataDir, databaseUrl] = process.argv.slice(2);
// The largest young generation (new space) the main thread's heap reached, sampled as the run goes.
let youngGenerationBytes = 0;
const sampleYoungGeneration = () => {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  youngGenerationBytes = Math.max(youngGenerationBytes, space?.space_size ?? 0);
};
const store = await openStore({ databaseUrl: databaseUrl || undefined, dataDir: dataDir! });
const started = performance.now();
const cpuStarted = process.cpuUsage();
const result = mode === 'archive' ? await archive(store) : await dump(store);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
await store.close();
// The process's own high-water mark. getrusage's maxRSS is not: Linux carries the forking
// parent's RSS over exec into it, so under a long \`npm run bench\` it read the harness's size.
const peakRssBytes = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
sampleYoungGeneration();
console.log(JSON.stringify({ ...result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssBytes, youngGenerationBytes }));
process.exit(0);

async function archive(store: Store) {
  const system = await startArchiveSystem({
    db: store.db, sources: store.sources, dataDir: dataDir!, baseUrl: 'http://bench', lifetimeMs: 3_600_000, intervalMs: 1, webhookBackoffMs: 1000, onError: (e) => console.error(e),
    // The measured job's grant is made up, with no row to check: it always holds.
    grantLapse: async () => undefined,
  });
  const grantId = `bench-grant-${Date.now()}`;
  const row = await system.archives.request({ userId: BENCH_USER, appId: 'bench-app', grantId, mode: 'single' }, ['profile', 'posts', 'follows', 'activity', 'messages']);
  for await (const state of system.archives.watch(grantId, row.id)) {
    sampleYoungGeneration();
    if (state.status === 'READY') {
      await system.close();
      const files = JSON.parse(state.progress) as Record<string, number>;
      return { records: Object.values(files).reduce((a, b) => a + b, 0), bytes: state.sizeBytes! };
    }
    if (state.status !== 'PENDING' && state.status !== 'RUNNING') throw new Error(`archive ended ${state.status}: ${state.error}`);
  }
  throw new Error('the archive never finished');
}

async function dump(store: Store) {
  const out = fs.createWriteStream(path.join(dataDir!, 'dump.jsonl'));
  let records = 0;
  let bytes = 0;
  const write = async (rows: object[]) => {
    const chunk = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    records += rows.length;
    sampleYoungGeneration();
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  };
  // The same rows the archive holds, keyset-paged a thousand at a time in the order an index
  // serves (messages conversation by conversation, then by time), serialized as they come.
  const { rows: conversations } = await sql<{ conversationId: string }>`SELECT conversation_id FROM conversation_participants WHERE user_id = ${BENCH_USER} ORDER BY conversation_id`.execute(store.db);
  const tables = [
    { from: sql`posts WHERE author_id = ${BENCH_USER}`, key: ['created_at', 'id'] },
    { from: sql`activity_events WHERE user_id = ${BENCH_USER}`, key: ['occurred_at', 'id'] },
    ...conversations.map(({ conversationId }) => ({ from: sql`messages WHERE conversation_id = ${conversationId}`, key: ['sent_at', 'id'] })),
  ];
  const camel = (column: string) => column.replace(/_(.)/g, (_m, c: string) => c.toUpperCase());
  for (const table of tables) {
    const key = sql.join(table.key.map((column) => sql.ref(column)));
    let after: unknown[] | undefined;
    for (;;) {
      const keyset = after ? sql`AND (${key}) > (${sql.join(after)})` : sql``;
      const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${table.from} ${keyset} ORDER BY ${key} LIMIT 1000`.execute(store.db);
      if (rows.length === 0) break;
      await write(rows);
      const last = rows.at(-1)!;
      after = table.key.map((column) => last[camel(column)]);
    }
  }
  out.end();
  await once(out, 'close');
  return { records, bytes };
}
