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

function requirementOf(schema: GraphQLSchema, node: Parameters<typeof getDirective>[1]): Requirement | undefined {
  return getDirective(schema, node, 'requiresScopes')?.[0]?.scopes as Requirement | undefined;
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
  const gated = (resolveType: GraphQLTypeResolver<unknown, Context> | null | undefined): GraphQLTypeResolver<unknown, Context> | undefined =>
    resolveType
      ? async (value, context, info, abstractType) => {
      const name = await resolveType(value, context, info, abstractType);
      const requirement = typeRequirement(name ? schema.getType(name) : undefined);
      if (requirement) check(context, requirement);
      return name;
    }
      : undefined;

  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD](field) {
      const requirements = [requirementOf(schema, field), typeRequirement(getNamedType(field.type))].filter(
        (r): r is Requirement => r !== undefined,
      );
      if (requirements.length === 0) return field;
      const resolve: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
      return {
        ...field,
        resolve(source, args, context: Context, info) {
          for (const requirement of requirements) check(context, requirement);
          return resolve(source, args, context, info);
        },
      };
    },
    [MapperKind.INTERFACE_TYPE]: (type) => new GraphQLInterfaceType({ ...type.toConfig(), resolveType: gated(type.resolveType) }),
    [MapperKind.UNION_TYPE]: (type) => new GraphQLUnionType({ ...type.toConfig(), resolveType: gated(type.resolveType) }),
  });
}
