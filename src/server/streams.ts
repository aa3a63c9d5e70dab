import type http from 'node:http';
import { getOperationAST, GraphQLError, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { OperationContext } from 'graphql-sse';
import { createHandler } from 'graphql-sse/lib/use/http';
import { WebSocketServer } from 'ws';
import type { Authority, GrantWatch } from '../auth/index.js';
import type { Context, Viewer } from '../graph/index.js';

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
  context: (viewer: Viewer | undefined, transport: 'ws' | 'sse') => Context;
  /** Writes a finished subscription to the access log. */
  record: (context: Context, operationName: string | null | undefined) => Promise<void>;
  /** Reports the errors a subscription sends (metrics, and the log for internal ones). */
  errors: (context: Context, errors: readonly GraphQLError[]) => void;
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
export function streamServers({ httpServer, schema, authority, watch, context, record, errors }: StreamOptions): StreamServers {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const viewers = new WeakMap<object, Viewer>();
  let wsOperations = 0;
  const eventStreams = new Set<http.ServerResponse>();

  // Each subscription is one entry of the access log, written when it ends.
  const finish = (operations: Map<string, Operation> | undefined, id: string) => {
    const operation = operations?.get(id);
    if (!operation) return;
    operations!.delete(id);
    wsOperations--;
    return record(operation.context, operation.name);
  };

  const ws = useServer<{ authorization?: unknown }, { unwatch?: () => void; operations?: Map<string, Operation> }>(
    {
      schema,
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
      async onClose(ctx) {
        ctx.extra.unwatch?.();
        await Promise.all([...(ctx.extra.operations?.keys() ?? [])].map((id) => finish(ctx.extra.operations, id)));
      },
      onComplete: (ctx, id) => finish(ctx.extra.operations, id),
      onNext(ctx, id, _payload, _args, result) {
        const operation = ctx.extra.operations?.get(id);
        if (result.errors && operation) errors(operation.context, result.errors);
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

  const sseViewers = new WeakMap<http.IncomingMessage, Viewer>();
  const sseOperations = new WeakMap<object, string | null>();
  const sse = createHandler({
    schema,
    async onSubscribe(req) {
      try {
        const viewer = await authority.authenticate(req.raw.headers.authorization);
        if (viewer) {
          sseViewers.set(req.raw, viewer);
          const unwatch = watch.watch(viewer, () => req.context.res.end());
          req.context.res.once('close', unwatch);
          return;
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
    // graphql-sse types a context as a plain record; ours is the typed Context.
    context: (req) => context(sseViewers.get(req.raw), 'sse') as unknown as OperationContext,
    onNext(operationContext, _req, result) {
      if (result.errors) errors(operationContext as unknown as Context, result.errors);
    },
    onOperation(operationContext, _req, args) {
      sseOperations.set(operationContext as object, operationName(args));
    },
    onComplete: (operationContext) => record(operationContext as unknown as Context, sseOperations.get(operationContext as object)),
  });

  return {
    sse(req, res) {
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
