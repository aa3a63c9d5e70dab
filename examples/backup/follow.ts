import { CloseCode, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CHANGES } from './documents.js';
import type { Record } from './folder.js';
import type { Category } from './snapshot.js';

/** One entry of `Subscription.changes`. */
export interface Change {
  cursor: string;
  category: Category;
  operation: 'UPSERT' | 'DELETE';
  id: string;
  node: Record | null;
}

export interface FollowOptions {
  /** The gateway's `/graphql` URL (http or https; the WebSocket scheme is derived). */
  endpoint: URL;
  /** A fresh access token for each (re)connection. */
  accessToken: () => Promise<string>;
  /** Resume right after this cursor. */
  after: string;
  /** Applies one change; the next is not applied before this resolves. */
  apply: (change: Change) => Promise<void>;
  signal: AbortSignal;
}

/** The gateway's close code for an access token that expired or was revoked: refresh it, reconnect, resume. */
export const TOKEN_ENDED = CloseCode.Unauthorized;

/**
 * Follows `Subscription.changes` from a cursor until `signal` aborts or the grant ends, applying
 * each change in order. Dropped connections (and a gateway restart's 1012) are retried with
 * backoff, resuming after the last applied change. It rejects with the close event on 4403 (the
 * grant has ended: stop) and on 4401 ({@link TOKEN_ENDED}: refresh the token and follow again).
 */
export async function followChanges({ endpoint, accessToken, after, apply, signal }: FollowOptions): Promise<void> {
  const url = new URL(endpoint);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = createClient({
    url: url.href,
    webSocketImpl: WebSocket,
    connectionParams: async () => ({ authorization: `Bearer ${await accessToken()}` }),
    retryAttempts: Infinity,
    // A revoked or expired grant ends the stream with 4403: retrying cannot help.
    shouldRetry: (event) => (event as { code?: number }).code !== CloseCode.Forbidden,
  });
  // graphql-ws sends this same payload object again when it resubscribes after a reconnect, so
  // moving `after` forward here makes a reconnect resume where the last applied change left off.
  const variables = { after };
  const changes = client.iterate<{ changes: Change }>({ query: CHANGES, variables });
  const stop = () => void changes.return?.();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const result of changes) {
      if (result.errors) throw result.errors;
      const change = result.data!.changes;
      await apply(change);
      variables.after = change.cursor;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    await client.dispose();
  }
}
