export { AccessRecord } from './access-record.js';
export type { Context, Credential, GrantInfo, Viewer } from './context.js';
export * from './connection.js';
export { categoryEnum, categoryFromEnum, grantModeEnum, storedCategories } from './enums.js';
export * from './global-id.js';
export { StreamEvent } from './stream-event.js';
export type * from './models.js';
