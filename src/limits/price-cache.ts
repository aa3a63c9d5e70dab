import { Kind, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { pricedPageSize, requestedCost } from './cost.js';

/** Page-size shapes remembered per operation; others are priced each time. */
const MAX_SHAPES = 64;

/** The variables a document passes to `first` or `last`: the only ones its cost depends on. */
function pageSizeVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(argument) {
      if ((argument.name.value === 'first' || argument.name.value === 'last') && argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
    },
  });
  return [...names];
}

/**
 * {@link requestedCost}, worked out once per operation and page-size shape: an operation's cost
 * depends on its variables only through the page sizes they give `first` and `last`, so requests
 * of one document whose variables price those sizes alike share one figure. Documents are keyed
 * by identity, which Apollo's and the stream guard's document caches keep for the same text.
 */
export function priceCache(): (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>) => number {
  const byOperation = new WeakMap<OperationDefinitionNode, { names: string[]; costs: Map<string, number> }>();
  return (schema, document, operation, variables) => {
    let entry = byOperation.get(operation);
    if (!entry) byOperation.set(operation, (entry = { names: pageSizeVariables(document), costs: new Map() }));
    const shape = entry.names.map((name) => pricedPageSize(variables[name]) ?? '-').join(',');
    let cost = entry.costs.get(shape);
    if (cost === undefined) {
      cost = requestedCost(schema, document, operation, variables);
      if (entry.costs.size < MAX_SHAPES) entry.costs.set(shape, cost);
    }
    return cost;
  };
}
