export { createMetrics, type ChangeLogLag, type MetricProbes, type Metrics, type OperationType } from './metrics.js';
