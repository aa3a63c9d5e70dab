import * as documents from './documents.js';
import type { Record } from './folder.js';

/** The gateway's five categories, as `Query.grant` names them. */
export type Category = 'PROFILE' | 'POSTS' | 'FOLLOWS' | 'ACTIVITY' | 'MESSAGES';

/** Runs one GraphQL query; the caller supplies authentication. */
export type Query = <Data>(query: string, variables?: { [name: string]: unknown }) => Promise<Data>;

interface Page<Node> {
  edges: { node: Node }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

type ConversationNode = Record & { messages: Page<Record> };

/** Follows a Relay connection from its start: `fetch(after)` returns one page; yields every node. */
async function* paginate<Node>(fetch: (after: string | null) => Promise<Page<Node>>): AsyncGenerator<Node> {
  let after: string | null = null;
  for (;;) {
    const page: Page<Node> = await fetch(after);
    for (const edge of page.edges) yield edge.node;
    if (!page.pageInfo.hasNextPage) return;
    after = page.pageInfo.endCursor;
  }
}

const viewerPages = <Node = Record>(query: Query, document: string) =>
  paginate<Node>(async (after) => (await query<{ viewer: { page: Page<Node> } }>(document, { after })).viewer.page);

/** Every record of one category, read through the graph page by page (100 at a time). */
export async function* snapshot(query: Query, category: Category): AsyncGenerator<Record> {
  switch (category) {
    case 'PROFILE': {
      const { viewer } = await query<{ viewer: { profile: Record } }>(documents.PROFILE);
      yield viewer.profile;
      return;
    }
    case 'POSTS':
      yield* viewerPages(query, documents.POSTS);
      return;
    case 'FOLLOWS':
      yield* viewerPages(query, documents.FOLLOWERS);
      yield* viewerPages(query, documents.FOLLOWING);
      return;
    case 'ACTIVITY':
      yield* viewerPages(query, documents.ACTIVITY);
      return;
    case 'MESSAGES':
      // Each conversation comes with its first page of messages; longer ones are continued by id.
      for await (const { messages, ...conversation } of viewerPages<ConversationNode>(query, documents.CONVERSATIONS)) {
        yield conversation;
        for (const edge of messages.edges) yield edge.node;
        if (!messages.pageInfo.hasNextPage) continue;
        yield* paginate<Record>(async (after) => {
          const { node } = await query<{ node: { messages: Page<Record> } }>(documents.CONVERSATION_MESSAGES, { id: conversation.id, messagesAfter: after ?? messages.pageInfo.endCursor });
          return node.messages;
        });
      }
      return;
  }
}
