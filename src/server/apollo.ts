import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Server } from 'node:http';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import { ErrorCode } from '../errors/index.js';
import type { Context } from '../graph/index.js';
import type { Logger } from '../logging/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Database } from '../store/index.js';
import { accessLogPlugin } from './access-log.js';
import { observabilityPlugin } from './observability-plugin.js';

/** How long shutdown waits for requests in flight before it cuts their connections; the rest of the 10 s is for the steps after. */
export const DRAIN_GRACE_MS = 7000;

/** Apollo Server over the gateway's schema; development shows stack traces, production hides internals. */
export function createApollo(
  config: Config,
  schema: GraphQLSchema,
  httpServer: Server,
  db: Kysely<Database>,
  { logger, metrics }: { logger: Logger; metrics: Metrics },
): ApolloServer<Context> {
  const development = config.nodeEnv === 'development';
  return new ApolloServer<Context>({
    schema,
    logger,
    introspection: config.nodeEnv !== 'production',
    includeStacktraceInErrorResponses: development,
    // The gateway's own shutdown closes streams and drains in order (see Gateway.close); Apollo's would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: DRAIN_GRACE_MS }),
      observabilityPlugin(metrics),
      accessLogPlugin(db),
    ],
    formatError(formatted: GraphQLFormattedError): GraphQLFormattedError {
      // An unexpected failure: the operator finds it in the log (observabilityPlugin), the caller only learns it happened.
      if (development || formatted.extensions?.code !== ErrorCode.InternalServerError) return formatted;
      return { ...formatted, message: 'Internal server error', extensions: { code: ErrorCode.InternalServerError } };
    },
  });
}
