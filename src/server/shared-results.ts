import type { ExecutionResult } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import { AccessRecord, type Context, type StreamEvent } from '../graph/index.js';

/** One execution of an event, shared: its result, and what it read for the access log. */
interface Shared {
  result: Promise<ExecutionResult> | ExecutionResult;
  access: AccessRecord;
}

/**
 * Executes each live change once for all the subscriptions that would get the same answer for it:
 * the same compiled operation and variables, under the same user, app, grant and scopes. The
 * tailer hands one row object to every stream of its user, so a row with a key is an event
 * already executed for that group. An execution reads nothing else of the context: the scope gate
 * reads the viewer's scopes, resolvers its user, and the loaders are the batch's, filled once for
 * every stream. Each subscription adds the shared execution's access to its own record, so the
 * access log counts every delivery as before. Entries go with their row.
 */
export class SharedResults {
  readonly #byRow = new WeakMap<object, Map<CompiledQuery, Map<string, Shared>>>();

  /** `operation` executed for `event` in `context` with its batch's loaders, or the result of the group's execution of it. */
  execute(
    operation: CompiledQuery,
    event: StreamEvent<unknown>,
    context: Context,
    variables: Record<string, unknown> | undefined,
    group: string | undefined,
  ): Promise<ExecutionResult> | ExecutionResult {
    const row = event.value;
    if (group === undefined || typeof row !== 'object' || row === null) return operation.query(event, { ...context, loaders: event.loaders }, variables);
    let byOperation = this.#byRow.get(row);
    if (!byOperation) this.#byRow.set(row, (byOperation = new Map()));
    let byGroup = byOperation.get(operation);
    if (!byGroup) byOperation.set(operation, (byGroup = new Map()));
    let shared = byGroup.get(group);
    if (!shared) {
      const access = new AccessRecord();
      byGroup.set(group, (shared = { result: operation.query(event, { ...context, loaders: event.loaders, access }, variables), access }));
    }
    const { result, access } = shared;
    if (!(result instanceof Promise)) {
      context.access.add(access);
      return result;
    }
    return result.then((value) => {
      context.access.add(access);
      return value;
    });
  }
}

/**
 * The key of the subscriptions whose events execute alike: everything an execution reads of its
 * context and variables. Undefined without a viewer: such a subscription executes alone.
 */
export function executionGroup(context: Context, variables: Readonly<Record<string, unknown>> | null | undefined): string | undefined {
  const viewer = context.viewer;
  if (!viewer) return undefined;
  return JSON.stringify([viewer.userId, viewer.appId, viewer.grant.id, [...viewer.scopes].sort(), variables ?? null]);
}
