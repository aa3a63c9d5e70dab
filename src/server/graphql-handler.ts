import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import Negotiator from 'negotiator';
import type { Context } from '../graph/index.js';
import { BodyError, readBody, sendBodyError } from './http-util.js';

/** What `/graphql` answers with, in the order Apollo prefers them. */
const RESPONSE_TYPES = ['application/json', 'application/graphql-response+json'];

/** Distinct `Accept` headers whose verdict is remembered; clients send the same few. */
const MAX_ACCEPTS = 100;

/** Whether an `Accept` header takes one of {@link RESPONSE_TYPES}, each distinct header negotiated once. */
function acceptsResponse(): (accept: string) => boolean {
  const verdicts = new Map<string, boolean>();
  return (accept) => {
    let verdict = verdicts.get(accept);
    if (verdict === undefined) {
      verdict = new Negotiator({ headers: { accept } }).mediaTypes(RESPONSE_TYPES).length > 0;
      if (verdicts.size >= MAX_ACCEPTS) verdicts.clear();
      verdicts.set(accept, verdict);
    }
    return verdict;
  };
}

/** Request bodies above this size get 413 before they are parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Serves `/graphql` through Apollo's `executeHTTPGraphQLRequest` straight from `node:http`, with
 * no web framework's per-request work in between (BENCHMARKS.md gives what that saves). Apollo does
 * the GraphQL-over-HTTP work (GET, CSRF prevention, content negotiation); this only moves bytes.
 */
export function graphqlHandler(apollo: ApolloServer<Context>, context: (req: IncomingMessage) => Promise<Context>) {
  const accepts = acceptsResponse();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body: unknown;
    try {
      // GraphQL over HTTP: refuse what cannot be answered before reading or running anything.
      // (A GET only reads, so it is left to Apollo, and to a playground answering a browser's GET.)
      if (req.method === 'POST') {
        if (req.headers.accept && !accepts(req.headers.accept)) {
          throw new BodyError(406, 'Accept application/graphql-response+json or application/json.');
        }
        if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
          throw new BodyError(415, 'POST the operation as application/json.');
        }
        body = await readBody(req, MAX_BODY_BYTES);
      }
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      return sendBodyError(res, error);
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: queryStart < 0 ? '' : url.slice(queryStart), body },
      context: () => context(req),
    });
    await send(res, response);
  };
}

async function send(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  res.statusCode = response.status ?? 200;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  // Answers are one viewer's data: no shared cache may keep them (Apollo's cache-control plugin
  // is off, so nothing else says so).
  if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'no-store');
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
