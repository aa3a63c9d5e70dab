import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Server } from 'node:http';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import { ErrorCode } from '../errors/index.js';
import type { Context } from '../graph/index.js';
import type { Database } from '../store/index.js';
import { accessLogPlugin } from './access-log.js';

/** Apollo Server over the gateway's schema; development shows stack traces, production hides internals. */
export function createApollo(config: Config, schema: GraphQLSchema, httpServer: Server, db: Kysely<Database>): ApolloServer<Context> {
  const development = config.nodeEnv === 'development';
  return new ApolloServer<Context>({
    schema,
    introspection: config.nodeEnv !== 'production',
    includeStacktraceInErrorResponses: development,
    // Apollo's own landing pages load from a CDN; browsers get the playground (src/server/playground) instead.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), accessLogPlugin(db), ApolloServerPluginLandingPageDisabled()],
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
