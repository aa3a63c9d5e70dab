import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config/index.js';
import type { Context } from '../graph/index.js';
import { limitsPlugin, type Guard } from '../limits/index.js';
import type { Logger } from '../logging/index.js';
import type { Metrics } from '../metrics/index.js';
import type { AccessLogWriter } from './access-log-writer.js';
import { accessLogPlugin } from './access-log.js';
import { correlationPlugin, errorFormatter } from './error-format.js';
import { jitExecutor } from './jit-executor.js';
import { observabilityPlugin } from './observability-plugin.js';

/** How long shutdown waits for requests in flight before it cuts their connections; the rest of the 10 s is for the steps after. */
export const DRAIN_GRACE_MS = 7000;

/** Apollo Server over the gateway's schema and its limits; development shows stack traces, production hides internals. */
export function createApollo(
  config: Config,
  schema: GraphQLSchema,
  httpServer: Server,
  accessLog: AccessLogWriter,
  guard: Guard,
  { logger, metrics }: { logger: Logger; metrics: Metrics },
): ApolloServer<Context> {
  const development = config.nodeEnv === 'development';
  return new ApolloServer<Context>({
    // Queries run compiled by graphql-jit (see jit-executor.ts): graphql-js's interpreter took a
    // fifth of a large page's time.
    gateway: jitExecutor(schema),
    logger,
    introspection: config.limits.introspection,
    includeStacktraceInErrorResponses: development,
    // The gateway's own shutdown closes streams and drains in order (see Gateway.close); Apollo's would re-raise the signal.
    stopOnTerminationSignals: false,
    // One operation per request: a batch would multiply every limit by its length.
    allowBatchedHttpRequests: false,
    parseOptions: guard.parseOptions,
    validationRules: guard.armorRules,
    // Apollo's own landing pages load from a CDN; browsers get the playground (src/server/playground)
    // instead. Cache hints are not used (answers are per viewer and never cached), and the default
    // cache control plugin costs a hook on every resolved field: a large page spent 3 % of its time there.
    // Errors get their correlation id before the observability plugin logs them.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: DRAIN_GRACE_MS }),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ...(guard.armorPlugins as ApolloServerPlugin<Context>[]),
      limitsPlugin(guard),
      correlationPlugin,
      observabilityPlugin(metrics),
      accessLogPlugin(accessLog),
    ],
    formatError: errorFormatter(development),
  });
}
