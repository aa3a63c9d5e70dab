import { GraphQLError } from 'graphql';
import { ErrorCode, gatewayError } from '../errors/index.js';
import { SubgraphFailure, type SubgraphClient, type SubgraphResult } from './subgraph-client.js';

/** One `_entities` read: which objects of a type, and what to select on each. */
export interface EntityFetch {
  /** The entity type, as the subgraph names it: `User`, `Post`, … */
  typename: string;
  /** The objects' platform ids: each is sent as the representation `{ __typename, id }`. */
  ids: readonly string[];
  /** The selection on each object; `$name` stands for the argument `name` of `args`. */
  selection: string;
  /** The selection's arguments, by name: their GraphQL type and value. */
  args?: Readonly<Record<string, readonly [type: string, value: unknown]>> | undefined;
}

interface Group {
  fetch: EntityFetch;
  ids: string[];
  /** Each id's place in `ids`. */
  index: Map<string, number>;
  waiting: { ids: readonly string[]; resolve(objects: unknown[]): void; reject(error: unknown): void }[];
}

/**
 * The most representations one request carries. One operation's level never needs more (a page
 * holds at most 100 parents), so it stays one request; many operations at once are split, so that
 * no answer grows towards the size the client refuses.
 */
export const MAX_REPRESENTATIONS = 500;

/**
 * Gathers every `_entities` read made in one tick, by any request, into one GraphQL request to the
 * subgraph: reads of one type with the same selection and arguments share one `_entities` field
 * (their ids merged), the others are aliased beside it. So a level of an operation costs one
 * request per subgraph whatever the number of parents, loaders or concurrent requests.
 */
export class EntityBatcher {
  #pending = new Map<string, Group>();
  #pendingIds = 0;
  #scheduled = false;

  constructor(private readonly client: SubgraphClient) {}

  /** The objects of `fetch.ids` in their order, null where the subgraph has none. */
  load(fetch: EntityFetch): Promise<unknown[]> {
    if (this.#pendingIds > 0 && this.#pendingIds + fetch.ids.length > MAX_REPRESENTATIONS) void this.#send(this.#take());
    const key = `${fetch.typename}\n${fetch.selection}\n${JSON.stringify(fetch.args ?? {})}`;
    let group = this.#pending.get(key);
    if (!group) {
      group = { fetch, ids: [], index: new Map(), waiting: [] };
      this.#pending.set(key, group);
    }
    for (const id of fetch.ids) {
      if (!group.index.has(id)) group.index.set(id, group.ids.push(id) - 1);
    }
    this.#pendingIds += fetch.ids.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      // After every load this turn of the event loop makes, from any request.
      setImmediate(() => {
        this.#scheduled = false;
        if (this.#pending.size > 0) void this.#send(this.#take());
      });
    }
    return new Promise((resolve, reject) => group.waiting.push({ ids: fetch.ids, resolve, reject }));
  }

  /** The reads gathered so far; the next ones start a new request. */
  #take(): Group[] {
    const groups = [...this.#pending.values()];
    this.#pending = new Map();
    this.#pendingIds = 0;
    return groups;
  }

  async #send(groups: readonly Group[]): Promise<void> {
    const { text, variables } = entitiesDocument(groups);
    let result: SubgraphResult;
    try {
      result = await this.client.request(text, variables);
    } catch (error) {
      for (const group of groups) fail(group, unavailable(this.client.name, error));
      return;
    }
    groups.forEach((group, i) => {
      const objects = result.data?.[`e${i}`];
      const failure = groupFailure(result, i, objects, group.ids.length);
      if (failure) {
        this.client.report(failure);
        return fail(group, unavailable(this.client.name, failure));
      }
      for (const waiting of group.waiting) waiting.resolve(waiting.ids.map((id) => (objects as unknown[])[group.index.get(id)!] ?? null));
    });
  }
}

/**
 * The error apps see on the fields of a subgraph that failed. Nothing of the failure itself goes
 * with it, not even as a development stack trace: the subgraph's own words stay in the log, under
 * the same correlation id.
 */
export function unavailable(subgraph: string, error: unknown): GraphQLError {
  const correlationId = error instanceof SubgraphFailure ? error.correlationId : undefined;
  return gatewayError(ErrorCode.SubgraphUnavailable, `The platform's ${subgraph} service is unavailable; these fields are null for now. Try again later.`, {
    ...(correlationId ? { correlationId } : {}),
  });
}

function fail(group: Group, error: GraphQLError): void {
  for (const waiting of group.waiting) waiting.reject(error);
}

/** Why the `i`th `_entities` field of an answer cannot be used, if it cannot. */
function groupFailure(result: SubgraphResult, i: number, objects: unknown, expected: number): SubgraphFailure | undefined {
  const own = result.errors.find((error) => error.path?.[0] === `e${i}` || error.path === undefined);
  if (own) return new SubgraphFailure('graphql', own.message);
  if (!Array.isArray(objects) || objects.length !== expected) {
    return new SubgraphFailure('malformed', `_entities answered ${Array.isArray(objects) ? objects.length : 'no list of'} objects for ${expected} representations`);
  }
  return undefined;
}

/** One query with an aliased `_entities` field per group, and its variables. */
function entitiesDocument(groups: readonly Group[]): { text: string; variables: Record<string, unknown> } {
  const definitions: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {};
  groups.forEach(({ fetch, ids }, i) => {
    definitions.push(`$r${i}: [_Any!]!`);
    variables[`r${i}`] = ids.map((id) => ({ __typename: fetch.typename, id }));
    for (const [name, [type, value]] of Object.entries(fetch.args ?? {})) {
      definitions.push(`$a${i}_${name}: ${type}`);
      variables[`a${i}_${name}`] = value;
    }
    const selection = fetch.selection.replace(/\$([A-Za-z_]\w*)/g, (_, name: string) => `$a${i}_${name}`);
    fields.push(`e${i}: _entities(representations: $r${i}) { ... on ${fetch.typename} { ${selection} } }`);
  });
  return { text: `query GatewayEntities(${definitions.join(', ')}) { ${fields.join(' ')} }`, variables };
}
