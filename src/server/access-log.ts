import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ArchiveDownload } from '../archive/index.js';
import type { Context } from '../graph/index.js';
import type { AccessLogWriter } from './access-log-writer.js';

/** The operation an archive download's row names: no GraphQL operation name holds a space. */
const ARCHIVE_DOWNLOAD = 'Archive download';

interface Access {
  userId: string;
  appId: string;
  grantId: string;
  operationName: string | null;
  categories: Iterable<string>;
  items: number;
}

function add(log: AccessLogWriter, { categories, ...access }: Access): void {
  log.add({ id: randomUUID(), at: Date.now(), ...access, categories: [...categories].sort().join(' ') });
}

/** Adds one access-log row for a request or a subscription, if it read any category of data. */
export function recordAccess(log: AccessLogWriter, context: Context, operationName: string | null | undefined): void {
  const { viewer, access } = context;
  if (!viewer || access.categories.size === 0) return;
  add(log, {
    userId: viewer.userId,
    appId: viewer.appId,
    grantId: viewer.grant.id,
    operationName: operationName ?? null,
    categories: access.categories,
    items: access.items,
  });
}

/** Adds one access-log row for an archive download, under the archive's user, app and grant. */
export function recordDownload(log: AccessLogWriter, download: ArchiveDownload): void {
  add(log, { ...download, operationName: ARCHIVE_DOWNLOAD });
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
