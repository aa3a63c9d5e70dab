import { readFileSync } from 'node:fs';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';

/** The categories this folder has a reference subgraph for: every category the gateway can federate. */
export const SUBGRAPH_NAMES = ['profile', 'posts', 'follows', 'activity', 'messages'] as const;

/** One of {@link SUBGRAPH_NAMES}. */
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** A reference subgraph, ready to serve: its schema, a context per request, and ways to fill its store. */
export interface Subgraph {
  name: SubgraphName;
  schema: GraphQLSchema;
  /** A new context for one request: fresh loaders, so batching and caching never span requests. */
  context(): object;
  /** Loads the gateway's demo data set for this category (the same ids, owners, texts and times). */
  seedDemo(): Promise<number>;
  /** Loads records in the contract's own shape (`{ "__typename": "Post", … }`), refusing any that does not fit. */
  load(records: readonly unknown[]): number;
  close(): void;
}

/**
 * The category's published contract, `schema/subgraphs/<name>.graphql`: each reference serves
 * exactly that file, so it cannot drift from what the gateway checks platforms against.
 */
export function contractSdl(name: SubgraphName): DocumentNode {
  return parse(readFileSync(new URL(`../../schema/subgraphs/${name}.graphql`, import.meta.url), 'utf8'));
}
