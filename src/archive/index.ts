export { startArchiveSystem, type Archives, type ArchiveSystem, type ArchiveSystemOptions } from './archive-system.js';
export type { ArchiveRequester } from './jobs.js';
export { ARCHIVE_FILES, PROFILE_FILE } from './contents.js';
export { ARCHIVE_SCHEMA_VERSION, MANIFEST_FILE } from './manifest.js';
export type { ArchiveDownload } from './report-download.js';
