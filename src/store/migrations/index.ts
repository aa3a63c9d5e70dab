import type { Migration, MigrationProvider } from 'kysely';
import { dataGraph } from './0001-data-graph.js';
import { oauth } from './0002-oauth.js';
import { changes } from './0003-changes.js';
import { archives } from './0004-archives.js';
import { externalAccess } from './0005-external-access.js';
import { conversationStarts } from './0006-conversation-starts.js';
import { standingSignals } from './0007-standing-signals.js';
import { leakedDemoCredentials } from './0008-leaked-demo-credentials.js';

/** Every migration, in order; both dialects run the same list. Never edit one that has shipped: add the next. */
const migrations: Record<string, Migration> = {
  '0001-data-graph': dataGraph,
  '0002-oauth': oauth,
  '0003-changes': changes,
  '0004-archives': archives,
  '0005-external-access': externalAccess,
  '0006-conversation-starts': conversationStarts,
  '0007-standing-signals': standingSignals,
  '0008-leaked-demo-credentials': leakedDemoCredentials,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
