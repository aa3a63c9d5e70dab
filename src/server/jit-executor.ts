import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, getVariableValues, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * graphql-jit leaves `extensions` undefined on an error whose cause has none (an unexpected
 * failure), where graphql-js gives `{}` and Apollo's formatting expects an object: the same error
 * with an empty one, its path and locations kept.
 */
function withExtensions(error: GraphQLError): GraphQLError {
  return error.extensions ? error : (Object.create(error, { extensions: { value: {}, enumerable: true } }) as GraphQLError);
}

/**
 * Runs queries through graphql-jit instead of graphql-js's interpreter: each document is compiled
 * once into a function that resolves exactly its selection, and reused for every request with
 * the same text (Apollo hands over the same parsed document from its cache). The schema and its
 * resolvers are unchanged, the `@requiresScopes` gate included, as is everything Apollo does
 * around execution: parsing, validation, context, errors, plugins.
 *
 * Apollo Server takes a custom executor only through its gateway interface, so this is one that
 * serves the local schema. Mutations and subscriptions still run on graphql-js.
 */
export function jitExecutor(schema: GraphQLSchema): GatewayInterface {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | ExecutionResult>>();
  let onSchema: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0] | undefined;

  const executor: GatewayExecutor = async (request) => {
    const { document, operation, operationName, context } = request;
    const variables = request.request.variables ?? {};
    if (operation.operation !== 'query') {
      return execute({ schema, document, contextValue: context, variableValues: variables, operationName });
    }
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const name = operationName ?? '';
    let query = byName.get(name);
    if (!query) byName.set(name, (query = compileQuery(schema, document, operationName ?? undefined)));
    // Not compiled: the errors that stopped it (such as an unknown operation name).
    if (!isCompiledQuery(query)) return query;
    // Variables are checked by graphql-js first: its errors name the variable's definition,
    // which is how Apollo recognises bad input (BAD_USER_INPUT, HTTP 400).
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return { errors: coerced.errors };
    const result = await query.query(undefined, context, variables);
    return result.errors ? { ...result, errors: result.errors.map(withExtensions) } : result;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      onSchema = callback;
      return () => {
        onSchema = undefined;
      };
    },
    async load() {
      onSchema?.({ apiSchema: schema, coreSupergraphSdl: '' });
      return { executor };
    },
    async stop() {},
  };
}
