import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  getNamedType,
  GraphQLInterfaceType,
  GraphQLUnionType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import { ErrorCode, gatewayError } from '../errors/index.js';
import type { Context } from '../graph/index.js';

type Requirement = string[][];

const requirements = new WeakMap<object, Requirement | null>();

/** A type's or field's `@requiresScopes`, read from its SDL once and remembered: it is asked on hot paths. */
function requirementOf(schema: GraphQLSchema, node: Parameters<typeof getDirective>[1]): Requirement | undefined {
  let requirement = requirements.get(node);
  if (requirement === undefined) {
    requirement = (getDirective(schema, node, 'requiresScopes')?.[0]?.scopes as Requirement | undefined) ?? null;
    requirements.set(node, requirement);
  }
  return requirement ?? undefined;
}

/** The one category a requirement names in all its alternatives, if it names just one. */
const categories = new WeakMap<Requirement, string | null>();

function categoryOf(requirement: Requirement): string | undefined {
  let category = categories.get(requirement);
  if (category === undefined) {
    const named = new Set(requirement.flat().map((scope) => scope.split('.')[1]));
    category = named.size === 1 ? [...named][0]! : null;
    categories.set(requirement, category);
  }
  return category ?? undefined;
}

function count(value: unknown): number {
  return Array.isArray(value) ? value.length : value === null || value === undefined ? 0 : 1;
}

function check(context: Context, requirement: Requirement): void {
  const scopes = context.viewer?.scopes;
  if (scopes && requirement.some((all) => all.every((scope) => scopes.has(scope)))) return;
  const requiredScopes = requirement.map((all) => all.join(' '));
  throw gatewayError(ErrorCode.InsufficientScope, `This needs a grant of one of: ${requiredScopes.join(', ')}.`, {
    requiredScopes,
  });
}

/**
 * Throws `INSUFFICIENT_SCOPE` unless the caller may read objects of type `typeName`. `node` asks
 * this before it looks anything up, so a missing scope reads the same whether or not the id exists.
 */
export function assertTypeReadable(schema: GraphQLSchema, typeName: string, context: Context): void {
  const type = schema.getType(typeName);
  const requirement = type && isObjectType(type) ? requirementOf(schema, type) : undefined;
  if (requirement) check(context, requirement);
}

/**
 * Enforces every `@requiresScopes` of the schema (see its definition in schema/common.graphql) in
 * one transform, so no resolver checks scopes itself: a field guards itself, a type guards every
 * field returning it, and an abstract field (`node`) is checked against the type it resolves to.
 */
export function applyRequiresScopes(schema: GraphQLSchema): GraphQLSchema {
  const typeRequirement = (type: GraphQLNamedType | null | undefined) =>
    type && isObjectType(type) ? requirementOf(schema, type) : undefined;

  // An abstract field (`node`) is checked against the concrete type it resolves to.
  const checkType = (name: string | undefined, context: Context): string | undefined => {
    const requirement = typeRequirement(name === undefined ? undefined : schema.getType(name));
    if (requirement) {
      check(context, requirement);
      const category = categoryOf(requirement);
      if (category) context.access.record(category, 1);
    }
    return name;
  };
  const gated = (resolveType: GraphQLTypeResolver<unknown, Context> | null | undefined): GraphQLTypeResolver<unknown, Context> | undefined =>
    resolveType
      ? (value, context, info, abstractType) => {
          const name = resolveType(value, context, info, abstractType);
          return name instanceof Promise ? name.then((resolved) => checkType(resolved, context)) : checkType(name, context);
        }
      : undefined;

  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD](field) {
      const own = requirementOf(schema, field);
      const returned = typeRequirement(getNamedType(field.type));
      const requirements = [own, returned].filter((r): r is Requirement => r !== undefined);
      if (requirements.length === 0) return field;
      const resolve: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
      // What passes the gate is what the access log records: the category read, and the objects
      // of a gated type returned (a post, a message), counted once each.
      const touched = categoryOf(own ?? returned!);
      const counted = returned && categoryOf(returned);
      return {
        ...field,
        resolve(source, args, context: Context, info) {
          for (const requirement of requirements) check(context, requirement);
          const result = resolve(source, args, context, info);
          if (!touched) return result;
          if (!counted) {
            context.access.record(touched, 0);
            return result;
          }
          if (!(result instanceof Promise)) {
            context.access.record(counted, count(result));
            return result;
          }
          return result.then((value: unknown) => {
            context.access.record(counted, count(value));
            return value;
          });
        },
      };
    },
    [MapperKind.INTERFACE_TYPE]: (type) => new GraphQLInterfaceType({ ...type.toConfig(), resolveType: gated(type.resolveType) }),
    [MapperKind.UNION_TYPE]: (type) => new GraphQLUnionType({ ...type.toConfig(), resolveType: gated(type.resolveType) }),
  });
}
