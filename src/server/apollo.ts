import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config/index.js';
import type { Context } from '../graph/index.js';
import { limitsPlugin, type Guard } from '../limits/index.js';
import type { AccessLogWriter } from './access-log-writer.js';
import { accessLogPlugin } from './access-log.js';
import { correlationPlugin, errorFormatter } from './error-format.js';
import { jitExecutor } from './jit-executor.js';

/** Apollo Server over the gateway's schema and its limits; development shows stack traces, production hides internals. */
export function createApollo(config: Config, schema: GraphQLSchema, httpServer: Server, accessLog: AccessLogWriter, guard: Guard): ApolloServer<Context> {
  const development = config.nodeEnv === 'development';
  return new ApolloServer<Context>({
    // Queries run compiled by graphql-jit (see jit-executor.ts): graphql-js's interpreter took a
    // fifth of a large page's time.
    gateway: jitExecutor(schema),
    introspection: config.limits.introspection,
    includeStacktraceInErrorResponses: development,
    // One operation per request: a batch would multiply every limit by its length.
    allowBatchedHttpRequests: false,
    parseOptions: guard.parseOptions,
    validationRules: guard.armorRules,
    // Apollo's own landing pages load from a CDN; browsers get the playground (src/server/playground)
    // instead. Cache hints are not used (answers are per viewer and never cached), and the default
    // cache control plugin costs a hook on every resolved field: a large page spent 3 % of its time there.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ...(guard.armorPlugins as ApolloServerPlugin<Context>[]),
      limitsPlugin(guard),
      correlationPlugin,
      accessLogPlugin(accessLog),
    ],
    formatError: errorFormatter(development),
  });
}
