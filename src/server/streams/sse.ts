import type http from 'node:http';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { createHandler, type OperationContext, type Request as SseRequest, type Response as SseResponse } from 'graphql-sse';
import { ErrorCode, gatewayError } from '../../errors/index.js';
import type { Context, Viewer } from '../../graph/index.js';
import { MAX_BODY_BYTES } from '../graphql-handler.js';
import { BodyError, sendBodyError } from '../http-util.js';
import type { StreamCore, StreamOperation } from './core.js';
import { MAX_RESERVATIONS_PER_GRANT, Reservations, type Reservation } from './reservations.js';

const TOKEN_HEADER = 'x-graphql-event-stream-token';

/** What the handler's hooks know of the request beyond graphql-sse's own view of it. */
interface RequestContext {
  viewer: Viewer;
  /** The reserved stream the request names, or null in distinct-connections mode. */
  streamToken: string | null;
}

/** The Server-Sent Events transport: graphql-sse on `/graphql/stream`, over the stream core. */
export interface SseTransport {
  serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /** Cuts every open event stream (clients reconnect and resume) and drops every reservation. */
  close(): void;
}

/**
 * graphql-sse in both of its modes, with the token in the `Authorization` header of every request.
 * Distinct connections: each operation is its own event stream. Single connection: `PUT` reserves
 * a stream for the grant, `GET` (or `POST`) with `Accept: text/event-stream` and the stream's token
 * opens it, and operations are then POSTed with that token, each holding a subscription slot. Every
 * event stream is watched: when its grant or token stops holding, it is cut.
 */
export function sseTransport(core: StreamCore): SseTransport {
  const reservations = new Reservations();
  const eventStreams = new Set<http.ServerResponse>();
  const handler = sseHandler(core);

  /** Opens an event stream, distinct or reserved, watched for as long as it lives. */
  function watchStream(viewer: Viewer, res: http.ServerResponse): void {
    eventStreams.add(res);
    const unwatch = core.watch(viewer, () => res.end());
    res.once('close', () => {
      unwatch();
      eventStreams.delete(res);
    });
  }

  /** Opens a reserved stream: graphql-sse registers it only now, so an unopened reservation holds nothing of it. */
  async function openReserved(streamToken: string, request: SseRequest<http.IncomingMessage, RequestContext>, res: http.ServerResponse): Promise<void> {
    reservations.open(streamToken);
    res.once('close', () => reservations.release(streamToken));
    const [, registered] = await handler({ ...request, method: 'PUT', headers: { get: (key) => (key === 'accept' ? '*/*' : undefined) } });
    if (registered.status !== 201) throw new Error(`graphql-sse did not register a reserved stream (${registered.status})`);
  }

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const bodyError = bodyRefusal(req);
    if (bodyError) return sendBodyError(res, bodyError);
    let viewer: Viewer;
    try {
      viewer = await core.authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return send(res, refusal(core, [error]));
    }
    const opening = req.headers.accept === 'text/event-stream';
    if (req.method === 'PUT') return reserve(core, reservations, viewer, res);
    const streamToken = tokenOf(req);
    const request = sseRequest(req, { viewer, streamToken });
    if (streamToken !== null) {
      const refused = reservationProblem(reservations.find(streamToken, viewer.grant.id), opening);
      if (refused) return send(res, refused);
      if (opening) await openReserved(streamToken, request, res);
    }
    if (opening) watchStream(viewer, res);
    return send(res, await handler(request));
  }

  return {
    serve,
    close() {
      // SSE has no close code. A clean end would read as "the subscription is over"; a cut stream
      // is a network error, which graphql-sse clients retry.
      for (const res of eventStreams) res.destroy();
      reservations.clear();
    },
  };
}

/** graphql-sse's handler, with every operation prepared by the stream core and its errors formatted by it. */
function sseHandler(core: StreamCore) {
  const operations = new WeakMap<object, StreamOperation>();
  return createHandler<http.IncomingMessage, RequestContext, OperationContext>({
    schema: core.schema,
    subscribe: core.subscribe,
    // A reserved stream is the gateway's to have checked: graphql-sse only sees the grant's own.
    authenticate: (req) => req.context.streamToken,
    // onSubscribe validates every operation with the gateway's rules (Guard.prepare) before it returns one.
    validate: () => [],
    async onSubscribe(req, params) {
      const prepared = await core.prepare(req.context.viewer, params, 'sse');
      if (Array.isArray(prepared)) return refusal(core, prepared);
      operations.set(prepared.args.contextValue, prepared);
      return prepared.args as never;
    },
    // graphql-sse sends what this returns as JSON; formatted errors are what it would send anyway.
    onNext: (context, _req, result) =>
      result.errors ? ({ ...result, errors: core.format(result.errors, context as unknown as Context) } as unknown as ExecutionResult) : undefined,
    onComplete: (context) => operations.get(context as object)?.finish(),
  });
}

/** graphql-sse reads a body whole: only one of a declared length within the cap is let through. */
function bodyRefusal(req: http.IncomingMessage): BodyError | undefined {
  const length = req.headers['content-length'];
  if (length === undefined && req.headers['transfer-encoding'] !== undefined) return new BodyError(411, 'Send the body with a Content-Length.');
  if (Number(length ?? 0) > MAX_BODY_BYTES) return new BodyError(413, 'Request body too large');
  return undefined;
}

/** Why a request naming a reserved stream cannot go on (unknown, or opened twice, or used before it opens), if it cannot. */
function reservationProblem(reservation: Reservation | undefined, opening: boolean): SseResponse | undefined {
  if (!reservation) return problem(404, 'Stream not found');
  if (opening && reservation.open) return problem(409, 'Stream already open');
  if (!opening && !reservation.open) return problem(409, 'Open the reserved event stream before sending operations to it');
  return undefined;
}

/** `PUT`: reserves a stream for the viewer's grant and answers with its token, unless the grant holds its maximum. */
function reserve(core: StreamCore, reservations: Reservations, viewer: Viewer, res: http.ServerResponse): void {
  const token = reservations.reserve(viewer.grant.id);
  if (token === undefined) {
    const error = gatewayError(ErrorCode.RateLimited, `This grant already holds ${MAX_RESERVATIONS_PER_GRANT} event streams, the most it may; end one first.`, {
      http: { status: 429 },
    });
    return void send(res, refusal(core, [error]));
  }
  res.writeHead(201, { 'content-type': 'text/plain; charset=utf-8' }).end(token);
}

/** The stream token a request names: graphql-sse's header, or its `token` query parameter. */
function tokenOf(req: http.IncomingMessage): string | null {
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
}

function sseRequest(req: http.IncomingMessage, context: RequestContext): SseRequest<http.IncomingMessage, RequestContext> {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: {
      get(key) {
        const value = req.headers[key];
        return Array.isArray(value) ? value.join('\n') : value;
      },
    },
    body: () => readText(req),
    raw: req,
    context,
  };
}

function readText(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.once('error', reject);
    req.once('end', () => resolve(text));
  });
}

/** Writes graphql-sse's answer: a body, or an event stream written at the pace the client reads it. */
async function send(res: http.ServerResponse, [body, init]: SseResponse): Promise<void> {
  res.writeHead(init.status, init.statusText, init.headers);
  if (body === null || typeof body === 'string') {
    res.end(body ?? undefined);
    return;
  }
  const stop = () => void body.return(undefined);
  res.once('close', stop);
  try {
    for await (const chunk of body) {
      if (!res.writable || !res.write(chunk)) {
        if (!res.writable) break;
        await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      }
    }
  } finally {
    res.off('close', stop);
    res.end();
  }
}

/** A JSON error answer of graphql-sse's own kind (no GraphQL error code: the protocol's). */
function problem(status: number, message: string): SseResponse {
  return [JSON.stringify({ errors: [{ message }] }), { status, statusText: message, headers: { 'content-type': 'application/json; charset=utf-8' } }];
}

/** A refused request or operation, answered before any stream opens, with the status its first error names. */
function refusal(core: StreamCore, errors: readonly GraphQLError[]): SseResponse {
  const http = errors[0]?.extensions?.http as { status?: number; headers?: Iterable<[string, string]> } | undefined;
  const code = errors[0]?.extensions?.code;
  const status = http?.status ?? (code === ErrorCode.RateLimited ? 429 : 400);
  return [
    JSON.stringify({ errors: core.format(errors) }),
    {
      status,
      statusText: STATUS_TEXT[status] ?? 'Bad Request',
      headers: { 'content-type': 'application/json; charset=utf-8', ...Object.fromEntries(http?.headers ?? []) },
    },
  ];
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests' };
