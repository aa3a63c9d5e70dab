import { createSourceEventStream, getOperationAST, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { StreamEvent, type Context } from '../graph/index.js';
import { jitCompiler, withDefaults } from './jit.js';
import { executionGroup, SharedResults } from './shared-results.js';

type Subscribe = (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

/**
 * Runs subscriptions through graphql-jit (see {@link jitCompiler}): a stream executes its selection
 * once for every change it delivers, so compiling it once pays on every delivery. Errors are
 * made graphql-js's where they are formatted (formatStreamErrors).
 *
 * The source stream is opened by graphql-js, not by the compiled operation, because graphql-jit
 * executes every event under the one context it subscribed with: here an event that is a
 * {@link StreamEvent} is executed with its own loaders in that context's place, once for all the
 * subscriptions that would get the same answer (see {@link SharedResults}).
 */
export function compiledSubscribe(schema: GraphQLSchema): Subscribe {
  const compile = jitCompiler(schema);
  const shared = new SharedResults();
  return async (args) => {
    const operation = compile(args.document, args.operationName);
    if (!isCompiledQuery(operation)) return operation;
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    const context = args.contextValue as Context;
    const definitions = getOperationAST(args.document, args.operationName)?.variableDefinitions ?? [];
    const variables = withDefaults(definitions, (args.variableValues ?? {}) as Record<string, unknown>);
    return new ExecutedEvents(source[Symbol.asyncIterator](), shared, operation, context, variables, executionGroup(context, variables));
  };
}

/**
 * A subscription's source stream with its operation executed on each event. Unlike an async
 * generator, `return()` reaches the source at once, even while a `next()` waits on it: that is how
 * a stream is ended. A class, so a waiting subscription holds no closures of its own.
 */
class ExecutedEvents implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly shared: SharedResults,
    private readonly operation: CompiledQuery,
    private readonly context: Context,
    private readonly variables: Record<string, unknown> | undefined,
    private readonly group: string | undefined,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult>> {
    return this.#map(await this.source.next());
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    return this.#map((await this.source.return?.()) ?? { value: undefined, done: true });
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    if (!this.source.throw) throw error;
    return this.#map(await this.source.throw(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async #map(result: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> {
    if (result.done) return { value: undefined, done: true };
    try {
      return { value: await this.#execute(result.value), done: false };
    } catch (error) {
      await this.source.return?.();
      throw error;
    }
  }

  #execute(event: unknown): Promise<ExecutionResult> | ExecutionResult {
    if (event instanceof StreamEvent) return this.shared.execute(this.operation, event, this.context, this.variables, this.group);
    return this.operation.query(event, this.context, this.variables);
  }
}
