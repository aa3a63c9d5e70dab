import fs from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../../resolvers/index.js';
import { applyRequiresScopes } from '../auth/index.js';
import { applyExecutionDeadline } from '../limits/index.js';

const schemaDir = new URL('../../schema/', import.meta.url);

/** The SDL of every `schema/*.graphql` file, in a stable order. */
export function loadTypeDefs(): string[] {
  return fs
    .readdirSync(schemaDir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => fs.readFileSync(new URL(file, schemaDir), 'utf8'));
}

/** The executable schema: the SDL files with their resolvers, gated by `@requiresScopes` and the execution deadline. */
export function buildSchema(): GraphQLSchema {
  return applyExecutionDeadline(applyRequiresScopes(makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers })));
}
