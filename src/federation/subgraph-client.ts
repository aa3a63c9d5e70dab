import { randomUUID } from 'node:crypto';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logging/index.js';

/** The most a subgraph's answer may weigh; a larger one is refused unread. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/**
 * How a subgraph's answer failed, as `gateway_subgraph_errors_total{kind}` counts it: the request
 * itself (`timeout`, `network`, `http`, `oversize`), its content (`malformed`: not what the
 * contract says; `graphql`: the subgraph's own errors), or one object the gateway left out
 * (`rejected`: another user's, or without its owner fields).
 */
export type SubgraphFailureKind = 'timeout' | 'network' | 'http' | 'oversize' | 'malformed' | 'graphql' | 'rejected';

/**
 * A subgraph request that gave nothing usable. Its `correlationId` is the one the log line of the
 * failure carries, and the one the app sees beside `SUBGRAPH_UNAVAILABLE`; the subgraph's own
 * words stay in the log.
 */
export class SubgraphFailure extends Error {
  override name = 'SubgraphFailure';
  constructor(
    readonly kind: SubgraphFailureKind,
    message: string,
    readonly correlationId: string = randomUUID(),
  ) {
    super(message);
  }
}

/** What one subgraph answered: GraphQL's result, errors kept as the subgraph worded them. */
export interface SubgraphResult {
  data: Record<string, unknown> | null;
  errors: readonly GraphQLError[];
}

/** Told of every subgraph request: for `gateway_subgraph_request_duration_seconds` and `…_errors_total`. */
export interface SubgraphObserver {
  request(subgraph: string, seconds: number): void;
  error(subgraph: string, kind: SubgraphFailureKind): void;
}

export interface SubgraphClientOptions {
  /** The subgraph's name in metrics and logs: its category. */
  name: string;
  url: string;
  /** Sent as `Authorization: Bearer …`. */
  token: string | undefined;
  timeoutMs: number;
  logger: Logger;
  observer?: SubgraphObserver | undefined;
}

/** Parsed documents, by text: the gateway sends a few shapes of document over and over. */
const documents = new LRUCache<string, DocumentNode>({ max: 500 });
const printed = new WeakMap<DocumentNode, string>();

/**
 * Sends GraphQL requests to one platform subgraph through graphql-tools' HTTP executor, over
 * Node's fetch (keep-alive connections). Each request is bounded in time (`timeoutMs`) and in
 * size ({@link MAX_RESPONSE_BYTES}); whatever goes wrong is logged once, counted, and thrown as
 * a {@link SubgraphFailure}.
 */
export class SubgraphClient {
  readonly #executor: ReturnType<typeof buildHTTPExecutor>;

  constructor(private readonly options: SubgraphClientOptions) {
    this.#executor = buildHTTPExecutor({
      endpoint: options.url,
      // The bound on time is the fetch's own signal: the executor's `timeout` would tie a listener
      // per request to one long-lived signal of its own.
      fetch: (url: string, init?: RequestInit) => cappedFetch(url, { ...init, signal: withTimeout(init?.signal, options.timeoutMs) }),
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      print: (document) => printed.get(document) ?? '',
      // Each request the gateway sends already stands for every load of its tick.
      deduplicateInflightRequests: false,
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** Runs `text` with `variables`: the result, or a {@link SubgraphFailure} when there is nothing usable in it. */
  async request(text: string, variables: Record<string, unknown>): Promise<SubgraphResult> {
    const started = performance.now();
    let document = documents.get(text);
    if (!document) {
      document = parse(text, { noLocation: true });
      documents.set(text, document);
      printed.set(document, text);
    }
    try {
      const result = await this.#executor({ document, variables });
      if (Symbol.asyncIterator in Object(result)) throw new SubgraphFailure('malformed', 'the subgraph answered with a stream');
      const { data, errors = [] } = result as { data?: unknown; errors?: readonly GraphQLError[] };
      const failure = errors.length > 0 && (data === undefined || data === null) ? classify(errors[0]!) : undefined;
      if (failure) throw failure;
      if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) {
        throw new SubgraphFailure('malformed', 'the subgraph answered `data` that is not an object');
      }
      return { data: (data ?? null) as Record<string, unknown> | null, errors };
    } catch (error) {
      const failure = error instanceof SubgraphFailure ? error : new SubgraphFailure('network', error instanceof Error ? error.message : String(error));
      this.#report(failure);
      throw failure;
    } finally {
      this.options.observer?.request(this.options.name, (performance.now() - started) / 1000);
    }
  }

  /** Logs and counts a failure found in an answer that was otherwise usable (a field's error, a bad object). */
  report(failure: SubgraphFailure): void {
    this.#report(failure);
  }

  #report(failure: SubgraphFailure): void {
    this.options.observer?.error(this.options.name, failure.kind);
    this.options.logger.warn(
      { subgraph: this.options.name, kind: failure.kind, correlationId: failure.correlationId, reason: failure.message },
      failure.kind === 'rejected' ? 'an object from a subgraph was left out' : 'a subgraph request failed',
    );
  }
}

/** A failure the executor reported in place of a result. */
function classify(error: GraphQLError): SubgraphFailure {
  const original = error.originalError;
  if (original instanceof SubgraphFailure) return original;
  if (error.extensions?.code === 'TIMEOUT_ERROR' || original?.name === 'TimeoutError') return new SubgraphFailure('timeout', error.message);
  if (error.extensions?.code === 'RESPONSE_VALIDATION_FAILED') return new SubgraphFailure('malformed', error.message);
  if (original && !(original instanceof GraphQLError)) return new SubgraphFailure('network', error.message);
  return new SubgraphFailure('graphql', error.message);
}

/**
 * Node's fetch, refusing what is not a 2xx answer and any body over {@link MAX_RESPONSE_BYTES}
 * (the declared length first, then the bytes as they come): a subgraph cannot make the gateway
 * buffer more than that.
 */
async function cappedFetch(url: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (!response.ok) {
    await response.body?.cancel();
    throw new SubgraphFailure('http', `the subgraph answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw oversize();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop by a throw cancels the body: the rest is never read.
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE_BYTES) throw oversize();
    chunks.push(chunk);
  }
  return new Response(Buffer.concat(chunks), { status: response.status, headers: response.headers });
}

function withTimeout(signal: AbortSignal | null | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

function oversize(): SubgraphFailure {
  return new SubgraphFailure('oversize', `the subgraph's answer is over ${MAX_RESPONSE_BYTES} bytes`);
}
