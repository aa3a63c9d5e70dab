import type http from 'node:http';
import { getOperationAST, GraphQLError, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { ExecutionResult } from 'graphql';
import type { OperationContext, Response as SseResponse } from 'graphql-sse';
import { createHandler } from 'graphql-sse/lib/use/http';
import { WebSocketServer, type VerifyClientCallbackAsync } from 'ws';
import type { Authority, GrantWatch } from '../auth/index.js';
import type { Context, Viewer } from '../graph/index.js';
import { compiledSubscribe } from './compiled-subscribe.js';
import { tooManySubscriptions, type Guard } from '../limits/index.js';
import { formatStreamErrors } from './error-format.js';
import { MAX_BODY_BYTES } from './graphql-handler.js';
import { BodyError, sendBodyError } from './http-util.js';

export interface StreamServers {
  /** Serves GraphQL over Server-Sent Events (`/graphql/stream`). */
  sse: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  /** Open subscriptions: operations over WebSockets, and SSE event streams. */
  active(): { ws: number; sse: number };
  /**
   * Closes every open stream so that clients reconnect (to any instance) and resume from their
   * last cursor: WebSockets with 1012, SSE streams cut. A WebSocket that has not finished the
   * closing handshake after `graceMs` is terminated.
   */
  close(graceMs: number): Promise<void>;
}

interface StreamOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  authority: Authority;
  watch: GrantWatch;
  /** The same limits as `/graphql`: document rules, cost, rate limits, and the subscription cap. */
  guard: Guard;
  development: boolean;
  context: (viewer: Viewer | undefined, transport: 'ws' | 'sse') => Context;
  /** Writes a finished subscription to the access log. */
  record: (context: Context, operationName: string | null | undefined) => void;
  /** Reports the errors a subscription sends (metrics, and the log for internal ones). */
  errors: (context: Context, errors: readonly GraphQLError[]) => void;
  /** Decides whether a WebSocket handshake may go on: the per-address limit on connection attempts. */
  verifyUpgrade: VerifyClientCallbackAsync;
}

interface Operation {
  context: Context;
  name: string | null | undefined;
}

function operationName(args: ExecutionArgs): string | null {
  return getOperationAST(args.document, args.operationName)?.name?.value ?? null;
}

/** Keep-alive pings every 12 s, so idle connections survive proxies and dead peers are noticed. */
const KEEP_ALIVE_MS = 12_000;

/**
 * Subscriptions over `graphql-transport-ws` on `/graphql` and over SSE on `/graphql/stream`. Both
 * authenticate like queries (the token in `connection_init`'s `authorization`, or the
 * Authorization header), run on the same gated schema, and end when the grant stops holding:
 * WebSockets with close code 4403.
 */
export function streamServers({ httpServer, schema, authority, watch, guard, development, context, record, errors, verifyUpgrade }: StreamOptions): StreamServers {
  // A message is capped like an HTTP body: a larger frame closes with 1009 before it is read.
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: MAX_BODY_BYTES, verifyClient: verifyUpgrade });
  // graphql-ws answers a message type only a server sends (`next`, `error`, …) with 4500, as if the
  // fault were its own; it is the client's. Registered first, this closes such a socket with 4400.
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      if (!isClientMessage(String(data))) socket.close(CloseCode.BadRequest, 'Invalid message received');
    });
  });
  const viewers = new WeakMap<object, Viewer>();
  const subscribe = compiledSubscribe(schema);
  let wsOperations = 0;
  const eventStreams = new Set<http.ServerResponse>();

  // Each subscription is one entry of the access log, written when it ends.
  const finish = (operations: Map<string, Operation> | undefined, id: string) => {
    const operation = operations?.get(id);
    if (!operation) return;
    operations!.delete(id);
    wsOperations--;
    record(operation.context, operation.name);
  };

  const ws = useServer<{ authorization?: unknown }, { unwatch?: () => void; operations?: Map<string, Operation>; slots?: Map<string, () => void> }>(
    {
      schema,
      subscribe,
      async onConnect(ctx) {
        const authorization = ctx.connectionParams?.authorization;
        // A refused token closes the socket with 4403; any other failure is the gateway's (4500).
        const viewer = await authority
          .authenticate(typeof authorization === 'string' ? authorization : '')
          .catch((error: unknown) => {
            if (error instanceof GraphQLError) return undefined;
            throw error;
          });
        if (!viewer) return false;
        viewers.set(ctx.extra, viewer);
        ctx.extra.unwatch = watch.watch(viewer, () => ctx.extra.socket.close(CloseCode.Forbidden, 'Forbidden: the grant was revoked or has expired'));
        return true;
      },
      async onSubscribe(ctx, id, payload) {
        const viewer = viewers.get(ctx.extra);
        const prepared = await guard.prepare(schema, viewer, payload);
        if (Array.isArray(prepared)) return prepared;
        const { document, operation } = prepared;
        if (viewer && operation.operation === 'subscription') {
          const release = guard.subscriptions.take(viewer.grant.id);
          if (!release) return [tooManySubscriptions(guard.subscriptions.maximum)];
          (ctx.extra.slots ??= new Map()).set(id, release);
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onNext(ctx, id, _payload, _args, result) {
        if (!result.errors) return undefined;
        const operation = ctx.extra.operations?.get(id);
        return { ...result, errors: formatStreamErrors(result.errors, development, (own) => operation && errors(operation.context, own)) };
      },
      onError: (_ctx, _id, _payload, errors) => formatStreamErrors(errors, development),
      async onClose(ctx) {
        ctx.extra.unwatch?.();
        for (const release of ctx.extra.slots?.values() ?? []) release();
        for (const id of [...(ctx.extra.operations?.keys() ?? [])]) finish(ctx.extra.operations, id);
      },
      onComplete(ctx, id) {
        ctx.extra.slots?.get(id)?.();
        ctx.extra.slots?.delete(id);
        finish(ctx.extra.operations, id);
      },
      context(ctx, id, _payload, args) {
        const operationContext = context(viewers.get(ctx.extra), 'ws');
        ctx.extra.operations ??= new Map();
        if (!ctx.extra.operations.has(id)) wsOperations++;
        ctx.extra.operations.set(id, { context: operationContext, name: operationName(args) });
        return operationContext;
      },
    },
    wss,
    KEEP_ALIVE_MS,
  );

  const sseOperations = new WeakMap<object, string | null>();
  const sse = createHandler({
    schema,
    subscribe,
    // onSubscribe validates every operation with the gateway's rules (Guard.prepare) before it returns one.
    validate: () => [],
    async onSubscribe(req, params) {
      try {
        const viewer = await authority.authenticate(req.raw.headers.authorization);
        if (viewer) {
          const prepared = await guard.prepare(schema, viewer, params);
          if (Array.isArray(prepared)) return refusal(prepared, development);
          const { document, operation } = prepared;
          const release = operation.operation === 'subscription' ? guard.subscriptions.take(viewer.grant.id) : () => {};
          if (!release) return refusal([tooManySubscriptions(guard.subscriptions.maximum)], development, 429);
          const unwatch = watch.watch(viewer, () => req.context.res.end());
          req.context.res.once('close', () => {
            unwatch();
            release();
          });
          return {
            schema,
            document,
            operationName: params.operationName,
            variableValues: params.variables,
            contextValue: context(viewer, 'sse') as unknown as OperationContext,
          };
        }
        return [JSON.stringify({ errors: [{ message: 'This operation needs an access token.', extensions: { code: 'UNAUTHENTICATED' } }] }), {
          status: 401,
          statusText: 'Unauthorized',
          headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
        }];
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        const { message, extensions } = error;
        const status = (extensions?.http as { status?: number } | undefined)?.status ?? 401;
        return [JSON.stringify({ errors: [{ message, extensions: { code: extensions?.code } }] }), {
          status,
          statusText: status === 401 ? 'Unauthorized' : 'Forbidden',
          headers: { 'content-type': 'application/json', ...(status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {}) },
        }];
      }
    },
    // graphql-sse sends what this returns as JSON; formatted errors are what it would send anyway.
    onNext: (operationContext, _req, result) =>
      result.errors
        ? ({ ...result, errors: formatStreamErrors(result.errors, development, (own) => errors(operationContext as unknown as Context, own)) } as unknown as ExecutionResult)
        : undefined,
    onOperation(operationContext, _req, args) {
      sseOperations.set(operationContext as object, operationName(args));
    },
    onComplete: (operationContext) => record(operationContext as unknown as Context, sseOperations.get(operationContext as object)),
  });

  return {
    // graphql-sse reads a body whole: only one of a declared length within the cap is let through.
    async sse(req, res) {
      const length = req.headers['content-length'];
      if (length === undefined && req.headers['transfer-encoding'] !== undefined) {
        return sendBodyError(res, new BodyError(411, 'Send the body with a Content-Length.'));
      }
      if (Number(length ?? 0) > MAX_BODY_BYTES) return sendBodyError(res, new BodyError(413, 'Request body too large'));
      if (req.headers.accept?.includes('text/event-stream')) {
        eventStreams.add(res);
        res.once('close', () => eventStreams.delete(res));
      }
      return sse(req, res);
    },
    active: () => ({ ws: wsOperations, sse: eventStreams.size }),
    async close(graceMs) {
      // 1012 Service Restart: reconnect (to any instance) and resume from the last cursor.
      for (const client of wss.clients) client.close(1012, 'Service restart: reconnect and resume from your last cursor');
      // SSE has no close code. A clean end would read as "the subscription is over"; a cut stream
      // is a network error, which graphql-sse clients retry.
      for (const res of eventStreams) res.destroy();
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, graceMs);
      await ws.dispose();
      clearTimeout(cut);
    },
  };
}

/** A refused stream operation, answered before the stream opens. */
function refusal(errors: GraphQLError[], development: boolean, status?: number): SseResponse {
  const http = errors[0]?.extensions?.http as { status?: number; headers?: Map<string, string> } | undefined;
  const code = status ?? http?.status ?? 400;
  return [
    JSON.stringify({ errors: formatStreamErrors(errors, development) }),
    {
      status: code,
      statusText: code === 429 ? 'Too Many Requests' : 'Bad Request',
      headers: { 'content-type': 'application/json; charset=utf-8', ...Object.fromEntries(http?.headers ?? []) },
    },
  ];
}

const CLIENT_MESSAGE_TYPES = new Set(['connection_init', 'ping', 'pong', 'subscribe', 'complete']);

/** Whether a WebSocket message is one a client may send; text that is no JSON object is left to graphql-ws. */
function isClientMessage(text: string): boolean {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return true;
  }
  if (typeof message !== 'object' || message === null) return true;
  const { type } = message as { type?: unknown };
  return typeof type !== 'string' || CLIENT_MESSAGE_TYPES.has(type);
}
