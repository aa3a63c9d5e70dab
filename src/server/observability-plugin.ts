import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors/index.js';
import type { Context } from '../graph/index.js';
import type { Logger } from '../logging/index.js';
import type { Metrics } from '../metrics/index.js';

function codeOf(error: unknown): string {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return typeof code === 'string' ? code : ErrorCode.InternalServerError;
}

/** Counts errors by code, and logs the full detail of internal ones (the caller only learns that one happened). */
export function reportErrors(errors: readonly GraphQLError[], logger: Logger, metrics: Metrics): void {
  for (const error of errors) {
    const code = codeOf(error);
    metrics.countError(code);
    if (code === ErrorCode.InternalServerError) {
      logger.error({ err: unwrapResolverError(error), path: error.path, correlationId: error.extensions?.correlationId }, 'internal error');
    }
  }
}

/**
 * Metrics and logs for GraphQL over HTTP: each request's duration by operation, each error by
 * code, the operation's name on the request's log line, and the full detail of an internal error
 * in the log (the caller only learns that one happened).
 */
export function observabilityPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async contextCreationDidFail({ error }) {
      metrics.countError(codeOf(error));
    },
    async requestDidStart() {
      const started = performance.now();
      return {
        async didResolveOperation({ contextValue, operationName }) {
          if (operationName) contextValue.logger.setBindings({ operation: operationName });
        },
        async didEncounterErrors({ errors, contextValue }) {
          reportErrors(errors, contextValue.logger, metrics);
        },
        async willSendResponse({ operation, operationName }) {
          metrics.observeOperation(operation?.operation ?? 'unknown', operationName, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
