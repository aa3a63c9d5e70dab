import type { z } from 'zod';
import type { CursorSeal } from './cursor-seal.js';
import type { EntityBatcher } from './entity-batcher.js';
import { unavailable } from './entity-batcher.js';
import { SubgraphFailure, type SubgraphClient } from './subgraph-client.js';

/** One platform subgraph as the remote sources use it: its batched `_entities` reads, its client (for failures) and the cursor seal. */
export interface RemoteSubgraph {
  batcher: EntityBatcher;
  client: SubgraphClient;
  seal: CursorSeal;
}

/**
 * An object type a subgraph serves, as the gateway reads it: what to select, how to check the
 * answer (a zod schema) and turn it into the store's row, and which owner fields place it.
 */
export interface RemoteEntity<Node, Row> {
  typename: string;
  /** The selection on each object, in the contract's field names. */
  selection: string;
  schema: z.ZodType<Node>;
  toRow(node: Node): Row;
  /** The owner ids the object must carry (`authorId`, `participantIds`, …); an object without them is dropped. */
  owners(node: Node): readonly (string | undefined)[] | undefined;
  /** The object's platform id, as its key. */
  id(node: Node): string | undefined;
}

/**
 * Reads `raw` as an object of `entity`: its row, or undefined (with a log line) when it is not the
 * object asked for (`expectedId`) or lacks its owner fields. An answer that does not fit the
 * contract at all fails the whole read: its fields get `SUBGRAPH_UNAVAILABLE`.
 */
export function readEntity<Node, Row>(subgraph: RemoteSubgraph, entity: RemoteEntity<Node, Row>, raw: unknown, expectedId?: string): Row | undefined {
  const parsed = entity.schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed(subgraph, `a ${entity.typename} does not fit the contract: ${issue?.path.join('.')} ${issue?.message}`);
  }
  const node = parsed.data;
  const owners = entity.owners(node);
  if (!owners || owners.length === 0 || owners.some((owner) => owner === undefined)) return dropped(subgraph, entity.typename, 'lacks its owner fields');
  if (expectedId !== undefined && entity.id(node) !== expectedId) return dropped(subgraph, entity.typename, 'is not the object asked for');
  return entity.toRow(node);
}

/** Logs an object the gateway will not show (another's, or unplaceable): it is as if the subgraph had none. */
export function dropped(subgraph: RemoteSubgraph, typename: string, why: string): undefined {
  subgraph.client.report(new SubgraphFailure('rejected', `a ${typename} ${why}`));
  return undefined;
}

/** A failure for an answer that breaks the contract, logged once, as apps will see it. */
export function malformed(subgraph: RemoteSubgraph, why: string): Error {
  const failure = new SubgraphFailure('malformed', why);
  subgraph.client.report(failure);
  return unavailable(subgraph.client.name, failure);
}

/** The objects of `ids`, read through the subgraph's `_entities`, as rows; ids it has none of (or not theirs) are left out. */
export async function entitiesByIds<Node, Row>(subgraph: RemoteSubgraph, entity: RemoteEntity<Node, Row>, ids: readonly string[]): Promise<Row[]> {
  if (ids.length === 0) return [];
  const objects = await subgraph.batcher.load({ typename: entity.typename, ids, selection: entity.selection });
  const rows: Row[] = [];
  objects.forEach((raw, i) => {
    if (raw === null) return;
    const row = readEntity(subgraph, entity, raw, ids[i]);
    if (row !== undefined) rows.push(row);
  });
  return rows;
}
