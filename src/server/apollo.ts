import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Server } from 'node:http';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Config } from '../config/index.js';
import { ErrorCode } from '../errors/index.js';
import type { Context } from '../graph/index.js';
import { accessLogPlugin } from './access-log.js';
import { jitExecutor } from './jit-executor.js';
import type { AccessLogWriter } from './access-log-writer.js';

/** Apollo Server over the gateway's schema; development shows stack traces, production hides internals. */
export function createApollo(config: Config, schema: GraphQLSchema, httpServer: Server, accessLog: AccessLogWriter): ApolloServer<Context> {
  const development = config.nodeEnv === 'development';
  return new ApolloServer<Context>({
    // Queries run compiled by graphql-jit (see jit-executor.ts): graphql-js's interpreter took a
    // fifth of a large page's time.
    gateway: jitExecutor(schema),
    introspection: config.nodeEnv !== 'production',
    includeStacktraceInErrorResponses: development,
    // Apollo's own landing pages load from a CDN; browsers get the playground (src/server/playground)
    // instead. Cache hints are not used (answers are per viewer and never cached), and the default
    // cache control plugin costs a hook on every resolved field: a large page spent 3 % of its time there.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      accessLogPlugin(accessLog),
    ],
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      const internal = formatted.extensions?.code === ErrorCode.InternalServerError;
      if (!internal) return formatted;
      // An unexpected failure: the operator gets it in full, the caller only that it happened.
      console.error('internal error', unwrapResolverError(error));
      if (development) return formatted;
      return { ...formatted, message: 'Internal server error', extensions: { code: ErrorCode.InternalServerError } };
    },
  });
}
