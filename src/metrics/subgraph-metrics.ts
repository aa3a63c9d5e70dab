import { Counter, Histogram, type Registry } from 'prom-client';

/** The platform subgraphs' requests and failures, as federation reports them. */
export interface SubgraphMetrics {
  /** Records one request to a subgraph (`gateway_subgraph_request_duration_seconds`). */
  request(subgraph: string, seconds: number): void;
  /** Counts a failure by kind (`gateway_subgraph_errors_total`): timeout, network, http, oversize, malformed, graphql, rejected. */
  error(subgraph: string, kind: string): void;
}

/** The subgraph metrics, registered on `registry`; their series exist only once a subgraph is asked. */
export function subgraphMetrics(registry: Registry): SubgraphMetrics {
  const duration = new Histogram({
    name: 'gateway_subgraph_request_duration_seconds',
    help: 'Requests to the platform subgraphs of federated categories, by subgraph (its category).',
    labelNames: ['subgraph'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'gateway_subgraph_errors_total',
    help: 'Subgraph answers the gateway could not use, by subgraph and kind (timeout, network, http, oversize, malformed, graphql; rejected: one object left out).',
    labelNames: ['subgraph', 'kind'] as const,
    registers: [registry],
  });
  return {
    request: (subgraph, seconds) => duration.labels(subgraph).observe(seconds),
    error: (subgraph, kind) => errors.labels(subgraph, kind).inc(),
  };
}
