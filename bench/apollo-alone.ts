// Apollo alone: Apollo Server 5 on `node:http` through `executeHTTPGraphQLRequest`, serving the
// gateway's schema with no store, no auth, no limits and no logs. The schema has no resolvers: the
// root value is the data of a recorded answer (the JSON file named by the second argument), so
// every field resolves by graphql-js's default resolver from memory and its scalars pass the
// recorded values through; the recorded `extensions` are set on each answer, so the bytes equal
// the gateway's. Apollo runs as the gateway configures it, less the gateway's own plugins and
// executor: cache-control and landing-page plugins off. Usage: node apollo-alone.js PORT FILE (compiled, bench/build.ts)
import fs from 'node:fs';
import http from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { fromGlobalId } from '../src/graph/index.js';
import { loadTypeDefs } from '../src/server/index.js';

const [port, file] = process.argv.slice(2);
const recorded = JSON.parse(fs.readFileSync(file!, 'utf8')) as { data: unknown; extensions?: Record<string, unknown> };

const schema = makeExecutableSchema({
  typeDefs: loadTypeDefs(),
  // A node's type is the one its global id names, as the gateway issued it.
  resolvers: { Node: { __resolveType: (node: { id: string }) => fromGlobalId(node.id).type } },
});
const apollo = new ApolloServer({
  schema,
  rootValue: recorded.data,
  plugins: [
    ApolloServerPluginCacheControlDisabled(),
    ApolloServerPluginLandingPageDisabled(),
    {
      async requestDidStart() {
        return {
          async willSendResponse({ response }) {
            if (response.body.kind === 'single' && recorded.extensions) response.body.singleResult.extensions = recorded.extensions;
          },
        };
      },
    },
  ],
});
await apollo.start();

http
  .createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body: JSON.parse(Buffer.concat(chunks).toString()) },
      context: async () => ({}),
    });
    res.statusCode = response.status ?? 200;
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.end(response.body.kind === 'complete' ? response.body.string : '');
  })
  .listen(Number(port), () => console.log('ready'));
process.once('SIGTERM', () => process.exit(0));
