// Serves the people subgraph (people-subgraph.ts) for the federated benchmark:
// `PORT=0 tsx bench/people-subgraph-main.ts` prints `people subgraph ready at <url>`.
// Like the reference subgraphs with SUBGRAPH_TEST_KNOBS=on, it counts the GraphQL requests it
// gets, read at `GET /admin/counters` and reset by `DELETE /admin/counters`.
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { openDatabase } from '../examples/subgraphs/sqlite.js';
import { peopleSubgraph, seedPeople } from './people-subgraph.js';

const db = openDatabase(':memory:');
await seedPeople(db);
const { schema, context } = peopleSubgraph(db);
const apollo = new ApolloServer({ schema, plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()] });
await apollo.start();

let requests = 0;

async function graphql(request: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  let text = '';
  for await (const chunk of request as AsyncIterable<Buffer>) text += chunk.toString();
  requests++;
  const headers = new HeaderMap([['content-type', request.headers['content-type'] ?? 'application/json']]);
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? 'POST', headers, search: '', body: JSON.parse(text) as unknown },
    context: async () => context(),
  });
  if (response.body.kind !== 'complete') throw new Error('the people subgraph answers no incremental delivery');
  return { status: response.status ?? 200, headers: Object.fromEntries(response.headers), body: response.body.string };
}

const server = http.createServer((request, response) => {
  const counters = () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests }));
  if (request.url === '/admin/counters' && request.method === 'GET') return counters();
  if (request.url === '/admin/counters' && request.method === 'DELETE') {
    requests = 0;
    return counters();
  }
  if (request.url !== '/graphql') return response.writeHead(404).end();
  graphql(request).then(
    ({ status, headers, body }) => response.writeHead(status, headers).end(body),
    (error: unknown) => {
      console.error('people subgraph: request failed:', error);
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'Internal server error.' }] }));
    },
  );
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`people subgraph ready at http://${address}:${port}/graphql`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
