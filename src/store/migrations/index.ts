import type { Migration, MigrationProvider } from 'kysely';
import { dataGraph } from './0001-data-graph.js';

/** Every migration, in order; both dialects run the same list. Never edit one that has shipped: add the next. */
const migrations: Record<string, Migration> = {
  '0001-data-graph': dataGraph,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
