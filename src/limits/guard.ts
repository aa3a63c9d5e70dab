import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { Config, LimitSettings } from '../config/index.js';
import { badInput, ErrorCode, gatewayError, httpStatusOf } from '../errors/index.js';
import type { Viewer } from '../graph/index.js';
import { AnonymousLimit } from './anonymous-limit.js';
import { Buckets } from './buckets.js';
import { documentCache, type DocumentCache } from './document-cache.js';
import { isRecord } from './is-record.js';
import { priceCache } from './price-cache.js';
import { RateLimits } from './rate-limits.js';
import { queryTooCostly, rateLimited } from './refusals.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { SubscriptionCap } from './subscription-cap.js';

/** Aliases per operation: enough to fetch a handful of nodes at once, too few to multiply a page. */
export const MAX_ALIASES = 15;
/** Directives per operation; the schema has no executable directive beyond `@include` and `@skip`. */
export const MAX_DIRECTIVES = 20;
/** Lexical tokens per document: the largest query this schema calls for has a few hundred. */
export const MAX_TOKENS = 2000;
/** Characters per document, comments and whitespace included (those are no tokens). */
export const MAX_DOCUMENT_CHARS = 20_000;

/** A document the stream guard accepted, with what it costs. */
export interface PreparedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  cost: number;
}

/** Every limit of one gateway: query rules, cost, rate limits and the subscription cap. */
export class Guard {
  /** graphql-armor's Apollo plugins (field suggestions hidden outside development). */
  readonly armorPlugins: ApolloServerPlugin[];
  /** graphql-armor's rules: depth, aliases and directives. */
  readonly armorRules: ValidationRule[];
  /** graphql-js's own token limit: it fails the parse with GRAPHQL_PARSE_FAILED (400). */
  readonly parseOptions = { maxTokens: MAX_TOKENS };
  readonly rateLimits: RateLimits | undefined;
  /** Requests without a token, and WebSocket connection attempts, per client address. */
  readonly anonymous: AnonymousLimit;
  /** Failed password sign-ins per username and address, and per address. */
  readonly signIn: SignInThrottle;
  readonly subscriptions: SubscriptionCap;
  readonly #hideSuggestions: boolean;
  readonly #documents: DocumentCache;
  readonly #buckets: Buckets | undefined;
  readonly #cost = priceCache();

  constructor(
    readonly settings: LimitSettings,
    config: Pick<Config, 'nodeEnv' | 'rateLimits' | 'redisUrl' | 'trustProxy'>,
    keyPrefix: string,
  ) {
    this.#hideSuggestions = config.nodeEnv !== 'development';
    const armor = new ApolloArmor({
      blockFieldSuggestion: { enabled: this.#hideSuggestions },
      maxAliases: { n: MAX_ALIASES },
      maxDirectives: { n: MAX_DIRECTIVES },
      // Fragments are how clients share selections; only nesting should count.
      maxDepth: { n: settings.maxDepth, flattenFragments: true },
      // Armor's Apollo token plugin throws from `parsingDidStart`, which Apollo Server 5 answers with
      // a 500; graphql-js's `maxTokens` parse option (parseOptions) enforces the same limit as a 400.
      maxTokens: { enabled: false },
      // Armor's cost rule runs at validation, before variables are known, so `first: $n` would
      // count as one item; requestedCost() prices the operation with its variables instead.
      costLimit: { enabled: false },
    }).protect();
    // Armor's types come from Apollo's CommonJS build; the plugins are the same at run time.
    this.armorPlugins = armor.plugins as unknown as ApolloServerPlugin[];
    this.armorRules = armor.validationRules;
    this.#buckets = config.rateLimits ? new Buckets(config.redisUrl, keyPrefix) : undefined;
    this.rateLimits = this.#buckets && new RateLimits(settings, this.#buckets);
    this.anonymous = new AnonymousLimit(this.#buckets, settings, config.trustProxy);
    this.signIn = new SignInThrottle(this.#buckets, settings, config.trustProxy);
    // RATE_LIMITS=off lifts the cap too: the subscription benchmark holds many streams per grant.
    this.subscriptions = new SubscriptionCap(config.rateLimits ? settings.maxSubscriptionsPerGrant : Infinity);
    this.#documents = documentCache(this.parseOptions, [
      ...specifiedRules,
      ...this.armorRules,
      ...(settings.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ]);
  }

  /** A document longer than {@link MAX_DOCUMENT_CHARS}: `BAD_USER_INPUT`, refused before it is parsed. */
  tooLong(source: unknown): GraphQLError | undefined {
    if (typeof source !== 'string' || source.length <= MAX_DOCUMENT_CHARS) return undefined;
    return gatewayError(ErrorCode.BadUserInput, `The document has ${source.length} characters; the most this gateway reads is ${MAX_DOCUMENT_CHARS}.`, {
      argumentName: 'query',
      http: { status: httpStatusOf(ErrorCode.BadUserInput) },
    });
  }

  /** The operation's cost, or `QUERY_TOO_COSTLY` when it is over the maximum. */
  price(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
    const cost = this.#cost(schema, document, operation, variables);
    if (cost > this.settings.maxQueryCost) throw queryTooCostly(cost, this.settings.maxQueryCost);
    return cost;
  }

  /**
   * Parses, validates and prices an operation that arrived over a stream (graphql-ws or SSE) under
   * the same rules as `/graphql`, and charges it to the viewer's buckets. Returns the errors to
   * answer with instead when it is refused.
   */
  async prepare(
    schema: GraphQLSchema,
    viewer: Viewer | undefined,
    payload: { query?: unknown; operationName?: unknown; variables?: unknown },
  ): Promise<PreparedOperation | GraphQLError[]> {
    const tooLong = this.tooLong(payload.query);
    if (tooLong) return [tooLong];
    if (typeof payload.query !== 'string') return [badInput('Send the operation as a string `query`.', 'query')];
    let document: DocumentNode;
    try {
      document = this.#documents.parse(payload.query);
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    const invalid = this.#documents.validate(schema, document);
    if (invalid.length > 0) return this.#hideSuggestions ? invalid.map(withoutSuggestions) : [...invalid];
    const operation = getOperationAST(document, typeof payload.operationName === 'string' ? payload.operationName : undefined);
    if (!operation) return [badInput('Name one operation of the document as `operationName`.', 'operationName')];
    const variables = isRecord(payload.variables) ? payload.variables : {};
    let cost: number;
    try {
      cost = this.price(schema, document, operation, variables);
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    if (viewer && this.rateLimits) {
      const standing = await this.rateLimits.charge(viewer, Math.max(1, cost));
      if (!standing.allowed) return [rateLimited(standing)];
    }
    return { document, operation, cost };
  }

  /**
   * Waits for the rate-limit store. False when Redis is still away after a few seconds: in-memory
   * buckets stand in, each instance counting on its own, until it answers.
   */
  async ready(): Promise<boolean> {
    return !this.#buckets || (await this.#buckets.ready());
  }

  async close(): Promise<void> {
    await this.#buckets?.close();
  }
}

function withoutSuggestions(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message.replace(/ ?Did you mean .+\?/g, '').trim(), { nodes: error.nodes, extensions: error.extensions });
}
