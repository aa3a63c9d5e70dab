import { BENCH_SUBGRAPHS, type BenchSubgraphName } from './bench-subgraphs.js';
import type { FederatedFigures, SideFigures } from './federated.js';
import { HIVE_GATEWAY_VERSION } from './hive-gateway.js';
import { CONNECTIONS } from './load.js';

const ms = (value: number) => value.toFixed(value < 10 ? 1 : 0);
const rps = (value: number) => Math.round(value).toLocaleString('en');

/** What the request counts say: the gateway's are fixed (the run fails otherwise), Hive Gateway's are its planner's. */
function requestsExplained({ hive }: FederatedFigures): string {
  const gateway = `The gateway sends one request per subgraph per level of the operation: one \`_entities\` to the
posts subgraph, and two to the messages subgraph (the viewer's conversations, then the messages
of all twenty in one request); the run fails if it sends any other number.`;
  const nested =
    hive.requests.messages === 1
      ? `\nHive Gateway's planner asks the messages subgraph for the conversations and their messages
in one nested selection, since both live there.`
      : '';
  return `${gateway}${nested} Hive Gateway's ${hive.requests.people} requests to the people subgraph
are the viewer first, then the participants and senders once the messages subgraph has given
their ids.`;
}

/** The `federated` section of BENCHMARKS.md. */
export function federatedSection(machine: string, figures: FederatedFigures[], rounds: number): string {
  const first = figures[0]!;
  const underLoad = (f: FederatedFigures, name: BenchSubgraphName) => `${f.gateway.requestsUnderLoad[name].toFixed(2)} | ${f.hive.requestsUnderLoad[name].toFixed(2)}`;
  const requestRow = (name: BenchSubgraphName) =>
    `| ${name} | ${first.gateway.requests[name]} | ${first.hive.requests[name]} | ${figures.map((f) => underLoad(f, name)).join(' | ')} |`;
  const loadHeadings = figures.map((f) => `gateway, under load (${f.dialect}) | Hive Gateway, under load (${f.dialect})`).join(' | ');
  const side = (f: SideFigures) => `${rps(f.requestsPerSecond)} | ${ms(f.p50Ms)} / ${ms(f.p99Ms)} | ${ms(f.gatewayCpuMs)} | ${ms(f.subgraphsCpuMs)}`;
  const row = (f: FederatedFigures) => `| ${f.dialect} | ${side(f.gateway)} | ${side(f.hive)} | **${f.ratio.toFixed(2)}×** | ${(f.gateway.responseBytes / 1024).toFixed(1)} / ${(f.hive.responseBytes / 1024).toFixed(1)} | ${machine} |`;
  return `## Federated: posts and messages on their subgraphs, against Hive Gateway

The portability page of the queries section (the profile, 50 posts, 100 followers, 20
conversations with their participants and 20 messages each with its sender), asked of two
gateways over the reference posts and messages subgraphs (\`examples/subgraphs\`, demo data,
each its own process). The **gateway** runs as in the queries section (\`NODE_ENV=production\`,
auth, grant check and access log on, \`RATE_LIMITS=off\`) with \`SUBGRAPHS=posts=…,messages=…\`
(and \`SUBGRAPH_TIMEOUT_MS=60000\`: a stall on a crowded machine is slow, not a failure);
the profile, the followers and everyone's public fields stay on its embedded store (the store
column). The reference is **Hive Gateway** ${HIVE_GATEWAY_VERSION}, run as its CLI runs it
(\`hive-gateway supergraph\`, one process, its defaults, \`NODE_ENV=production\`, no auth, and
the Node flags \`npm start\` gives the gateway), over a supergraph
composed with \`@theguild/federation-composition\` from the SDL the subgraphs serve, plus a
**people** subgraph of the benchmark's own (\`bench/people-subgraph.ts\`, \`@apollo/subgraph\`
over SQLite in memory with the demo users and follows) that gives it what the gateway's store
gives the gateway: \`viewer\`, the profile, the followers, and the participants and senders
(\`@requires\` of the ids the messages subgraph gives). Both get the same query and variables;
before measuring, the two answers are checked to be the same data (ids decoded, cursors aside)
with every page full. All servers run pinned to one core, the load generator on the other, so
a throughput figure is the whole system's: gateway and subgraphs share that core (PostgreSQL's
server, on the postgres row, is neither pinned nor in the CPU figures).

Requests each subgraph received (the subgraphs' request counters) for one page asked alone, and
per page answered during the measured runs below:

| subgraph | gateway, one page | Hive Gateway, one page | ${loadHeadings} |
|---|---|---|${figures.map(() => '---|---|').join('')}
${BENCH_SUBGRAPHS.map(requestRow).join('\n')}

${requestsExplained(first)}

Under load both send fewer, and the subgraphs do less per page, because every page here is the
same query for the same viewer. The gateway gathers the \`_entities\` reads that one turn of its
event loop makes, by any request, into one request per subgraph with each id once: concurrent
pages share a request whoever their viewers are, and identical ones share the reads too. Hive
Gateway's HTTP executor (\`@graphql-tools/executor-http\`, whose \`deduplicateInflightRequests\`
is on by default; the gateway turns it off) lets identical subgraph requests in flight share one
answer, which traffic from many viewers would rarely give it. Neither side's figures are what
as many distinct viewers would cost; this benchmark does not measure that.

Throughput: autocannon, ${CONNECTIONS} connections, one request in flight on each, every answer's
bytes checked. Each figure is the median of ${rounds} round(s); a round runs the gateway, then
Hive Gateway, back to back, and the ratio is the median of the rounds' gateway ÷ Hive ratios.
Latency is p50 / p99 in ms. CPU is the time the gateway's own process, and the three subgraphs
together, spent per page answered; the people subgraph does for Hive Gateway what the embedded
store does inside the gateway's process, so compare the two sums.

| store | gateway req/s | p50 / p99 | gateway CPU ms/page | subgraphs CPU ms/page | Hive req/s | p50 / p99 | Hive CPU ms/page | subgraphs CPU ms/page | gateway ÷ Hive | response KiB (gateway / Hive) | machine |
|---|---|---|---|---|---|---|---|---|---|---|---|
${figures.map(row).join('\n')}`;
}
