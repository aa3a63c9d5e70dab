import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, getVariableValues, type GraphQLSchema } from 'graphql';
import { isCompiledQuery } from 'graphql-jit';
import { jitCompiler, toGraphQLError, withDefaults } from './jit.js';

/**
 * Runs queries through graphql-jit (see {@link jitCompiler}) instead of graphql-js's interpreter;
 * everything Apollo does around execution stays: parsing, validation, context, errors, plugins.
 *
 * Apollo Server takes a custom executor only through its gateway interface, so this is one that
 * serves the local schema. Mutations, and a subscription document POSTed to `/graphql`, run on
 * graphql-js here; the streams (graphql-ws, SSE) do not come here and run subscriptions compiled,
 * through `compiledSubscribe`.
 */
export function jitExecutor(schema: GraphQLSchema): GatewayInterface {
  const compile = jitCompiler(schema);
  let onSchema: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0] | undefined;

  const executor: GatewayExecutor = async (request) => {
    const { document, operation, operationName, context } = request;
    const variables = request.request.variables ?? {};
    // No operation is a document whose operation Apollo could not pick (several, and no or an
    // unknown operationName): graphql-js answers that with the spec's error.
    if (operation?.operation !== 'query') {
      return execute({ schema, document, contextValue: context, variableValues: variables, operationName });
    }
    const query = compile(document, operationName);
    // Not compiled: the errors that stopped it (such as an unknown operation name).
    if (!isCompiledQuery(query)) return query;
    // Variables are checked by graphql-js first: its errors name the variable's definition,
    // which is how Apollo recognises bad input (BAD_USER_INPUT, HTTP 400).
    const definitions = operation.variableDefinitions ?? [];
    const coerced = getVariableValues(schema, definitions, variables);
    if (coerced.errors) return { errors: coerced.errors };
    const result = await query.query(undefined, context, withDefaults(definitions, variables));
    return result.errors ? { ...result, errors: result.errors.map(toGraphQLError) } : result;
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
