import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Subgraph } from './subgraph.js';

/** The largest request body read: a page of 1000 representations is far below it. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** What the server writes back for one request. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Test-only hooks around the reference (see `test-knobs.ts`); a real subgraph has none. */
export interface Interceptor {
  /** Wraps each GraphQL request's answer. */
  around(body: unknown, answer: () => Promise<Answer>): Promise<Answer>;
  /** Answers a request to `/admin/…`. */
  admin(method: string, path: string, body: unknown, subgraph: Subgraph): Promise<Answer>;
}

export interface ServeOptions {
  subgraph: Subgraph;
  host: string;
  /** 0 takes a free port. */
  port: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string | undefined;
  interceptor?: Interceptor | undefined;
}

/** A subgraph listening on HTTP. */
export interface RunningServer {
  /** The GraphQL endpoint, `http://host:port/graphql`. */
  url: string;
  close(): Promise<void>;
}

const json = (status: number, value: unknown): Answer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
});
const failure = (status: number, code: string, message: string) => json(status, { errors: [{ message, extensions: { code } }] });

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests so that the time taken says nothing about how much of the token matched. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Hands one HTTP request to Apollo Server, as its framework integrations do. */
async function executeGraphQL(apollo: ApolloServer, subgraph: Subgraph, request: IncomingMessage, body: unknown): Promise<Answer> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: new URL(request.url ?? '/', 'http://localhost').search, body },
    context: async () => subgraph.context(),
  });
  let text = '';
  if (response.body.kind === 'complete') text = response.body.string;
  else for await (const chunk of response.body.asyncIterator) text += chunk;
  return { status: response.status ?? 200, headers: Object.fromEntries(response.headers), body: text };
}

/** Serves `subgraph` at `/graphql` on `node:http` until closed. */
export async function serveSubgraph(options: ServeOptions): Promise<RunningServer> {
  const { subgraph, token, interceptor } = options;
  const apollo = new ApolloServer({
    schema: subgraph.schema,
    includeStacktraceInErrorResponses: false,
    // No landing page (it would load from a CDN) and no Apollo Studio traces: the gateway is the only client.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();

  const answer = async (request: IncomingMessage): Promise<Answer> => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const admin = interceptor !== undefined && path.startsWith('/admin/');
    if (path !== '/graphql' && !admin) return failure(404, 'NOT_FOUND', 'Not found: the endpoint is /graphql.');
    if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
      return { ...failure(401, 'UNAUTHENTICATED', 'A valid bearer token is required.'), headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' } };
    }
    const text = await readBody(request);
    if (text === undefined) return failure(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return failure(400, 'BAD_REQUEST', 'The request body is not JSON.');
    }
    if (admin) return interceptor.admin(request.method ?? 'GET', path, body, subgraph);
    const graphql = () => executeGraphQL(apollo, subgraph, request, body);
    return interceptor ? interceptor.around(body, graphql) : graphql();
  };

  const server = http.createServer((request: IncomingMessage, response: ServerResponse) => {
    answer(request).then(
      ({ status, headers, body }) => response.writeHead(status, headers).end(body),
      (error: unknown) => {
        console.error('request failed:', error);
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ errors: [{ message: 'Internal server error.' }] }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}
