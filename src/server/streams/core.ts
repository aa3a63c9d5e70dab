import { getOperationAST, type ExecutionArgs, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { endsGrant, type Authority, type GrantWatch, type StreamEnd } from '../../auth/index.js';
import { unauthenticated } from '../../errors/index.js';
import type { Context, Viewer } from '../../graph/index.js';
import { tooManySubscriptions, type Guard } from '../../limits/index.js';
import { compiledSubscribe } from '../compiled-subscribe.js';
import { formatStreamErrors } from '../error-format.js';

export type Transport = 'ws' | 'sse';

export interface StreamCoreOptions {
  schema: GraphQLSchema;
  authority: Authority;
  watch: GrantWatch;
  /** The same limits as `/graphql`: document rules, cost, rate limits, and the subscription cap. */
  guard: Guard;
  development: boolean;
  context: (viewer: Viewer, transport: Transport) => Context;
  /** Writes a finished operation to the access log. */
  record: (context: Context, operationName: string | null) => void;
  /** Reports the errors a stream sends (metrics, and the log for internal ones). */
  errors: (context: Context, errors: readonly GraphQLError[]) => void;
}

/** An operation a stream runs: its arguments, and what ending it gives back. */
export interface StreamOperation {
  args: ExecutionArgs & { contextValue: Context };
  /** Releases its subscription slot and writes it to the access log; later calls do nothing. */
  finish(): void;
}

/**
 * What every stream transport does the same way: authenticate the bearer token, prepare each
 * operation under the guard, hold a subscription slot while a subscription lives, watch the grant
 * and token, and write each finished operation to the access log. The transports (`ws.ts`,
 * `sse.ts`) only translate their protocol to these calls.
 */
export class StreamCore {
  readonly subscribe;
  readonly #active: Record<Transport, number> = { ws: 0, sse: 0 };

  constructor(private readonly options: StreamCoreOptions) {
    this.subscribe = compiledSubscribe(options.schema);
  }

  get schema(): GraphQLSchema {
    return this.options.schema;
  }

  /** The viewer an `Authorization` value speaks for; throws the refusal (a `GraphQLError`) otherwise. */
  async authenticate(authorization: string | undefined): Promise<Viewer> {
    const viewer = await this.options.authority.authenticate(authorization);
    if (!viewer) throw unauthenticated('This operation needs an access token.', false);
    return viewer;
  }

  /**
   * Validates, prices and charges an operation, and takes a subscription slot when it is one.
   * Returns the errors to answer with instead when it is refused.
   */
  async prepare(viewer: Viewer, payload: { query?: unknown; operationName?: unknown; variables?: unknown }, transport: Transport): Promise<StreamOperation | GraphQLError[]> {
    const { guard, schema } = this.options;
    const prepared = await guard.prepare(schema, viewer, payload);
    if (Array.isArray(prepared)) return prepared;
    const subscription = prepared.operation.operation === 'subscription';
    const release = subscription ? guard.subscriptions.take(viewer.grant.id) : () => {};
    if (!release) return [tooManySubscriptions(guard.subscriptions.maximum)];
    if (subscription) this.#active[transport]++;
    const operationName = typeof payload.operationName === 'string' ? payload.operationName : undefined;
    const contextValue = this.options.context(viewer, transport);
    let finished = false;
    return {
      args: { schema, document: prepared.document, operationName, variableValues: payload.variables as Record<string, unknown> | undefined, contextValue },
      finish: () => {
        if (finished) return;
        finished = true;
        release();
        if (subscription) this.#active[transport]--;
        this.options.record(contextValue, getOperationAST(prepared.document, operationName)?.name?.value ?? null);
      },
    };
  }

  /** Watches the grant and token a stream was opened with; `end` closes it, saying why. Returns the unwatch function. */
  watch(viewer: Viewer, end: (why: StreamEnd) => void): () => void {
    return this.options.watch.watch(viewer, end);
  }

  /** Whether a refusal from {@link authenticate} means the grant has ended, not only the token. */
  endsGrant(error: unknown): boolean {
    return endsGrant(error);
  }

  /** The errors of one stream message, reported for `context` when given, formatted as `/graphql` formats them. */
  format(errors: readonly GraphQLError[], context?: Context): GraphQLFormattedError[] {
    return formatStreamErrors(errors, this.options.development, (own) => context && this.options.errors(context, own));
  }

  /** Live subscriptions on this instance, by transport. */
  active(): { ws: number; sse: number } {
    return { ...this.#active };
  }
}
