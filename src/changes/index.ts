export { followId, type PendingChange } from './apply.js';
export { ingestBatch, ingestEvent, type IngestEvent } from './events.js';
export { changeFeed, type ChangeFeed, type ChangeStreamRequest, type LoadersFor } from './feed.js';
export { ingest, type IngestResult } from './ingest.js';
export { localNotifier, postgresNotifier, type Notifier } from './notifier.js';
export { pruneChanges } from './retention.js';
export { loadChangeEntities } from './entities.js';
export { ChangeStream, MAX_PENDING, type ChangeStreamOptions } from './stream.js';
export { LogTailer, type TailDelivery } from './tailer.js';
