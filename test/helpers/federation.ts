import type { TestGateway } from './gateway.js';

// What the federated suites compare a gateway on subgraphs with the embedded one by.

/** The bearer token the federated suites' subgraphs require and their gateways send. */
export const SUBGRAPH_TOKEN = 'subgraph-token-for-tests';

/** The same answer without its cursors: a federated category's cursors wrap the subgraph's own. */
export function withoutCursors(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'cursor' || key === 'startCursor' || key === 'endCursor' ? undefined : v)));
}

/** A viewer's list to walk: an operation taking `first`/`after`/`last`/`before`, and where its connection sits in the answer. */
export interface WalkedList {
  query: string;
  connection(data: any): { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } };
}

/**
 * The ids of the whole list, walked through the API in pages of 100 forward (`first`/`after`) or
 * backward (`last`/`before`), in the order walked: backward, the last first.
 */
export async function walkThrough(gw: TestGateway, token: string, list: WalkedList, direction: 'forward' | 'backward'): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const variables: Record<string, unknown> = direction === 'forward' ? { first: 100, after: cursor } : { last: 100, before: cursor };
    const { body } = await gw.graphql(list.query, { token, variables });
    expect(body.errors).toBeUndefined();
    const connection = list.connection(body.data);
    const page = connection.edges.map((edge) => edge.node.id);
    ids.push(...(direction === 'forward' ? page : page.reverse()));
    const more = direction === 'forward' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage;
    if (!more) return ids;
    cursor = direction === 'forward' ? connection.pageInfo.endCursor : connection.pageInfo.startCursor;
  }
}
