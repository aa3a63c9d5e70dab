export { AccessRecord } from './access-record.js';
export type { Context, Credential, GrantInfo, Viewer } from './context.js';
export * from './connection.js';
export * from './global-id.js';
export type * from './models.js';
