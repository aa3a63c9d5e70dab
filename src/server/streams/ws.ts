import type http from 'node:http';
import { GraphQLError } from 'graphql';
import type { Context as WsContext, ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type VerifyClientCallbackAsync } from 'ws';
import type { Viewer } from '../../graph/index.js';
import { MAX_BODY_BYTES } from '../graphql-handler.js';
import { StreamCloseCode } from './close-codes.js';
import type { StreamCore, StreamOperation } from './core.js';

/** Keep-alive pings every 12 s, so idle connections survive proxies and dead peers are noticed. */
const KEEP_ALIVE_MS = 12_000;

type Connection = {
  viewer?: Viewer;
  unwatch?: () => void;
  operations?: Map<string, StreamOperation>;
};
type InitPayload = { authorization?: unknown };
/** What graphql-ws keeps of a socket: its own `Extra` and the gateway's {@link Connection}. */
type SocketExtra = Extra & Partial<Connection>;

/** The WebSocket transport: `graphql-transport-ws` on `/graphql`, over the stream core. */
export interface WsTransport {
  /** Closes every socket with 1012; one still open after `graceMs` is terminated. */
  close(graceMs: number): Promise<void>;
}

/**
 * `graphql-transport-ws` on `/graphql`. The token comes in `connection_init`'s `authorization`;
 * a refused one closes the socket with 4403 when its grant has ended and 4401 otherwise, and the
 * same codes end a socket whose grant or token stops holding later. Frames over 1 MiB close it
 * with 1009 before anything parses them; `verifyClient` may refuse the handshake itself.
 */
export function wsTransport(core: StreamCore, httpServer: http.Server, verifyClient: VerifyClientCallbackAsync): WsTransport {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: MAX_BODY_BYTES, verifyClient });
  // Registered before graphql-ws's own listener, so it sees each message first.
  closeOnServerMessages(wss);
  const server = useServer<InitPayload, Connection>(protocolHooks(core), wss, KEEP_ALIVE_MS);
  return {
    async close(graceMs) {
      for (const client of wss.clients) client.close(StreamCloseCode.ServiceRestart, 'Service restart: reconnect and resume from your last cursor');
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, graceMs);
      await server.dispose();
      clearTimeout(cut);
    },
  };
}

/**
 * graphql-ws answers a message type only a server sends (`next`, `error`, …) with 4500, as if the
 * fault were its own; it is the client's. This closes such a socket with 4400.
 */
function closeOnServerMessages(wss: WebSocketServer): void {
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      if (!isClientMessage(String(data))) socket.close(StreamCloseCode.BadRequest, 'Invalid message received');
    });
  });
}

/** graphql-ws's hooks: each translates one protocol step into a call on the stream core. */
function protocolHooks(core: StreamCore): ServerOptions<InitPayload, SocketExtra> {
  const finish = (connection: Connection, id: string) => {
    connection.operations?.get(id)?.finish();
    connection.operations?.delete(id);
  };
  return {
    schema: core.schema,
    subscribe: core.subscribe,
    onConnect(ctx) {
      forgetRequest(ctx.extra);
      return connect(core, ctx);
    },
    async onSubscribe(ctx, id, payload) {
      const prepared = await core.prepare(ctx.extra.viewer!, payload, 'ws');
      if (Array.isArray(prepared)) return prepared;
      (ctx.extra.operations ??= new Map()).set(id, prepared);
      return prepared.args;
    },
    onNext(ctx, id, _payload, _args, result) {
      if (!result.errors) return undefined;
      return { ...result, errors: core.format(result.errors, ctx.extra.operations?.get(id)?.args.contextValue) };
    },
    onError: (_ctx, _id, _payload, errors) => core.format(errors),
    onComplete: (ctx, id) => finish(ctx.extra, id),
    onClose(ctx) {
      ctx.extra.unwatch?.();
      for (const id of [...(ctx.extra.operations?.keys() ?? [])]) finish(ctx.extra, id);
    },
  };
}

/**
 * Drops graphql-ws's reference to the upgrade request: nothing reads it after the handshake, and
 * with its headers it is a large share of what an idle connection holds.
 */
function forgetRequest(extra: SocketExtra): void {
  (extra as { request: Extra['request'] | undefined }).request = undefined;
}

/**
 * `connection_init`: authenticates its `authorization` and watches the grant and token from then
 * on. A refusal closes the socket with 4403 when the grant has ended, 4401 otherwise.
 */
async function connect(core: StreamCore, ctx: WsContext<InitPayload, SocketExtra>): Promise<boolean> {
  const { authorization } = ctx.connectionParams ?? {};
  const socket = ctx.extra.socket;
  try {
    const viewer = await core.authenticate(typeof authorization === 'string' ? authorization : undefined);
    ctx.extra.viewer = viewer;
    ctx.extra.unwatch = core.watch(viewer, (why) =>
      why === 'grant'
        ? socket.close(StreamCloseCode.GrantEnded, 'Forbidden: the grant was revoked or has expired')
        : socket.close(StreamCloseCode.TokenEnded, 'Unauthorized: refresh the access token, reconnect and resume'),
    );
    return true;
  } catch (error) {
    // Any other failure is the gateway's: graphql-ws closes with 4500.
    if (!(error instanceof GraphQLError)) throw error;
    if (core.endsGrant(error)) socket.close(StreamCloseCode.GrantEnded, `Forbidden: ${error.message}`);
    else socket.close(StreamCloseCode.TokenEnded, `Unauthorized: ${error.message}`);
    return false;
  }
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
