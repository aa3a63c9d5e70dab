import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { subgraphMetrics, type SubgraphMetrics } from './subgraph-metrics.js';

/** The kind of a GraphQL operation; `unknown` when it did not parse or validate. */
export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';

/** How far this instance's streams are behind the change log. */
export interface ChangeLogLag {
  /** Changes committed to the log that this instance has not yet handed to its streams. */
  positions: number;
  /** How long the oldest of them has waited, in seconds (0 when there is none). */
  seconds: number;
}

/** What the metrics read from the running gateway when Prometheus scrapes. */
export interface MetricProbes {
  /** Open subscriptions by transport. */
  subscriptions?: () => { ws: number; sse: number };
  /** Reads the lag; may reject (the store is down), and then the lag is left out of that scrape. */
  changeLogLag?: () => Promise<ChangeLogLag>;
}

/** A gateway's Prometheus metrics. One set per gateway, on its own registry. */
export interface Metrics {
  /** Everything `/metrics` serves, Node's process metrics included. */
  registry: Registry;
  /** Records a GraphQL request's duration by operation. */
  observeOperation(type: OperationType, name: string | null | undefined, seconds: number): void;
  /** Counts an error by its `extensions.code`. */
  countError(code: string): void;
  /** Records the number of keys in one DataLoader batch. */
  observeBatch(loader: string, size: number): void;
  /**
   * Archive jobs, for the archive worker to keep current: `running` is the number of jobs this
   * instance is writing now (inc when it claims one, dec when it stops); `finished` counts jobs
   * that ended here by final status (`READY`, `FAILED`, `CANCELLED`).
   */
  archiveJobs: { running: Gauge; finished: Counter<'status'> };
  /** The platform subgraphs' requests and failures (federated categories only). */
  subgraphs: SubgraphMetrics;
  /** Set by the gateway once the parts they read exist. */
  probes: MetricProbes;
}

/** Distinct operation names kept as label values; more become `other`, so clients cannot blow up the series count. */
const MAX_OPERATION_NAMES = 200;
/** Distinct error codes kept; the gateway's codes are far fewer. */
const MAX_ERROR_CODES = 100;

type Registers = Registry[];

/**
 * Builds a gateway's metrics. Per-request work is a map lookup and one histogram observation per
 * operation; subscriptions and lag are read only when Prometheus scrapes.
 */
export function createMetrics(onProbeError: (probe: string, error: unknown) => void = () => {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const probes: MetricProbes = {};
  // Created in the order `/metrics` lists them.
  const recorders = requestRecorders(registers);
  subscriptionGauge(registers, probes);
  lagGauges(registers, probes, onProbeError);
  const archiveJobs = archiveJobMetrics(registers);
  return { registry, probes, archiveJobs, subgraphs: subgraphMetrics(registry), ...recorders };
}

/** The per-request metrics (operation durations, errors, DataLoader batches) and what records them. */
function requestRecorders(registers: Registers): Pick<Metrics, 'observeOperation' | 'countError' | 'observeBatch'> {
  const duration = new Histogram({
    name: 'gateway_graphql_request_duration_seconds',
    help: 'GraphQL requests over HTTP, from Apollo receiving one to its response being ready, by operation.',
    labelNames: ['operation_type', 'operation_name'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const errors = new Counter({
    name: 'gateway_graphql_errors_total',
    help: 'GraphQL errors sent to clients, by extensions.code.',
    labelNames: ['code'] as const,
    registers,
  });
  const batches = new Histogram({
    name: 'gateway_dataloader_batch_size',
    help: 'Keys per DataLoader batch, by loader.',
    labelNames: ['loader'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers,
  });

  // Children are looked up once per label value: prom-client would otherwise hash the labels on every call.
  const operationChildren = new Map<string, Histogram.Internal<'operation_type' | 'operation_name'>>();
  const errorChildren = new Map<string, Counter.Internal>();
  const batchChildren = new Map<string, Histogram.Internal<'loader'>>();

  return {
    observeOperation(type, name, seconds) {
      const key = `${type} ${name ?? ''}`;
      let child = operationChildren.get(key);
      if (!child) {
        const label = operationChildren.size < MAX_OPERATION_NAMES ? (name ?? '') : 'other';
        child = duration.labels(type, label);
        if (operationChildren.size < MAX_OPERATION_NAMES) operationChildren.set(key, child);
      }
      child.observe(seconds);
    },
    countError(code) {
      let child = errorChildren.get(code);
      if (!child) {
        child = errors.labels(errorChildren.size < MAX_ERROR_CODES ? code : 'other');
        if (errorChildren.size < MAX_ERROR_CODES) errorChildren.set(code, child);
      }
      child.inc();
    },
    observeBatch(loader, size) {
      let child = batchChildren.get(loader);
      if (!child) batchChildren.set(loader, (child = batches.labels(loader)));
      child.observe(size);
    },
  };
}

/** Open subscriptions by transport, read from the probe when Prometheus scrapes. */
function subscriptionGauge(registers: Registers, probes: MetricProbes): void {
  new Gauge({
    name: 'gateway_subscriptions_active',
    help: 'Subscriptions open on this instance, by transport (ws: operations over graphql-transport-ws; sse: open event streams).',
    labelNames: ['transport'] as const,
    registers,
    collect() {
      const open = probes.subscriptions?.();
      if (!open) return;
      this.set({ transport: 'ws' }, open.ws);
      this.set({ transport: 'sse' }, open.sse);
    },
  });
}

/** The change log's lag, in positions and in seconds; left out of a scrape whose read fails. */
function lagGauges(registers: Registers, probes: MetricProbes, onProbeError: (probe: string, error: unknown) => void): void {
  // One store read serves both lag gauges of a scrape.
  let lagRead: Promise<ChangeLogLag | undefined> | undefined;
  const readLag = () =>
    (lagRead ??= (probes.changeLogLag?.() ?? Promise.resolve(undefined))
      .catch((error: unknown) => {
        onProbeError('changeLogLag', error);
        return undefined;
      })
      .finally(() => (lagRead = undefined)));
  const lagGauge = (name: string, help: string, pick: (lag: ChangeLogLag) => number) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const lag = await readLag();
        if (lag) this.set(pick(lag));
        else this.reset();
      },
    });
  lagGauge('gateway_change_log_lag_positions', 'Changes in the log this instance has not yet handed to its streams.', (lag) => lag.positions);
  lagGauge('gateway_change_log_lag_seconds', 'Age of the oldest change this instance has not yet handed to its streams (0 when caught up).', (lag) => lag.seconds);
}

function archiveJobMetrics(registers: Registers): Metrics['archiveJobs'] {
  return {
    running: new Gauge({ name: 'gateway_archive_jobs_running', help: 'Archive jobs this instance is writing now.', registers }),
    finished: new Counter({
      name: 'gateway_archive_jobs_finished_total',
      help: 'Archive jobs that ended on this instance, by final status.',
      labelNames: ['status'] as const,
      registers,
    }),
  };
}
