import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../errors/index.js';
import { toGraphQLError } from './jit.js';

/**
 * Shapes every error a caller sees: each carries a `correlationId` in `extensions`, the same one the
 * log line of an internal failure records; outside development an internal failure says only that
 * it happened (stack traces are Apollo's `includeStacktraceInErrorResponses`, development only).
 */
export function errorFormatter(development: boolean) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const correlationId = (formatted.extensions?.correlationId as string | undefined) ?? randomUUID();
    // `http` (status and headers) is for the transport, never for the body.
    const { http: _http, ...rest } = formatted.extensions ?? {};
    const extensions = { ...rest, correlationId };
    // An unexpected failure: the operator finds it in the log under the same correlation id
    // (reportErrors), the caller only learns that it happened.
    if (development || formatted.extensions?.code !== ErrorCode.InternalServerError) return { ...formatted, extensions };
    return { ...formatted, message: 'Internal server error', extensions: { code: ErrorCode.InternalServerError, correlationId } };
  };
}

/** Gives the errors of one request one correlation id, before they are formatted. */
export const correlationPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        stampCorrelation(errors);
      },
    };
  },
};

function stampCorrelation(errors: readonly GraphQLError[]): void {
  const correlationId = randomUUID();
  for (const error of errors) (error.extensions as Record<string, unknown>).correlationId ??= correlationId;
}

/**
 * The errors of one stream message, correlated, handed to `report` (metrics and the log), and
 * formatted as `/graphql` formats them.
 */
export function formatStreamErrors(
  errors: readonly GraphQLError[],
  development: boolean,
  report: (errors: readonly GraphQLError[]) => void = () => {},
): GraphQLFormattedError[] {
  // Subscriptions run compiled by graphql-jit, whose errors are not graphql-js's (see toGraphQLError).
  const own = errors.map(toGraphQLError);
  for (const error of own) {
    // An exception no code marks as meant for the caller is internal, as Apollo has it on /graphql.
    const thrown = error.originalError && !(error.originalError instanceof GraphQLError);
    if (thrown && error.extensions.code === undefined) (error.extensions as Record<string, unknown>).code = ErrorCode.InternalServerError;
  }
  stampCorrelation(own);
  report(own);
  const format = errorFormatter(development);
  return own.map((error) => format(error.toJSON()));
}
