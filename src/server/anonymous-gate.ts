import type http from 'node:http';
import type { GraphQLError } from 'graphql';
import type { VerifyClientCallbackAsync } from 'ws';
import type { AnonymousLimit } from '../limits/index.js';
import { errorFormatter } from './error-format.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/**
 * Serves a request that carries an `Authorization` header as it is (the app's and user's buckets
 * limit it), and one without only while its address is within the anonymous budget; past it,
 * `RATE_LIMITED` with 429 and `Retry-After`, before the body is read.
 */
export function anonymousGate(limit: AnonymousLimit) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, serve: Handler): Promise<void> => {
    const refused = req.headers.authorization ? undefined : await limit.refusal(req);
    if (!refused) return serve(req, res);
    const { status, headers, body } = answer(refused);
    // The body, if any, is never read: the connection closes after the answer.
    res.writeHead(status, { ...headers, connection: 'close' });
    res.end(body);
  };
}

/**
 * ws's `verifyClient` for `/graphql`: every upgrade counts against its address's anonymous budget
 * (the token comes only later, in `connection_init`); past it the handshake gets 429 with
 * `Retry-After` and `RATE_LIMITED`, and the socket closes. `onError` hears of a failure of the
 * limit itself, answered with 500.
 */
export function upgradeGate(limit: AnonymousLimit, onError: (error: unknown) => void): VerifyClientCallbackAsync {
  return ({ req }, done) => {
    limit.refusal(req).then(
      (refused) => {
        if (!refused) return done(true);
        const { status, headers, body } = answer(refused);
        done(false, status, body, headers);
      },
      (error: unknown) => {
        onError(error);
        done(false, 500);
      },
    );
  };
}

/** A refusal as `/graphql` answers it: its status and headers, and `{"errors": [...]}`. */
function answer(error: GraphQLError): { status: number; headers: Record<string, string>; body: string } {
  const http = error.extensions.http as { status: number; headers?: Map<string, string> };
  return {
    status: http.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...Object.fromEntries(http.headers ?? []) },
    body: JSON.stringify({ errors: [errorFormatter(false)(error.toJSON())] }),
  };
}
