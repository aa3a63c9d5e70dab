import { CONNECTIONS, type LoadFigures } from './load.js';
import type { OperationProfile } from './profiles.js';
import { ratioTo, TARGETS, type QueryFigures, type Reference, type ThroughputTarget } from './queries.js';
import { PAGE_SIZES, STATEMENT_CEILINGS, type StatementCounts } from './statements.js';

// Each section of BENCHMARKS.md, rendered from its figures; every row names the machine.

export function queriesSection(machine: string, figures: QueryFigures[]): string {
  const ms = (value: number) => value.toFixed(value < 10 ? 1 : 0);
  const rps = (value: number) => Math.round(value).toLocaleString('en');
  const cells = (run: LoadFigures, ratio?: number) => `${rps(run.requestsPerSecond)} | ${ms(run.p50Ms)} / ${ms(run.p99Ms)}${ratio === undefined ? '' : ` | **${ratio.toFixed(2)}×**`}`;
  const row = (f: QueryFigures) =>
    `| ${f.operation} | ${f.dialect} | ${cells(f.gateway)} | ${cells(f.naive, f.vsNaive)} | ${cells(f.apollo, f.vsApollo)} | ${cells(f.bare, f.vsBare)} | ${(f.responseBytes / 1024).toFixed(1)} | ${machine} |`;
  const verdicts = queryVerdicts(figures);
  return `## Queries: throughput against the naive gateway, Apollo alone and the wire

Three operations as alice, with a one-time grant of every category:
**profile** (\`viewer { profile { … } }\`), the **portability page** (the profile, 50 posts,
100 followers with their public fields, 20 conversations with their participants and 20 messages
each with its sender) and **node** (\`node(id:)\` of a message, which checks that alice takes part
in its conversation). The gateway runs as \`npm start\` does, \`NODE_ENV=production\`, with auth
(an opaque token, remembered for 2 s, and its grant, app and user checked on every request,
from memory while the store vouches none of them changed) and the access log on, and \`RATE_LIMITS=off\`. The references are **naive**: the same gateway with
\`BATCHING=off\` (every key loaded on its own, nothing cached); **Apollo alone**: Apollo Server 5
on \`node:http\` through \`executeHTTPGraphQLRequest\` with the gateway's schema, its root value
the data of the gateway's recorded answer, so every field resolves by graphql-js's default
resolver from memory (no store, no auth, no limits, no logs; the recorded \`extensions\` set on
each answer so the bytes are the gateway's; cache-control and landing-page plugins off as in the
gateway; bench/apollo-alone.ts), the cost of Apollo's request pipeline and execution by itself;
and **bare**: a \`node:http\` server writing the very response bytes, computed in advance: the
wire limit. Each reference runs in its own process pinned like the gateway. autocannon drives
each with ${CONNECTIONS} connections, one request in flight on each (no pipelining), and checks
every answer's bytes against the gateway's. Each figure is the median of the rounds; a round
runs gateway, naive, Apollo alone and bare back to back, and a ratio is the median of the
rounds' ratios, so drift on a shared machine hits both sides alike. Latency is p50 / p99 in ms.

| operation | store | gateway req/s | p50 / p99 | naive req/s | p50 / p99 | vs naive | Apollo alone req/s | p50 / p99 | vs Apollo alone | bare req/s | p50 / p99 | vs bare | response KiB | machine |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${figures.map(row).join('\n')}

Targets (issue 16):
${verdicts.lines.join('\n')}
${verdicts.missed.length > 0 ? `\n${verdicts.missed.map((target) => MISSED[target.reference]).filter((text, i, all) => all.indexOf(text) === i).join('\n\n')}` : ''}`;
}

/** Each target's verdict line, and the targets the figures miss. */
function queryVerdicts(figures: QueryFigures[]): { lines: string[]; missed: ThroughputTarget[] } {
  const lines: string[] = [];
  const missed: ThroughputTarget[] = [];
  for (const target of TARGETS) {
    const measured = figures.find((f) => f.operation === target.operation && f.dialect === target.dialect);
    const what = `${target.operation} on ${target.dialect} ≥ ${target.ratio}× ${REFERENCE_NAMES[target.reference]}`;
    if (!measured) {
      lines.push(`- ${what}: not measured in this run.`);
      continue;
    }
    const ratio = ratioTo(measured, target.reference);
    const holds = ratio >= target.ratio;
    if (!holds) missed.push(target);
    lines.push(`- ${what}: ${ratio.toFixed(2)}×, **${holds ? 'holds' : 'does not hold'}**.${holds || target.reference !== 'bare' ? '' : ` ${apolloBound(measured, target)}`}`);
  }
  return { lines, missed };
}

/**
 * How far Apollo alone itself gets toward a missed target against bare: the gateway keeps Apollo
 * Server as `/graphql`'s server (issue 16's own condition), so it cannot outrun Apollo alone.
 */
function apolloBound(measured: QueryFigures, target: ThroughputTarget): string {
  const apolloVsBare = measured.apollo.requestsPerSecond / measured.bare.requestsPerSecond;
  const reaches = `Apollo alone, answering the same page from memory, reaches ${apolloVsBare.toFixed(2)}× bare in the same rounds`;
  if (apolloVsBare < target.ratio) return `${reaches}, below the target itself: no gateway that keeps Apollo Server reaches it on this machine.`;
  const allowed = Math.round((apolloVsBare / target.ratio - 1) * 100);
  const taken = Math.round((1 / measured.vsApollo - 1) * 100);
  return `${reaches}: the target leaves the gateway ${allowed} % more time per request than Apollo alone, and it takes ${taken} %.`;
}

const REFERENCE_NAMES: Record<Reference, string> = { naive: 'naive', apollo: 'Apollo alone', bare: 'bare' };

/**
 * What stands in the way of a missed target, by its reference, and what was tried; the profiles
 * section below shows where the time goes.
 */
const MISSED: Record<Reference, string> = {
  apollo: `What stands in the way of profile ≥ its target against Apollo alone: Apollo alone answers
from memory, so its time is Apollo's own request pipeline (hashing the query, the document and
validation caches, the plugin hooks, execution, \`JSON.stringify\`) and \`node:http\`. The
gateway runs the same pipeline and adds, per
request, work Apollo alone does not do at all: the token lookup and the grant check (from
memory, after a check that the store vouches nothing changed: on SQLite a one-row version read,
on PostgreSQL a heartbeat of the listening connection), the profile read (one indexed read built
through Kysely, then run), the request log line (pino-http, one synchronous write each), the
access-log row, the metrics, the cost pricing and \`extensions.cost\`, and the armor, limits,
correlation, observability and access-log plugins' hooks. Each of those is a few percent of the
profile below; together they cost several times Apollo alone. Tried, and in the code: the grant,
its app and its user remembered per instance and dropped on the store's notification; the
execution timeout checks a deadline in the fields that resolve something instead of a
\`willResolveField\` hook (with one, Apollo wraps every field's resolver, and graphql-jit no
longer inlines default field resolution); pricing is remembered per document and page-size
shape; request bodies are read with the stream's events; \`Accept\` headers are negotiated once
per distinct header. Tried and left out: an asynchronous log destination (within the noise of
alternating runs). What would narrow it further: the profile read without Kysely building its
query on every request, and a leaner request log.`,
  bare: `What stands in the way of the portability page ≥ its target against bare: bare writes 165 KiB
computed in advance, while the gateway reads about 1 500 rows in ten statements, builds the
objects, executes a selection of about 6 000 fields and serializes them. In its profile below
garbage collection leads (a fifth), then the store's statements (SQLite runs in-process), then
writing the answer: Apollo's \`stringifyResult\` is \`JSON.stringify\` plus a newline (not
pretty-printing), and the demo data holds characters beyond Latin-1, so the answer is a
two-byte string whose UTF-8 encoding on the socket costs more than the stringify itself (about
0.7 ms a page, measured alone). Apollo alone, answering the same page from memory with no store,
stands in the table above: its own distance to bare is the part of the gap that no work of the
gateway's explains. Tried, and in the code: the deadline check in place of
\`willResolveField\` (graphql-jit inlines the page's default fields again), remembered URL
serialization (graphql-scalars parsed every URL with \`new URL\`) and the price remembered.
Tried and left out: escaping non-ASCII in the JSON so the answer is one-byte (the escaping pass
costs more than it saves); global ids and cursors encoded without a Buffer (no gain the
alternating runs could tell from noise).
What is left is allocation: rows, DataLoader promises and graphql-jit's result objects.`,
  naive: `What stands in the way of the portability page ≥ 3× naive on PostgreSQL: the naive gateway runs
more than a thousand statements a page, each a round trip to the server; batching makes them
ten. When the ratio falls short, the time the gateway saves on statements is spent in the work
both share (execution, serialization, garbage collection: the profiles section below).`,
};

/** Figures measured by hand when a design choice was made; the bench does not rerun them. */
export const HAND_MEASURED = `## Measured once, by hand

Figures behind design choices in the code, measured when each choice was made rather than by
\`npm run bench\`; the code's comments point here instead of repeating them.

- \`/graphql\` is served through Apollo's \`executeHTTPGraphQLRequest\` straight from \`node:http\`:
  about 2.8× the throughput of Apollo's Express integration.
- Censoring secrets in log lines: pino's \`redact\` with wildcard paths cost about 100 µs per request
  line, more than the rest of a small request; the gateway's own walk costs about 1 µs.
- \`isoTime\` (archive records): about five times faster than \`new Date(ms).toISOString()\`.
- Loading \`@faker-js/faker\` costs a process about 40 MB, so only seeding imports it.`;

export function statementsSection(machine: string, counts: StatementCounts[]): string {
  const row = (c: StatementCounts) => `| ${c.operation} | ${c.dialect} | ${c.batched.join(' / ')} | ${c.naive.join(' / ')} | ${machine} |`;
  return `## Statements per operation

SQL statements one request runs, at page sizes ${PAGE_SIZES.join(', ')} (every connection of the
operation at that size; profile and node have none, so they run the same request three times).
Each counted request follows an earlier one with the same token, as most do. The grant check is
counted: it is remembered until a grant, app or user changes, so it is absent here (on SQLite,
checking that memory reads a one-row version table outside the store's query log, uncounted).
The token's own read (once, then remembered for 2 s) and the access-log row (written in batches
shared by all requests of 50 ms) are not counted. Batched, the count
depends on the operation's shape only; \`npm run bench -- --short\` fails if it ever depends on
the page size, or is above the target.

| operation | store | batched (${PAGE_SIZES.join(' / ')}) | naive, \`BATCHING=off\` (${PAGE_SIZES.join(' / ')}) | machine |
|---|---|---|---|---|
${counts.map(row).join('\n')}

Target (issue 16): batched, constant in the page size and at most ${Object.entries(STATEMENT_CEILINGS).map(([operation, n]) => `${n} for ${operation}`).join(', ')}: **${statementsHold(counts) ? 'holds' : 'does not hold'}**.`;
}

function statementsHold(counts: StatementCounts[]): boolean {
  return counts.every((c) => new Set(c.batched).size === 1 && c.batched[0]! <= (STATEMENT_CEILINGS[c.operation] ?? 0));
}

export function profilesSection(machine: string, profiles: OperationProfile[]): string {
  const block = (p: OperationProfile) => `### ${p.operation} on ${p.dialect} (${Math.round(p.requestsPerSecond).toLocaleString('en')} req/s under the profiler; ${machine})

| package | self time |
|---|---|
${p.summary.packages.map((x) => `| ${x.name} | ${x.percent} % |`).join('\n')}

| function | where | self time |
|---|---|---|
${p.summary.functions.map((x) => `| \`${x.name}\` | ${x.where} | ${x.percent} % |`).join('\n')}`;
  return `## Where the time goes: CPU profiles

Each operation driven alone against a gateway started with \`--cpu-prof\`, after a warm-up; self
time summed by package (\`gateway\` is this repository's code, \`node (internals)\` Node's own
JavaScript, \`(garbage collector)\` and \`(program)\` V8) and by function, as a share of the
gateway's busy time.

${profiles.map(block).join('\n\n')}`;
}
