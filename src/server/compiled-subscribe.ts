import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { isCompiledQuery } from 'graphql-jit';
import { StreamEvent, type Context } from '../graph/index.js';
import { jitCompiler } from './jit.js';

type Subscribe = (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

/**
 * Runs subscriptions through graphql-jit (see {@link jitCompiler}): a stream executes its selection
 * once for every change it delivers, so compiling it once pays on every delivery. Errors are
 * made graphql-js's where they are formatted (formatStreamErrors).
 *
 * The source stream is opened by graphql-js, not by the compiled operation, because graphql-jit
 * executes every event under the one context it subscribed with: here an event that is a
 * {@link StreamEvent} is executed with its own loaders in that context's place.
 */
export function compiledSubscribe(schema: GraphQLSchema): Subscribe {
  const compile = jitCompiler(schema);
  return async (args) => {
    const operation = compile(args.document, args.operationName);
    if (!isCompiledQuery(operation)) return operation;
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    const context = args.contextValue as Context;
    return mapEvents(source, (event) =>
      operation.query(event, event instanceof StreamEvent ? { ...context, loaders: event.loaders } : context, args.variableValues),
    );
  };
}

/**
 * `source` with `execute` applied to each event. Unlike an async generator, `return()` reaches
 * the source at once, even while a `next()` waits on it: that is how a stream is ended.
 */
function mapEvents(source: AsyncIterable<unknown>, execute: (event: unknown) => Promise<ExecutionResult> | ExecutionResult): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const map = async (result: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> => {
    if (result.done) return { value: undefined, done: true };
    try {
      return { value: await execute(result.value), done: false };
    } catch (error) {
      await iterator.return?.();
      throw error;
    }
  };
  return {
    next: async () => map(await iterator.next()),
    return: async () => map((await iterator.return?.()) ?? { value: undefined, done: true }),
    throw: async (error: unknown) => (iterator.throw ? map(await iterator.throw(error)) : Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
