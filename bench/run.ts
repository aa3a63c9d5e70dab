import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { DialectName } from '../src/store/index.js';
import { postgresReachable } from './fixtures.js';
import { archiveSection, benchArchives } from './archives.js';
import { benchFederated } from './federated.js';
import { federatedSection } from './federated-section.js';
import { canPin } from './gateway-process.js';
import { profileOperations } from './profiles.js';
import { benchQueries } from './queries.js';
import { HAND_MEASURED, profilesSection, queriesSection, statementsSection } from './report.js';
import { subscriptionsSection } from './subscriptions-section.js';
import { countStatements } from './statements.js';
import { benchSubscriptions, type SubscriptionFigures } from './subscriptions.js';

/**
 * `npm run bench`: runs the benchmarks and writes BENCHMARKS.md, one section each.
 * - `--sections queries,statements` runs only those; the file keeps the other sections as they were.
 * - `--short`: seconds, for CI: checks the harness works, the statement counts hold and the
 *   federated page costs the gateway one posts and two messages subgraph requests, and
 *   prints the report instead of writing it (no figure of a short run is worth keeping).
 * - `--rounds N`: how many runs each figure is the median of (default 5): query and federated
 *   rounds, subscription runs, archive/dump pairs; `--query-seconds N`: each query and federated
 *   run (default 5 s);
 *   `--subscribers 1000,10000,20000`, `--seconds N`: the subscription runs.
 * PostgreSQL figures use a database `bench` (or `BENCH_DATABASE_NAME`) created anew on
 * `BENCH_DATABASE_URL`'s server (default postgres://postgres@127.0.0.1:5432); without a server
 * there they are left out.
 */
const { values: args } = parseArgs({
  options: {
    sections: { type: 'string' },
    short: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    'query-seconds': { type: 'string' },
    subscribers: { type: 'string' },
    seconds: { type: 'string' },
  },
});
const short = args.short;
/** Runs each figure is the median of. */
const rounds = Number(args.rounds ?? (short ? 1 : 5));

// The load generator takes core 1; each server under test is started on core 0.
if (canPin) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const log = (message: string) => console.error(message);
const postgresUrl = process.env.BENCH_DATABASE_URL ?? (short ? process.env.TEST_DATABASE_URL : undefined) ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dialects: DialectName[] = (await postgresReachable(postgresUrl)) ? ['sqlite', 'postgres'] : ['sqlite'];
// A short run may overlap a test run or another short run: it gets a database of its own.
// BENCH_DATABASE_NAME keeps a full run apart from another one on the same server.
const databaseName = short ? `bench_short_${process.pid}` : (process.env.BENCH_DATABASE_NAME ?? 'bench');
const store = { postgresUrl, databaseName, log };

/** A section of BENCHMARKS.md: runs its benchmark and renders its markdown, heading included. */
interface Section {
  name: string;
  run(): Promise<string>;
}

const SECTIONS: Section[] = [
  {
    name: 'queries',
    run: async () => queriesSection(machine, await benchQueries({ ...store, dialects: short ? ['sqlite'] : dialects, rounds, seconds: Number(args['query-seconds'] ?? (short ? 1 : 5)) })),
  },
  { name: 'statements', run: async () => statementsSection(machine, await countStatements({ ...store, dialects })) },
  { name: 'profiles', run: async () => profilesSection(machine, await profileOperations({ ...store, dialects: short ? ['sqlite'] : dialects, seconds: short ? 1 : 10 })) },
  {
    name: 'subscriptions',
    async run() {
      const counts = (args.subscribers ?? (short ? '100' : '1000,10000,20000')).split(',').map(Number);
      const seconds = Number(args.seconds ?? (short ? 2 : 20));
      const results: SubscriptionFigures[][] = [];
      for (const subscribers of counts) {
        const group: SubscriptionFigures[] = [];
        for (let run = 1; run <= rounds; run++) {
          log(`subscriptions: ${subscribers} subscribers, ${seconds} s, run ${run} of ${rounds} …`);
          group.push(await benchSubscriptions(subscribers, seconds));
        }
        results.push(group);
      }
      return subscriptionsSection(machine, results, seconds);
    },
  },
  {
    // A million records: never part of a short run.
    name: 'archives',
    async run() {
      log('archives: sqlite …');
      const results = [await benchArchives(rounds)];
      if (dialects.includes('postgres')) {
        log('archives: postgres …');
        results.push(await benchArchives(rounds, postgresUrl));
      }
      return archiveSection(results, machine);
    },
  },
  {
    name: 'federated',
    run: async () =>
      federatedSection(machine, await benchFederated({ ...store, dialects: short ? ['sqlite'] : dialects, rounds, seconds: Number(args['query-seconds'] ?? (short ? 1 : 5)) }), rounds),
  },
];

const selected = args.sections?.split(',') ?? SECTIONS.map((s) => s.name).filter((name) => !(short && name === 'archives'));
const unknown = selected.filter((name) => !SECTIONS.some((s) => s.name === name));
if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; sections are ${SECTIONS.map((s) => s.name).join(', ')}`);

const file = new URL('../BENCHMARKS.md', import.meta.url);
const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
const rendered: string[] = [];
for (const section of SECTIONS) {
  const kept = new RegExp(`<!-- section: ${section.name} -->[\\s\\S]*?<!-- /section -->`).exec(previous)?.[0];
  if (selected.includes(section.name)) rendered.push(`<!-- section: ${section.name} -->\n${(await section.run()).trim()}\n<!-- /section -->`);
  else if (kept) rendered.push(kept);
}

const report = `# Benchmarks

Written by \`npm run bench\` (sections: ${selected.join(', ')}, last run ${new Date().toISOString().slice(0, 10)}, load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores as it ended). ${canPin ? 'Servers under test run pinned to core 0 and the load generator to core 1 (taskset).' : 'taskset is not available here: servers and load generator share the cores.'}

${rendered.join('\n\n')}

${HAND_MEASURED}
`;
if (short) console.log(report);
else {
  fs.writeFileSync(file, report);
  console.log(report);
}
