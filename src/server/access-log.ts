import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../graph/index.js';
import type { AccessLogWriter } from './access-log-writer.js';

/** Adds one access-log row for a request or a subscription, if it read any category of data. */
export function recordAccess(log: AccessLogWriter, context: Context, operationName: string | null | undefined): void {
  const { viewer, access } = context;
  if (!viewer || access.categories.size === 0) return;
  log.add({
    id: randomUUID(),
    at: Date.now(),
    userId: viewer.userId,
    appId: viewer.clientId,
    grantId: viewer.grant.id,
    operationName: operationName ?? null,
    categories: [...access.categories].sort().join(' '),
    items: access.items,
  });
}

/**
 * Writes every data request to the access log the user sees on their account page: time, app,
 * grant, categories touched, operation name and the number of objects returned. A request that
 * read no category (a bad token, introspection, `grant`) leaves no row.
 */
export function accessLogPlugin(log: AccessLogWriter): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operationName }) {
          recordAccess(log, contextValue, operationName);
        },
      };
    },
  };
}
