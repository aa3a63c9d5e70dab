import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import { isCompiledQuery } from 'graphql-jit';
import { jitCompiler } from './jit.js';

type Subscribe = (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

/**
 * Runs subscriptions through graphql-jit (see {@link jitCompiler}): a stream executes its selection
 * once for every change it delivers, so compiling it once pays on every delivery. Errors are
 * made graphql-js's where they are formatted (formatStreamErrors).
 */
export function compiledSubscribe(schema: GraphQLSchema): Subscribe {
  const compile = jitCompiler(schema);
  return async (args) => {
    const operation = compile(args.document, args.operationName);
    if (!isCompiledQuery(operation)) return operation;
    return operation.subscribe!(args.rootValue, args.contextValue, args.variableValues);
  };
}
