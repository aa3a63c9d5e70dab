import fs from 'node:fs';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import {
  buildASTSchema,
  Kind,
  parse,
  validateSchema,
  visit,
  type DirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
} from 'graphql';
import type { Category } from '../store/index.js';

/** Where the contracts are published: `schema/subgraphs/<category>.graphql`. */
const CONTRACTS = new URL('../../schema/subgraphs/', import.meta.url);

/** The composition's name for the contract's side. */
const CONTRACT = 'contract';
/** What the probe's interfaces are called: one per contract type, named after it. */
const INTERFACE_PREFIX = 'Contract_';

/**
 * What a platform's subgraph SDL lacks of its category's contract; empty when it carries it all.
 *
 * The check is Federation composition (`@theguild/federation-composition`), not a comparison of
 * texts: the contract is turned into a probe subgraph in which every field the contract names is
 * `@external` (owned elsewhere) and listed on an interface, and the probe is composed with the
 * platform's subgraph. Composition then reports each field no subgraph actually serves
 * (`EXTERNAL_MISSING_ON_BASE`), each type that differs, and each entity not keyed as the
 * contract keys it; graphql-js's schema validation of the composed API reports the arguments a
 * list lacks (the probe's interfaces demand them).
 */
export function contractGaps(category: Category, subgraphSdl: string): string[] {
  let platform: DocumentNode;
  try {
    platform = parse(subgraphSdl);
  } catch (error) {
    return [`its SDL does not parse: ${(error as Error).message}`];
  }
  const composed = composeServices([
    { name: category, typeDefs: platform },
    { name: CONTRACT, typeDefs: contractProbe(category) },
  ]);
  if (compositionHasErrors(composed)) return unique(composed.errors.map((error) => explain(error.extensions?.code, error.message)));
  const apiErrors = validateSchema(buildASTSchema(parse(composed.publicSdl), { assumeValidSDL: true }));
  return unique(apiErrors.map((error) => explain('INVALID_GRAPHQL', error.message)));
}

const probes = new Map<Category, DocumentNode>();

/** The category's contract as a subgraph that serves nothing itself and demands everything of the other. */
function contractProbe(category: Category): DocumentNode {
  let probe = probes.get(category);
  if (probe) return probe;
  const contract = parse(fs.readFileSync(new URL(`${category}.graphql`, CONTRACTS), 'utf8'));
  const interfaces: string[] = [];
  const types = visit(contract, {
    SchemaExtension: () => null,
    ObjectTypeDefinition: (node) => probeType(node, interfaces),
    ObjectTypeExtension: (node) => probeType(node, interfaces),
  });
  probe = parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external"])
    type Query { _contract: Boolean }
    ${interfaces.join('\n')}
  `);
  probe = { ...probe, definitions: [...probe.definitions, ...types.definitions] };
  probes.set(category, probe);
  return probe;
}

/** One contract type in the probe: its key kept, every other field `@external`, the whole listed on its interface. */
function probeType<T extends ObjectTypeDefinitionNode | ObjectTypeExtensionNode>(node: T, interfaces: string[]): T {
  const keys = keyFields(node.directives ?? []);
  const name = `${INTERFACE_PREFIX}${node.name.value}`;
  const fields = node.fields ?? [];
  interfaces.push(`interface ${name} { ${fields.map(printField).join(' ')} }`);
  return {
    ...node,
    directives: (node.directives ?? []).filter((d) => d.name.value === 'key'),
    interfaces: [{ kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: name } }],
    fields: fields.map((field) => (keys.has(field.name.value) ? field : { ...field, directives: [external()] })),
  };
}

function keyFields(directives: readonly DirectiveNode[]): Set<string> {
  const fields = new Set<string>();
  for (const directive of directives) {
    if (directive.name.value !== 'key') continue;
    const argument = directive.arguments?.find((a) => a.name.value === 'fields');
    if (argument?.value.kind === Kind.STRING) for (const name of argument.value.value.split(/\s+/)) fields.add(name);
  }
  return fields;
}

function external(): DirectiveNode {
  return { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'external' } };
}

function printField(field: FieldDefinitionNode): string {
  const args = field.arguments?.length ? `(${field.arguments.map((a) => `${a.name.value}: ${typeText(a.type)}`).join(', ')})` : '';
  return `${field.name.value}${args}: ${typeText(field.type)}`;
}

function typeText(type: FieldDefinitionNode['type']): string {
  if (type.kind === Kind.NON_NULL_TYPE) return `${typeText(type.type)}!`;
  if (type.kind === Kind.LIST_TYPE) return `[${typeText(type.type)}]`;
  return type.name.value;
}

/** A composition or validation error, worded for a platform team: what their subgraph lacks or gets wrong. */
function explain(code: unknown, message: string): string {
  const missing = /^Field "([\w.]+)" is marked @external on all the subgraphs/.exec(message);
  if (code === 'EXTERNAL_MISSING_ON_BASE' && missing) return `\`${missing[1]}\` is missing`;
  const argument = /^Interface field argument \w+\.(\w+)\((\w+):\) expected but (\w+)\.\w+ does not provide it/.exec(message);
  if (argument) return `\`${argument[3]}.${argument[1]}\` lacks the argument \`${argument[2]}\``;
  const mistyped =
    /^Type of field "([\w.]+)" is incompatible across subgraphs \(where marked @external\): it has type "([^"]+)" in subgraph "\w+" but type "([^"]+)"/.exec(message) ??
    swap(/^Type of field "([\w.]+)" is incompatible across subgraphs: it has type "([^"]+)" in subgraph "contract" but type "([^"]+)"/.exec(message)) ??
    swap(/^Interface field \w+\.\w+ expects type (\S+) but (\w+\.\w+) of type (\S+) is not a proper subtype/.exec(message), true);
  if (mistyped) return `\`${mistyped[1]}\` has type \`${mistyped[2]}\`; the contract says \`${mistyped[3]}\``;
  const sharedKey = /^Non-shareable field "(\w+)\.(\w+)" is resolved from multiple subgraphs/.exec(message);
  if (code === 'INVALID_FIELD_SHARING' && sharedKey) return `\`${sharedKey[1]}\` is not an entity keyed as the contract keys it (@key on \`${sharedKey[2]}\`)`;
  return message.replaceAll(`subgraph "${CONTRACT}"`, 'the contract').replaceAll(INTERFACE_PREFIX, '');
}

/** A match's groups reordered as (field, the subgraph's type, the contract's type). */
function swap(match: RegExpExecArray | null, interfaceOrder = false): string[] | undefined {
  if (!match) return undefined;
  const [, a, b, c] = match;
  return interfaceOrder ? ['', b!, c!, a!] : ['', a!, c!, b!];
}

function unique(messages: string[]): string[] {
  return [...new Set(messages)];
}
