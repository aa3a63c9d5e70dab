import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  getNamedType,
  isAbstractType,
  isObjectType,
  type GraphQLAbstractType,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import { ErrorCode, gatewayError } from '../errors/index.js';
import type { Context } from '../graph/index.js';
import type { Category, GrantMode } from '../store/index.js';
import { scopeOf } from './scopes.js';

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
 * Throws `INSUFFICIENT_SCOPE`, naming the scopes missing, unless the grant holds each of
 * `categories` in `mode`: the check of the resolvers whose categories are an argument (`changes`,
 * `requestArchive`), which a directive in the SDL cannot name.
 */
export function assertCategoriesGranted(context: Context, categories: readonly Category[], mode: GrantMode): void {
  const scopes = context.viewer?.scopes;
  const missing = categories.filter((c) => !scopes?.has(scopeOf(c, mode)));
  if (missing.length === 0) return;
  const requiredScopes = missing.map((c) => scopeOf(c, mode));
  throw gatewayError(ErrorCode.InsufficientScope, `The grant does not cover ${missing.join(', ')}.`, { requiredScopes });
}

/**
 * Enforces every `@requiresScopes` of the schema (see its definition in schema/common.graphql) in
 * one transform, so no resolver checks scopes itself: a field guards itself, a type guards every
 * field returning it, and a field of an abstract type (`node`) is checked against the concrete
 * type of what it resolved. Every check happens in a field's resolver, so a refusal is that
 * field's error (null, `INSUFFICIENT_SCOPE`) under any executor.
 */
export function applyRequiresScopes(schema: GraphQLSchema): GraphQLSchema {
  const typeRequirement = (type: GraphQLNamedType | null | undefined) =>
    type && isObjectType(type) ? requirementOf(schema, type) : undefined;

  /** Checks what an abstract field resolved against the requirement of its concrete type. */
  const concreteChecker = (abstract: GraphQLAbstractType) => {
    const resolveType = abstract.resolveType as GraphQLTypeResolver<unknown, Context> | null | undefined;
    if (!resolveType) throw new Error(`${abstract.name} needs a resolveType for @requiresScopes to check its values`);
    const checkOne = (value: unknown, context: Context, info: GraphQLResolveInfo, partOfSource: boolean): void => {
      if (value === null || value === undefined) return;
      const name = resolveType(value, context, info, abstract);
      if (typeof name !== 'string') throw new Error(`${abstract.name}'s resolveType must return a type name at once`);
      const requirement = typeRequirement(schema.getType(name));
      if (!requirement) return;
      check(context, requirement);
      const category = categoryOf(requirement);
      if (category) context.access.record(category, partOfSource ? 0 : 1);
    };
    return (value: unknown, context: Context, info: GraphQLResolveInfo, partOfSource: boolean): unknown => {
      if (Array.isArray(value)) for (const item of value) checkOne(item, context, info, partOfSource);
      else checkOne(value, context, info, partOfSource);
      return value;
    };
  };

  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD](field) {
      const named = getNamedType(field.type);
      const own = requirementOf(schema, field);
      const returned = typeRequirement(named);
      const requirements = [own, returned].filter((r): r is Requirement => r !== undefined);
      const concrete = isAbstractType(named) ? concreteChecker(schema.getType(named.name) as GraphQLAbstractType) : undefined;
      if (requirements.length === 0 && !concrete) return field;
      const resolve: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
      // What passes the gate is what the access log records: the category read, and the objects
      // of a gated type returned (a post, a message), counted once each. What an object already
      // counted leads to (a change's node) is part of that object's count.
      const touched = own || returned ? categoryOf(own ?? returned!) : undefined;
      const counted = returned && categoryOf(returned);
      const after = (source: unknown, value: unknown, context: Context, info: GraphQLResolveInfo): unknown => {
        const partOfSource = context.access.counts(source);
        if (touched) context.access.record(counted ?? touched, counted && !partOfSource ? count(value) : 0);
        return concrete ? concrete(value, context, info, partOfSource) : value;
      };
      return {
        ...field,
        resolve(source, args, context: Context, info) {
          for (const requirement of requirements) check(context, requirement);
          const result = resolve(source, args, context, info);
          if (!concrete && !touched) return result;
          return result instanceof Promise ? result.then((value: unknown) => after(source, value, context, info)) : after(source, result, context, info);
        },
      };
    },
  });
}
