export { followId, type PendingChange } from './apply-event.js';
export { ingestBatch, ingestEvent, type IngestEvent } from './ingest-event.js';
export { changeFeed, type ChangeFeed, type ChangeStreamRequest, type LoadersFor } from './change-feed.js';
export { ingest, type IngestResult } from './ingest.js';
export { localNotifier, postgresNotifier, type Notifier } from './notifier.js';
export { pruneChanges } from './prune-changes.js';
export { loadChangeEntities } from './change-entities.js';
export { ChangeStream, MAX_PENDING, type ChangeStreamOptions } from './stream.js';
export { LogTailer, type TailDelivery } from './log-tailer.js';
