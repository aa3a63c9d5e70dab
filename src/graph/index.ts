export type { Context, Viewer } from './context.js';
export * from './connection.js';
export * from './global-id.js';
export type * from './models.js';
