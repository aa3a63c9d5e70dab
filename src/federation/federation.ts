import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FederationSettings, SubgraphSetting } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { sharedSecret, type Category, type Database, type Sources } from '../store/index.js';
import { contractGaps } from './contract.js';
import { CursorSeal } from './cursor-seal.js';
import { EntityBatcher } from './entity-batcher.js';
import type { RemoteSubgraph } from './remote-entity.js';
import { remoteFollowsSource } from './remote-follows.js';
import { remoteMessagesSource } from './remote-messages.js';
import { remoteActivitySource, remotePostsSource } from './remote-posts.js';
import { remoteProfileSource } from './remote-profile.js';
import { SubgraphClient, SubgraphFailure, type SubgraphObserver } from './subgraph-client.js';

/** Where a subgraph stands: checked and carrying its contract, not answering, or answering without the contract. */
export interface SubgraphStatus {
  category: Category;
  url: string;
  state: 'ready' | 'unreachable' | 'nonconforming';
  /** What is wrong: why it did not answer, or what of the contract it lacks. */
  problems: string[];
}

/** A subgraph that does not carry its category's contract: the gateway does not start. */
export class SubgraphContractError extends Error {
  override name = 'SubgraphContractError';
}

/** The first wait before asking a subgraph that did not answer again; each further wait doubles, up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** Each category's source over its subgraph (a federated profile keeps reading identities locally). */
const REMOTE_SOURCES: { [C in Category]: (subgraph: RemoteSubgraph, local: Sources) => Sources[C] } = {
  profile: (subgraph, local) => remoteProfileSource(subgraph, local.profile),
  posts: remotePostsSource,
  follows: remoteFollowsSource,
  activity: remoteActivitySource,
  messages: remoteMessagesSource,
};

export interface FederationOptions {
  db: Kysely<Database>;
  logger: Logger;
  observer?: SubgraphObserver | undefined;
}

/**
 * The platform's category subgraphs named in `SUBGRAPHS`: their remote sources, and their standing
 * for `/readyz`. At start each one's `_service { sdl }` is read and checked against its category's
 * contract: one that answers without it stops the start; one that does not answer is asked again
 * (with backoff) until it does, and until then `/readyz` names it.
 */
export class Federation {
  readonly #statuses = new Map<Category, SubgraphStatus>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  private constructor(
    private readonly subgraphs: ReadonlyMap<Category, RemoteSubgraph>,
    private readonly settings: FederationSettings,
    private readonly logger: Logger,
  ) {}

  /** Starts federation for `settings`, or undefined when no category is federated (nothing of it runs then). */
  static async start(settings: FederationSettings, options: FederationOptions): Promise<Federation | undefined> {
    if (settings.subgraphs.length === 0) return undefined;
    const key = Buffer.from(await sharedSecret(options.db, 'subgraph-cursor-key', async () => randomBytes(32).toString('base64url')), 'base64url');
    const seal = new CursorSeal(key);
    const subgraphs = new Map<Category, RemoteSubgraph>();
    for (const subgraph of settings.subgraphs) {
      const client = subgraphClient(subgraph, settings, options);
      subgraphs.set(subgraph.category, { client, batcher: new EntityBatcher(client), seal });
    }
    const federation = new Federation(subgraphs, settings, options.logger);
    const statuses = await Promise.all(settings.subgraphs.map((subgraph) => federation.#check(subgraph)));
    const nonconforming = statuses.filter((status) => status.state === 'nonconforming');
    if (nonconforming.length > 0) {
      federation.close();
      throw new SubgraphContractError(nonconforming.map(describe).join('\n'));
    }
    for (const status of statuses) if (status.state === 'unreachable') federation.#retry(status, FIRST_RETRY_MS);
    return federation;
  }

  /** `local` with each federated category's source replaced by its subgraph's. */
  sources(local: Sources): Sources {
    const sources = { ...local };
    for (const [category, subgraph] of this.subgraphs) (sources as Record<Category, unknown>)[category] = REMOTE_SOURCES[category](subgraph, local);
    return sources;
  }

  /** Each subgraph's standing, in `SUBGRAPHS` order. */
  statuses(): SubgraphStatus[] {
    return [...this.#statuses.values()];
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
  }

  async #check(subgraph: SubgraphSetting): Promise<SubgraphStatus> {
    const status = await checkSubgraph(this.subgraphs.get(subgraph.category)!.client, subgraph);
    this.#statuses.set(subgraph.category, status);
    return status;
  }

  #retry(status: SubgraphStatus, waitMs: number): void {
    this.logger.warn({ subgraph: status.category, url: status.url, problems: status.problems, retryInMs: waitMs }, 'a subgraph is not ready');
    const timer = setTimeout(async () => {
      this.#timers.delete(timer);
      if (this.#closed) return;
      const next = await this.#check(status);
      if (next.state === 'unreachable') return this.#retry(next, Math.min(waitMs * 2, MAX_RETRY_MS));
      if (next.state === 'nonconforming') this.logger.error({ subgraph: next.category, problems: next.problems }, describe(next));
      else this.logger.info({ subgraph: next.category }, 'a subgraph is ready');
    }, waitMs);
    timer.unref();
    this.#timers.add(timer);
  }
}

/** Reads a subgraph's SDL and checks it against its category's contract. */
export async function checkSubgraph(client: SubgraphClient, subgraph: SubgraphSetting): Promise<SubgraphStatus> {
  const base = { category: subgraph.category, url: subgraph.url };
  let sdl: unknown;
  try {
    const { data, errors } = await client.request('query GatewayContractCheck { _service { sdl } }', {});
    sdl = (data?._service as { sdl?: unknown } | undefined)?.sdl;
    if (typeof sdl !== 'string') return { ...base, state: 'nonconforming', problems: [`it serves no \`_service { sdl }\`${errors[0] ? `: ${errors[0].message}` : ''}`] };
  } catch (error) {
    return { ...base, state: 'unreachable', problems: [error instanceof SubgraphFailure ? error.message : String(error)] };
  }
  const gaps = contractGaps(subgraph.category, sdl);
  return gaps.length === 0 ? { ...base, state: 'ready', problems: [] } : { ...base, state: 'nonconforming', problems: gaps };
}

/** The client of one configured subgraph. */
export function subgraphClient(subgraph: SubgraphSetting, settings: FederationSettings, options: Omit<FederationOptions, 'db'>): SubgraphClient {
  return new SubgraphClient({
    name: subgraph.category,
    url: subgraph.url,
    token: settings.token,
    timeoutMs: settings.timeoutMs,
    logger: options.logger,
    observer: options.observer,
  });
}

/** A subgraph's standing in one sentence, naming it. */
export function describe(status: SubgraphStatus): string {
  const what = `the ${status.category} subgraph at ${status.url}`;
  if (status.state === 'ready') return `${what} carries the ${status.category} contract`;
  if (status.state === 'unreachable') return `${what} does not answer: ${status.problems.join('; ')}`;
  return `${what} does not carry the ${status.category} contract: ${status.problems.join('; ')}`;
}
