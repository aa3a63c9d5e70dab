import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { platformId } from './records.js';
import type { Answer, Interceptor } from './server.js';
import type { Subgraph, SubgraphName } from './subgraph.js';

// Test-only: how the gateway's tests make a reference subgraph misbehave and watch what it is asked.
// None of this belongs in a platform's subgraph; the server runs without it unless
// SUBGRAPH_TEST_KNOBS=on.

/** The faults a test can turn on; each applies to every GraphQL request until cleared, or to the next `times`. */
const faultSettings = z.strictObject({
  /** Waits this long before answering (to provoke the gateway's timeout). */
  delayMs: z.number().int().min(0).max(600_000).optional(),
  /** Answers HTTP 500, a truncated JSON body, or a valid body over 10 MiB. */
  answer: z.enum(['http-500', 'malformed-json', 'oversize']).optional(),
  /** Puts this user id in every owner field of the answer: objects that belong to someone else. */
  foreignOwner: platformId.optional(),
  /** Removes every owner field from the answer. */
  dropOwner: z.boolean().optional(),
  /** Pads every non-empty `edges` list of the answer to this many edges, whatever was asked. */
  edges: z.number().int().min(1).max(100_000).optional(),
  /** How many GraphQL requests the faults apply to before they clear themselves. */
  times: z.number().int().min(1).optional(),
});

export type FaultSettings = z.infer<typeof faultSettings>;

/** What a test reads back: requests received (with their bodies, latest last) and SQL statements run. */
export interface Counters {
  requests: number;
  statements: number;
  /** The bodies of the last {@link KEPT_BODIES} GraphQL requests. */
  bodies: unknown[];
}

const KEPT_BODIES = 100;
const OVERSIZE_BYTES = 11 * 1024 * 1024;

/**
 * The fields that say whose an object is, per subgraph: an id (`fields`), a list of ids (`lists`),
 * or a reference that ties an object to its owners (a message's conversation), which goes only
 * when owners are dropped. A profile's `User` is its own owner: its `id`.
 */
const OWNERS: Record<SubgraphName, { fields: string[]; lists?: string[]; references?: string[] }> = {
  profile: { fields: ['id'] },
  posts: { fields: ['authorId'] },
  follows: { fields: ['followerId', 'followeeId'] },
  activity: { fields: ['userId'] },
  messages: { fields: ['senderId'], lists: ['participantIds'], references: ['conversationId'] },
};

const json = (status: number, value: unknown): Answer => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/** Calls `visit` on every object under `value`, depth first. */
function eachObject(value: unknown, visit: (object: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) for (const item of value) eachObject(item, visit);
  else if (value !== null && typeof value === 'object') {
    visit(value as Record<string, unknown>);
    for (const child of Object.values(value)) eachObject(child, visit);
  }
}

function rewrite(data: unknown, faults: FaultSettings, owners: (typeof OWNERS)[SubgraphName]): void {
  eachObject(data, (object) => {
    for (const field of Object.keys(object)) {
      const list = owners.lists?.includes(field) ?? false;
      if (faults.dropOwner && (list || owners.fields.includes(field) || owners.references?.includes(field))) delete object[field];
      else if (faults.foreignOwner !== undefined && owners.fields.includes(field)) object[field] = faults.foreignOwner;
      else if (faults.foreignOwner !== undefined && list) object[field] = [faults.foreignOwner];
    }
    const edges = object.edges;
    if (faults.edges !== undefined && Array.isArray(edges) && edges.length > 0) {
      object.edges = Array.from({ length: faults.edges }, (_, index) => edges[index % edges.length]);
    }
  });
}

/** Counts requests and statements, records request bodies, and applies the faults a test set. */
export class TestKnobs implements Interceptor {
  #faults: FaultSettings = {};
  #counters: Counters = { requests: 0, statements: 0, bodies: [] };

  /** @param name the subgraph the knobs are on, which says what its owner fields are. */
  constructor(private readonly name: SubgraphName) {}

  /** Counts one SQL statement: the database's statement hook. */
  readonly countStatement = (): void => {
    this.#counters.statements++;
  };

  /** Starts counting afresh: after seeding, and whenever a test asks. */
  resetCounters(): void {
    this.#counters = { requests: 0, statements: 0, bodies: [] };
  }

  async around(body: unknown, answer: () => Promise<Answer>): Promise<Answer> {
    this.#counters.requests++;
    this.#counters.bodies = [...this.#counters.bodies.slice(1 - KEPT_BODIES), body];
    const faults = this.#faults;
    if (faults.times !== undefined) this.#faults = faults.times > 1 ? { ...faults, times: faults.times - 1 } : {};

    if (faults.delayMs) await sleep(faults.delayMs);
    if (faults.answer === 'http-500') return json(500, { errors: [{ message: 'Injected failure.' }] });
    const result = await answer();
    if (faults.answer === 'malformed-json') return { ...result, body: result.body.slice(0, Math.ceil(result.body.length / 2)) };
    if (faults.foreignOwner === undefined && !faults.dropOwner && faults.edges === undefined && faults.answer !== 'oversize') return result;

    const parsed = JSON.parse(result.body) as { data?: unknown; extensions?: Record<string, unknown> };
    rewrite(parsed.data, faults, OWNERS[this.name]);
    if (faults.answer === 'oversize') parsed.extensions = { ...parsed.extensions, padding: 'x'.repeat(OVERSIZE_BYTES) };
    return { ...result, body: JSON.stringify(parsed) };
  }

  async admin(method: string, path: string, body: unknown, subgraph: Subgraph): Promise<Answer> {
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /admin/faults':
        return json(200, this.#faults);
      case 'PUT /admin/faults': {
        const parsed = faultSettings.safeParse(body);
        if (!parsed.success) return json(400, { error: z.prettifyError(parsed.error) });
        this.#faults = parsed.data;
        return json(200, this.#faults);
      }
      case 'DELETE /admin/faults':
        this.#faults = {};
        return json(200, this.#faults);
      case 'GET /admin/counters':
        return json(200, this.#counters);
      case 'DELETE /admin/counters':
        this.resetCounters();
        return json(200, this.#counters);
      case 'POST /admin/records':
        if (!Array.isArray(body)) return json(400, { error: 'Send a JSON array of records in the contract\'s shape.' });
        try {
          return json(200, { saved: subgraph.load(body) });
        } catch (error) {
          return json(400, { error: (error as Error).message });
        }
      default:
        return json(404, { error: `No test knob at ${route}.` });
    }
  }
}
