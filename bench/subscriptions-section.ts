import { median } from './gateway-process.js';
import type { SubscriptionFigures } from './subscriptions.js';

/** Issue 16's targets for subscriptions, each judged on the rows it names. */
const TARGETS = {
  /** CPU per delivered event at 10 000 subscribers, in µs. */
  cpuMicrosPerEvent: { subscribers: 10_000, atMost: 25 },
  /** Gateway memory per idle subscriber, in KiB, from 10 000 subscribers on (one connection each). */
  idleKiB: { fromSubscribers: 10_000, atMost: 10 },
  /** p99 event-to-client latency, in ms, from 10 000 subscribers on. */
  p99Ms: { fromSubscribers: 10_000, under: 250 },
};

type MedianRun = SubscriptionFigures & { p99s: number[] };

/** Each figure of `runs` (runs of one subscriber count) as its median over them. */
function medianRun(runs: SubscriptionFigures[]): MedianRun {
  const of = (figure: (r: SubscriptionFigures) => number) => median(runs.map(figure));
  return {
    subscribers: runs[0]!.subscribers,
    connections: runs[0]!.connections,
    seconds: runs[0]!.seconds,
    expected: runs.reduce((sum, r) => sum + r.expected, 0),
    received: runs.reduce((sum, r) => sum + r.received, 0),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    maxMs: of((r) => r.maxMs),
    idleBytesPerSubscriber: of((r) => r.idleBytesPerSubscriber),
    gatewayCpuPercent: of((r) => r.gatewayCpuPercent),
    cpuMicrosPerEvent: of((r) => r.cpuMicrosPerEvent),
    p99s: runs.map((r) => r.p99Ms).sort((a, b) => a - b),
  };
}

const count = (n: number) => n.toLocaleString('en');
const kib = (r: MedianRun) => r.idleBytesPerSubscriber / 1024;
const verdict = (holds: boolean) => `**${holds ? 'holds' : 'does not hold'}**`;

/** One line per target and row it applies to, each with its verdict; `stands` says what is in the way of those that fail. */
function verdicts(results: MedianRun[]): string[] {
  const lines: string[] = [];
  const cpu = results.find((r) => r.subscribers === TARGETS.cpuMicrosPerEvent.subscribers);
  if (cpu) {
    const holds = cpu.cpuMicrosPerEvent <= TARGETS.cpuMicrosPerEvent.atMost;
    lines.push(`- CPU per delivered event at ${count(cpu.subscribers)} subscribers: ${cpu.cpuMicrosPerEvent} µs, target ≤ ${TARGETS.cpuMicrosPerEvent.atMost} µs: ${verdict(holds)}.${holds ? '' : ` ${CPU_IN_THE_WAY}`}`);
  } else lines.push(`- CPU per delivered event: not measured (no run at ${count(TARGETS.cpuMicrosPerEvent.subscribers)} subscribers).`);
  const idle = results.filter((r) => r.subscribers >= TARGETS.idleKiB.fromSubscribers && r.connections === r.subscribers);
  for (const r of idle) {
    const holds = kib(r) <= TARGETS.idleKiB.atMost;
    lines.push(`- Idle memory at ${count(r.subscribers)} subscribers: ${kib(r).toFixed(1)} KiB each, target ≤ ${TARGETS.idleKiB.atMost} KiB: ${verdict(holds)}.${holds ? '' : ` ${MEMORY_IN_THE_WAY}`}`);
  }
  if (idle.length === 0) lines.push(`- Idle memory: not measured (no run of ${count(TARGETS.idleKiB.fromSubscribers)} or more subscribers with a connection each).`);
  const latency = results.filter((r) => r.subscribers >= TARGETS.p99Ms.fromSubscribers);
  let gcTold = false;
  for (const r of latency) {
    const holds = r.p99Ms < TARGETS.p99Ms.under && r.received === r.expected;
    const lost = r.received === r.expected ? '' : `, ${count(r.expected - r.received)} events not received by the end of the run`;
    const saturated = r.gatewayCpuPercent >= SATURATED_CPU_PERCENT || r.received < r.expected;
    const tail = saturated ? SATURATED : gcTold ? 'Its tail too is the full collection described above.' : GC_IN_THE_WAY;
    lines.push(`- p99 at ${count(r.subscribers)} subscribers: ${r.p99Ms} ms (runs ${r.p99s.join(', ')})${lost}, target < ${TARGETS.p99Ms.under} ms: ${verdict(holds)}.${holds ? '' : ` ${latencyInTheWay(r)} ${tail}`}`);
    gcTold ||= !holds && !saturated;
  }
  if (latency.length === 0) lines.push(`- p99: not measured (no run of ${count(TARGETS.p99Ms.fromSubscribers)} or more subscribers).`);
  return lines;
}

/** What keeps a delivered event above the CPU target: the profile of a 10 000-subscriber run. */
const CPU_IN_THE_WAY = `What stands in the way: most of an event's cost is per socket, outside the gateway's own code. A CPU profile of a 10 000-subscriber run (2026-12-06, a loaded 2-core machine, the events' seconds only) gives the \`writev\` of each frame 15.6 % of the gateway's busy time (21.9 % with ws's and Node's send path around it), garbage collection 13.4 %, graphql-ws's handling of each result (\`emit.next\`: its message validation, \`JSON.stringify\` of the frame for each socket, the send) 27.9 % inclusive, the ingest of the events into SQLite through Kysely 9.1 %, the change stream's iterator 7.3 % and the microtask queue 5.9 % self. Tried, and kept: each live change executed once per group of subscriptions that get the same answer (operation, variables, user, app, grant, scopes), which took the scope gate (3.9 % inclusive in the same profile before) and the resolvers out of the profile's top entries, leaving the shared lookup and each subscription's access count (about 3 %), and garbage collection from 18.0 % to 13.4 %; graphql-ws's reference to the upgrade request dropped. What it would take: a push path from the tailer to the socket that serializes each frame once per group and writes it to each socket without graphql-ws's per-result promise chain (the protocol served by the gateway itself), or the subscribers spread over more instances, one per core, which the PostgreSQL notifier already supports.`;

/** What keeps an idle subscriber above the memory target: heap snapshots of idle subscribers. */
const MEMORY_IN_THE_WAY = `What stands in the way: heap snapshots before and after 3 000 idle subscribers (2026-12-06) grow the heap about 13.9 KiB each (16.5 KiB before the two changes below): about 26 closures (graphql-ws's per socket and per subscription — send, close, message handler, keep-alive, next, error, complete —, ws's 5 bound listeners, and the promise resolvers of the waiting \`for await\` chain), 21 closure contexts, 27 plain objects, 19 strings, and the socket's own objects (net.Socket, ws's WebSocket, Receiver and Sender, stream states: about 1.5 KiB). A second count (2026-12-06, 500 then 2 500 idle subscribers on the compiled gateway, the snapshots' objects grouped by kind, per subscriber) agrees: 13.5 KiB, of which closures 1.4 KiB (25), plain objects 1.4 KiB (28), internal arrays (hash tables and element stores) 1.8 KiB, closure contexts 1.0 KiB (21), strings 0.9 KiB (16), out-of-object property stores 0.6 KiB, the socket's objects (the TCP wrap, net.Socket, ws's WebSocket, Receiver and Sender, stream states) 1.8 KiB, 3 timers 0.4 KiB (graphql-ws's keep-alive interval and connection-init timeout, the change stream's poll) and 4 suspended async functions with their promises 0.8 KiB. The gateway's own objects (context, viewer and grant, operation, change stream and its options, executed events, loader set, access record, request logger, and their closures and group key) come to about 2 KiB of it; the rest is graphql-ws, ws and Node's socket. Tried, and kept: dropping graphql-ws's reference to the upgrade request and its headers once the connection inits, and a class instead of six closures per executed stream. What it would take: a subscription that holds no pending async iterator chain while idle (a listener on the tailer, its context made on delivery), which graphql-ws's \`for await\` over each subscription does not allow.`;

function latencyInTheWay(r: MedianRun): string {
  const burst = Math.round(r.subscribers / 10);
  return `Events come in ten bursts a second of about ${count(burst)} deliveries each, about ${Math.round((burst * r.cpuMicrosPerEvent) / 1000)} ms of the gateway's one core per 100 ms burst at ${r.cpuMicrosPerEvent} µs each (the core ${r.gatewayCpuPercent} % busy on average): latency is the queue behind a burst, so it follows the CPU per event above, or the subscribers spread over more instances, one per core, which the PostgreSQL notifier already supports.`;
}

/** What puts the p99 far above the typical burst's queue: the runs' latencies by send time, and the gateway's GC trace. */
const GC_IN_THE_WAY = `The tail itself is one old-generation collection. In 10 s runs at 10 000 subscribers (2026-12-06, each event's latency by its send time, the gateway under \`--trace-gc\` with the 64 MB young generation \`npm start\` then gave it), every event above 200 ms fell in one window of 0.5–0.7 s, 1.2–2.2 s after the events began, and every other 100 ms stayed under about 210 ms. In that window the gateway runs its first full collection since the subscribers connected: the heap holds about 250 MB, mostly the idle subscriptions, and the collection's incremental marking takes 110–250 ms of the core over about half a second, beside scavenges of 45–80 ms each, while delivery already keeps the core about half busy. Old space then grows about 13 MB a second while events flow: each subscription's wait for its next event (the pending promise chain through graphql-ws's \`for await\`, the executor and the change stream) lives the second between its events, so it outlives the young generation, and such a collection comes back every 10–20 s. The same runs with every change executed per subscription instead of once per group gave 516 and 569 ms, so the sharing is not the cause; the code before this round's changes gave 97, 126 and 288 ms, as its first collection fell inside the measured window or not. Tried, and not kept: the change stream letting each batch go once handed out (old space grew as fast), and the 64 MB young generation (\`--max-semi-space-size=64\`) \`npm start\` gave the gateway until 2026-12-06: in alternating 10 s runs Node's default (16 MB) gave p99 of 363, 123 and 683 ms against 604 and 584 with the flag, 64–65 µs per event either way, and 14.3–14.4 KiB per idle subscriber against 17.9–19.8. What it would take is the idle-memory work above: a subscription that holds no pending chain while it waits, so that events stop filling the old generation and a full collection has less to mark.`;

/** A core this busy over a run has no slack left: deliveries queue faster than they drain. */
const SATURATED_CPU_PERCENT = 95;

/** Why a run whose core saturated fell behind, and what the young generation's size did to it. */
const SATURATED = `Here the core has no slack: deliveries queue faster than they drain, so latency grows over the run, and the events still queued when it ended are counted as not received (none is dropped: a stream that falls behind reads the log from its own position). Each event costs more than at 10 000 subscribers, most likely in garbage collection: each subscription's wait for its next event lives a second, and at this rate Node's default young generation (16 MB a semi-space) is scavenged often enough within that second that the waits are copied and promoted. The 64 MB young generation (\`--max-semi-space-size=64\`) \`npm start\` gave until 2026-12-06 made the same row 1 003 ms at 47 µs per event, the core 86 % busy, in the last full run with it (3 runs, 2026-12-06), and 32 MB gave 1 327 ms at 49 µs in one 10 s run; it was dropped because it costs memory everywhere else (the archive's peak RSS: 266 MB with 64 MB, 197–210 MB with 32, against the 192 MB target; idle subscribers about 5 KiB more each). An instance meant to carry this many deliveries a second on one core can be given it back (\`NODE_OPTIONS=--max-semi-space-size=64\`); the scale-out guide's advice, under half a core of delivery work per instance, keeps it away from this row.`;

export function subscriptionsSection(machine: string, groups: SubscriptionFigures[][], seconds: number): string {
  const results = groups.map(medianRun);
  const row = (r: MedianRun) =>
    `| ${count(r.subscribers)} | ${count(r.connections)} | ${count(r.received)} / ${count(r.expected)} | ${r.p50Ms} | ${r.p99Ms} | ${r.p99s.join(', ')} | ${r.maxMs} | ${kib(r).toFixed(1)} | ${r.gatewayCpuPercent} | ${r.cpuMicrosPerEvent} | ${machine} |`;
  return `## Subscriptions: event-to-client latency

One gateway on the embedded store, started as \`npm start\` starts it, \`NODE_ENV=production\`. The
subscribers are spread over 300 users and subscribe to \`changes(categories: [POSTS])\` over
\`graphql-transport-ws\`, one connection each unless the open-file limit (which the gateway and the
load generator share) cannot hold that many sockets: then each connection carries as few
subscriptions as fit, and the table says over how many connections. Every second each user gets
one new post through the ingest API (sent in ten slices a second), so every subscriber receives
one event a second. Latency runs from the moment the platform sends the event to the moment the
client has it, over ${seconds} s after one second of warm-up. Idle memory is the gateway's RSS growth
over the idle subscriptions, divided by their number. CPU per event is the gateway's CPU time
while events flowed (ingest included) over the events delivered. Each figure is the median of
${groups[0]?.length ?? 0} runs, each with a fresh gateway; every run's p99 is listed too. These are absolute
figures with no reference measured beside them, so the host's speed and load move them.

| subscribers | connections | events received / expected | p50 ms | p99 ms | p99 of each run | max ms | idle KiB per subscriber | gateway CPU % | CPU µs per event | machine |
|---|---|---|---|---|---|---|---|---|---|---|
${results.map(row).join('\n')}

Targets:
${verdicts(results).join('\n')}`;
}
