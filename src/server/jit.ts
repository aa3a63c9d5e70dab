import { GraphQLError, valueFromASTUntyped, type DocumentNode, type ExecutionResult, type GraphQLSchema, type VariableDefinitionNode } from 'graphql';
import { compileQuery, type CompiledQuery } from 'graphql-jit';

/**
 * graphql-jit for one schema: each operation of a document is compiled once into a function that
 * resolves exactly its selection, and the compilation lives as long as the document does. Apollo
 * and the stream guard hand over the same parsed document for the same text (their document
 * caches), so an operation is compiled once, not once per request or per subscription. The schema
 * and its resolvers run unchanged, the `@requiresScopes` gate included.
 */
export function jitCompiler(schema: GraphQLSchema): (document: DocumentNode, operationName: string | null | undefined) => CompiledQuery | ExecutionResult {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | ExecutionResult>>();
  return (document, operationName) => {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const name = operationName ?? '';
    let operation = byName.get(name);
    if (!operation) byName.set(name, (operation = compileQuery(schema, document, operationName ?? undefined)));
    return operation;
  };
}

/**
 * graphql-jit's errors as graphql-js makes them: its own have a read-only message and no
 * `extensions` when the cause has none, where Apollo's plugins and the error formatting rewrite
 * messages and stamp extensions. Message, path, locations, cause and extensions are kept.
 */
export function toGraphQLError(error: GraphQLError): GraphQLError {
  const converted = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? {} });
  return Object.assign(converted, { locations: error.locations });
}

/**
 * `variables` with the default of each one left out written in. graphql-jit refuses a required
 * variable that has a default and was not sent, which the spec and graphql-js accept.
 */
export function withDefaults(definitions: readonly VariableDefinitionNode[], variables: Record<string, unknown>): Record<string, unknown> {
  const missing = definitions.filter((definition) => definition.defaultValue && !(definition.variable.name.value in variables));
  if (missing.length === 0) return variables;
  return { ...variables, ...Object.fromEntries(missing.map((definition) => [definition.variable.name.value, valueFromASTUntyped(definition.defaultValue!)])) };
}
