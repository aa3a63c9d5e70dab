import { categoryEnum, changeCursor, grantModeEnum, storedCategories, toGlobalId } from '../graph/index.js';
import type { ArchiveRow } from '../store/index.js';
import type { ZipEntrySummary } from './zip-writer.js';

/** Bumped whenever the files' names or records change shape. */
export const ARCHIVE_SCHEMA_VERSION = 1;

/** The file that describes an archive; always its last entry. */
export const MANIFEST_FILE = 'manifest.json';

const upper = (names: string) => storedCategories(names).map(categoryEnum);

/**
 * `manifest.json`: what the archive holds and how to check it (records and sha256 per file), and
 * the change-log cursor taken before the first row was read. A recurring client passes it to
 * `Subscription.changes(after:)` and misses nothing that changed during or after the export (a
 * change made during it may arrive both ways; applying it again is harmless).
 */
export function manifest(job: ArchiveRow, grantCategories: string, changePosition: number, files: ZipEntrySummary[], exportedAt: number): Buffer {
  const document = {
    schemaVersion: ARCHIVE_SCHEMA_VERSION,
    archive: { id: toGlobalId('Archive', job.id), createdAt: new Date(job.createdAt).toISOString(), exportedAt: new Date(exportedAt).toISOString() },
    grant: { id: job.grantId, app: { id: job.appId }, mode: grantModeEnum(job.grantMode), categories: upper(grantCategories) },
    categories: upper(job.categories),
    changesCursor: changeCursor(changePosition),
    files: files.map(({ name, records, bytes, sha256 }) => ({ name, records, bytes, sha256 })),
  };
  return Buffer.from(JSON.stringify(document, null, 2) + '\n');
}
