import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import type { Context } from '../graph/index.js';
import { limitsPlugin, type Guard } from '../limits/index.js';
import type { Database } from '../store/index.js';
import { accessLogPlugin } from './access-log.js';
import { correlationPlugin, errorFormatter } from './error-format.js';

/** Apollo Server over the gateway's schema and its limits; development shows stack traces, production hides internals. */
export function createApollo(config: Config, schema: GraphQLSchema, httpServer: Server, db: Kysely<Database>, guard: Guard): ApolloServer<Context> {
  const development = config.nodeEnv === 'development';
  return new ApolloServer<Context>({
    schema,
    introspection: config.limits.introspection,
    includeStacktraceInErrorResponses: development,
    // One operation per request: a batch would multiply every limit by its length.
    allowBatchedHttpRequests: false,
    parseOptions: guard.parseOptions,
    validationRules: guard.armorRules,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ...(guard.armorPlugins as ApolloServerPlugin<Context>[]),
      limitsPlugin(guard),
      correlationPlugin,
      accessLogPlugin(db),
    ],
    formatError: errorFormatter(development),
  });
}
