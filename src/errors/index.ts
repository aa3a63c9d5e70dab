import { GraphQLError } from 'graphql';

/** Every error code the gateway sends: GraphQL's `extensions.code`, and the `code` of an archive download's refusal (README lists both). */
export enum ErrorCode {
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  AppSuspended = 'APP_SUSPENDED',
  /** An external issuer's token for an app that is registered but not approved, or not registered. */
  AppNotApproved = 'APP_NOT_APPROVED',
  InsufficientScope = 'INSUFFICIENT_SCOPE',
  RegionNotEligible = 'REGION_NOT_ELIGIBLE',
  RecurringGrantRequired = 'RECURRING_GRANT_REQUIRED',
  GrantExhausted = 'GRANT_EXHAUSTED',
  RateLimited = 'RATE_LIMITED',
  QueryTooCostly = 'QUERY_TOO_COSTLY',
  BadUserInput = 'BAD_USER_INPUT',
  CursorExpired = 'CURSOR_EXPIRED',
  InternalServerError = 'INTERNAL_SERVER_ERROR',
  /** A field that would have started resolving after the execution timeout. */
  ExecutionTimeout = 'EXECUTION_TIMEOUT',
  /** The platform subgraph serving a federated category failed: its fields are null, the rest returns. */
  SubgraphUnavailable = 'SUBGRAPH_UNAVAILABLE',
  // Archive downloads' refusals (`code` in their JSON body), besides the shared ones above.
  NotFound = 'NOT_FOUND',
  SignatureInvalid = 'SIGNATURE_INVALID',
  LinkExpired = 'LINK_EXPIRED',
  GrantRevoked = 'GRANT_REVOKED',
  GrantExpired = 'GRANT_EXPIRED',
  RangeNotSatisfiable = 'RANGE_NOT_SATISFIABLE',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
}

/** The HTTP status a request gets when an error with this code ends it before any data is produced. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.Forbidden:
    case ErrorCode.AppSuspended:
    case ErrorCode.AppNotApproved:
    case ErrorCode.InsufficientScope:
    case ErrorCode.RegionNotEligible:
    case ErrorCode.RecurringGrantRequired:
    case ErrorCode.GrantExhausted:
    case ErrorCode.SignatureInvalid:
    case ErrorCode.GrantRevoked:
    case ErrorCode.GrantExpired:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.MethodNotAllowed:
      return 405;
    case ErrorCode.LinkExpired:
      return 410;
    case ErrorCode.RangeNotSatisfiable:
      return 416;
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.QueryTooCostly:
    case ErrorCode.BadUserInput:
    case ErrorCode.CursorExpired:
      return 400;
    case ErrorCode.InternalServerError:
      return 500;
    case ErrorCode.ExecutionTimeout:
    case ErrorCode.SubgraphUnavailable:
      return 503;
  }
}

/** A {@link GraphQLError} carrying a stable `extensions.code` and any further extensions. */
export function gatewayError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** Whether `error` is a platform subgraph's failure (`SUBGRAPH_UNAVAILABLE`): it passes, so a stream or an archive waits and tries again. */
export function isSubgraphUnavailable(error: unknown): boolean {
  return error instanceof GraphQLError && error.extensions.code === ErrorCode.SubgraphUnavailable;
}

/** Bad input from the caller: `BAD_USER_INPUT`, naming the argument at fault when there is one. */
export function badInput(message: string, argumentName?: string): GraphQLError {
  return gatewayError(ErrorCode.BadUserInput, message, argumentName ? { argumentName } : {});
}

/**
 * A cursor from the other kind of source than the one serving its connection now: one the
 * embedded store issued for a category that has since been federated, or the reverse.
 */
export function staleCursor(argumentName: string): GraphQLError {
  return badInput(`\`${argumentName}\` is a cursor this connection no longer accepts: page again from the start.`, argumentName);
}

/** No valid credential: HTTP 401 with `WWW-Authenticate: Bearer`, as RFC 6750 asks. */
export function unauthenticated(message: string, invalidToken: boolean): GraphQLError {
  const challenge = invalidToken ? 'Bearer error="invalid_token"' : 'Bearer';
  return gatewayError(ErrorCode.Unauthenticated, message, {
    http: { status: 401, headers: new Map([['www-authenticate', challenge]]) },
  });
}
