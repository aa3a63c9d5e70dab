import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import type { Context } from '../graph/index.js';
import { executionTimeout } from './refusals.js';

/**
 * Makes every field with a resolver of its own check the request's execution deadline before it
 * starts: past it, the field fails with `EXECUTION_TIMEOUT` (null, the rest of the data still
 * comes). Only fields that resolve something are checked; a field read off an object already
 * resolved does no work and keeps the executor's default resolution, which graphql-jit inlines
 * (Apollo's `willResolveField` would wrap every field instead). A context without a deadline (a
 * subscription's) is not checked.
 */
export function applyExecutionDeadline(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD](field) {
      const resolve = field.resolve as GraphQLFieldResolver<unknown, Context> | undefined;
      if (!resolve) return field;
      return {
        ...field,
        resolve(source, args, context: Context, info) {
          const deadline = context.deadline;
          if (deadline && Date.now() >= deadline.at) throw executionTimeout(deadline.timeoutMs);
          return resolve(source, args, context, info);
        },
      };
    },
  });
}
