import { readFileSync } from 'node:fs';
import { composeServices } from '@theguild/federation-composition';
import { parse, print, type DocumentNode } from 'graphql';
import type { SubgraphName, SubgraphProcess } from './subgraph-process.js';

// What every reference subgraph is checked for, whatever its category: it serves its contract,
// answers only with its bearer token, and pages its lists as the contract says.

export const contractDir = new URL('../../schema/subgraphs/', import.meta.url);

/** A category's published contract, parsed. */
export const contract = (name: string): DocumentNode => parse(readFileSync(new URL(`${name}.graphql`, contractDir), 'utf8'));

/** The gateway's side of a composition: a query root that reaches users by key, as the gateway does. */
export const entryPoint = {
  name: 'gateway',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Query { viewer: User }
    type User @key(fields: "id", resolvable: false) { id: ID! }
  `),
};

/** Every field of every object type, with its arguments and type, as `Type.field(args): Type`. */
function fieldSignatures(document: DocumentNode): Set<string> {
  const signatures = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind !== 'ObjectTypeDefinition' && definition.kind !== 'ObjectTypeExtension') continue;
    for (const field of definition.fields ?? []) {
      const args = (field.arguments ?? []).map((arg) => `${arg.name.value}: ${print(arg.type)}`).join(', ');
      signatures.add(`${definition.name.value}.${field.name.value}(${args}): ${print(field.type)}`);
    }
  }
  return signatures;
}

/** One `_entities` request straight to the subgraph. */
export const entities = (subgraph: SubgraphProcess, representations: object[], selection: string) =>
  subgraph.graphql(`query ($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`, { representations });

/** The rows of one owner, in the contract's order: oldest first by time, then id. */
export const inOrder = <Row>(rows: Row[], time: (row: Row) => number, id: (row: Row) => string) =>
  [...rows].sort((a, b) => time(a) - time(b) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));

export const iso = (millis: number) => new Date(millis).toISOString();

/** The tests every reference subgraph passes: its contract as `_service { sdl }`, and its bearer token. */
export function itServesItsContract(name: SubgraphName, subgraph: () => SubgraphProcess): void {
  it('serves its category\'s contract as `_service { sdl }`, composable behind the gateway\'s entry point', async () => {
    const { body } = await subgraph().graphql('{ _service { sdl } }');
    const served = parse(body.data._service.sdl);
    expect(composeServices([entryPoint, { name, typeDefs: served }]).errors).toBeUndefined();
    const missing = [...fieldSignatures(contract(name))].filter((field) => !fieldSignatures(served).has(field));
    expect(missing).toEqual([]);
  });

  it('refuses a request without its bearer token, or with another, with 401', async () => {
    for (const token of [null, 'not-the-token']) {
      const { status, body } = await subgraph().graphql('{ _service { sdl } }', undefined, token);
      expect(status).toBe(401);
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect((await subgraph().counters()).requests).toBe(0);
  });
}

/** A list of one parent, read straight from its subgraph: `args` as GraphQL arguments (`first: 5, after: "…"`). */
export interface ListUnderTest {
  subgraph: SubgraphProcess;
  parent: { __typename: string; id: string };
  field: string;
  /** The node's fields to select; the first one selected is what the walks collect. */
  node: string;
}

/** The list's page for `args`: the answer's body (for the checks of its errors) and the connection in it. */
export async function readList(list: ListUnderTest, args: string): Promise<{ body: any; connection: any }> {
  const { body } = await entities(list.subgraph, [list.parent],
    `... on ${list.parent.__typename} { ${list.field}(${args}) { edges { cursor node { ${list.node} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`);
  return { body, connection: body.data?._entities?.[0]?.[list.field] };
}

const firstField = (list: ListUnderTest, edge: any) => edge.node[list.node.trim().split(/\s+/)[0]!];

/**
 * Walks the whole list forward with `first`/`after` and backward with `last`/`before` in pages of
 * `size`, checking each page's `pageInfo` on the way, and both walks against `expected` (the first
 * field selected of each node, in the list's order).
 */
export async function expectWalks(list: ListUnderTest, size: number, expected: unknown[]): Promise<void> {
  const { forward, backward } = await walkList(list, size);
  expect(forward).toEqual(expected);
  expect(backward).toEqual(expected);
}

async function walkList(list: ListUnderTest, size: number): Promise<{ forward: unknown[]; backward: unknown[] }> {
  const forward: unknown[] = [];
  for (let after = '', more = true; more; ) {
    const { body, connection: { edges, pageInfo } } = await readList(list, `first: ${size}${after ? `, after: "${after}"` : ''}`);
    expect(body.errors).toBeUndefined();
    forward.push(...edges.map((edge: any) => firstField(list, edge)));
    expect(pageInfo.hasPreviousPage).toBe(after !== '');
    expect(pageInfo.endCursor).toBe(edges.at(-1).cursor);
    [after, more] = [pageInfo.endCursor, pageInfo.hasNextPage];
  }
  const backward: unknown[] = [];
  for (let before = '', more = true; more; ) {
    const { body, connection: { edges, pageInfo } } = await readList(list, `last: ${size}${before ? `, before: "${before}"` : ''}`);
    expect(body.errors).toBeUndefined();
    backward.unshift(...edges.map((edge: any) => firstField(list, edge)));
    expect(pageInfo.hasNextPage).toBe(before !== '');
    expect(pageInfo.startCursor).toBe(edges[0].cursor);
    [before, more] = [pageInfo.startCursor, pageInfo.hasPreviousPage];
  }
  return { forward, backward };
}

/** The page sizes the contract sets: 1 and 1000 are taken (`total` is the list's length); 0, 1001, both ends, and cursors it did not issue are `BAD_USER_INPUT`. */
export async function expectContractPageSizes(list: ListUnderTest, total: number): Promise<void> {
  expect((await readList(list, 'first: 1')).connection.edges).toHaveLength(1);
  expect((await readList(list, 'last: 1000')).connection.edges).toHaveLength(total);
  const gatewayCursor = Buffer.from('post:1700000000000:post_00001').toString('base64url');
  for (const args of ['first: 0', 'first: 1001', 'last: 0', 'last: 1001', 'first: 5, last: 5', `first: 5, after: "${gatewayCursor}"`, 'last: 5, before: "%%"']) {
    const { body } = await readList(list, args);
    expect([args, body.errors?.[0]?.extensions?.code]).toEqual([args, 'BAD_USER_INPUT']);
    expect(body.data._entities).toEqual([null]);
  }
}
