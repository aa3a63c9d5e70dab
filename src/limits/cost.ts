import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../graph/index.js';
import { isRecord } from './is-record.js';

/** A list that is not a connection (a conversation's participants) is reckoned at this many items. */
export const LIST_SIZE_ESTIMATE = 10;

/**
 * Shopify's weights: an object costs 1 and a scalar nothing; a connection costs 2 plus its page of
 * `first`/`last` items (20 when neither is given), each item costing what its selection costs.
 * Edges and `PageInfo` are the connection's own bookkeeping and cost nothing.
 */
function weightOf(field: GraphQLField<unknown, unknown>): { own: number; connection: boolean } {
  const connection = field.args.some((arg) => arg.name === 'first' || arg.name === 'last');
  const name = getNamedType(field.type).name;
  return { own: connection ? 2 : name.endsWith('Edge') || name === 'PageInfo' ? 0 : 1, connection };
}

function fieldOf(type: GraphQLCompositeType, node: FieldNode): GraphQLField<unknown, unknown> | undefined {
  return 'getFields' in type ? type.getFields()[node.name.value] : undefined;
}

function conditionOf(schema: GraphQLSchema, name: string | undefined, fallback: GraphQLCompositeType): GraphQLCompositeType {
  const type = name ? schema.getType(name) : undefined;
  return type && isCompositeType(type) ? type : fallback;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * The page size a `first`/`last` value is priced at, or undefined when it is no number (the
 * connection's other argument, or the default, counts then). An out-of-range size is the
 * resolver's to refuse with BAD_USER_INPUT; here it counts as the nearest valid one.
 */
export function pricedPageSize(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(MAX_PAGE_SIZE, Math.max(0, Math.trunc(value))) : undefined;
}

/**
 * The most an operation can cost, worked out before it runs from its document and variables. A
 * field selected twice is counted twice, and fragments are costed once and reused, so the work is
 * linear in the document's size whatever its fragments multiply.
 */
export function requestedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = fragmentsOf(document);
  const memo = new Map<string, number>();

  const pageSize = (node: FieldNode): number => {
    for (const argument of node.arguments ?? []) {
      if (argument.name.value !== 'first' && argument.name.value !== 'last') continue;
      const value =
        argument.value.kind === Kind.INT ? Number(argument.value.value) : argument.value.kind === Kind.VARIABLE ? variables[argument.value.name.value] : undefined;
      const size = pricedPageSize(value);
      if (size !== undefined) return size;
    }
    return DEFAULT_PAGE_SIZE;
  };

  const selectionCost = (set: SelectionSetNode, type: GraphQLCompositeType, listSize: number): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        cost += fieldCost(selection, type, listSize);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        cost += selectionCost(selection.selectionSet, conditionOf(schema, selection.typeCondition?.name.value, type), listSize);
      } else {
        const key = `${selection.name.value}:${listSize}`;
        let fragmentCost = memo.get(key);
        if (fragmentCost === undefined) {
          const fragment = fragments.get(selection.name.value);
          memo.set(key, 0); // validation forbids cycles; this only keeps a broken document from looping
          fragmentCost = fragment ? selectionCost(fragment.selectionSet, conditionOf(schema, fragment.typeCondition.name.value, type), listSize) : 0;
          memo.set(key, fragmentCost);
        }
        cost += fragmentCost;
      }
    }
    return cost;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType, listSize: number): number => {
    if (!node.selectionSet) return 0;
    const field = fieldOf(parent, node);
    // Introspection (`__schema`, `__type`) is bounded by the schema: one flat point.
    if (!field) return 1;
    const type = getNamedType(field.type) as GraphQLCompositeType;
    const { own, connection } = weightOf(field);
    if (connection) return own + selectionCost(node.selectionSet, type, pageSize(node));
    const items = isListType(getNullableType(field.type)) ? listSize : 1;
    return items * (own + selectionCost(node.selectionSet, type, LIST_SIZE_ESTIMATE));
  };

  return selectionCost(operation.selectionSet, root, LIST_SIZE_ESTIMATE);
}

/**
 * What an operation did cost, by the same weights, counted over the objects it returned. A
 * response key selected more than once is counted once, as execution merges it.
 */
export function actualCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, data: unknown): number {
  const root = schema.getRootType(operation.operation);
  if (!root || !isRecord(data)) return 0;
  const fragments = fragmentsOf(document);

  const walk = (set: SelectionSetNode, type: GraphQLCompositeType, value: Record<string, unknown>, seen: Set<string>): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        cost += walk(selection.selectionSet, conditionOf(schema, selection.typeCondition?.name.value, type), value, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(`...${fragment.name.value}`)) continue;
        seen.add(`...${fragment.name.value}`);
        cost += walk(fragment.selectionSet, conditionOf(schema, fragment.typeCondition.name.value, type), value, seen);
        continue;
      }
      const key = selection.alias?.value ?? selection.name.value;
      if (!selection.selectionSet || seen.has(key)) continue;
      seen.add(key);
      const result = value[key];
      if (result === null || result === undefined) continue;
      const field = fieldOf(type, selection);
      if (!field) {
        cost += 1;
        continue;
      }
      const fieldType = getNamedType(field.type) as GraphQLCompositeType;
      const { own, connection } = weightOf(field);
      const items = Array.isArray(result) ? result : [result];
      for (const item of items) {
        if (isRecord(item)) cost += (connection ? 0 : own) + walk(selection.selectionSet, fieldType, item, new Set());
      }
      if (connection) cost += own;
    }
    return cost;
  };

  return walk(operation.selectionSet, root, data, new Set());
}
