import { getDirective } from '@graphql-tools/utils';
import {
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { expandScopes } from '../../src/auth/index.js';
import { ingest, localNotifier } from '../../src/changes/index.js';
import { NODE_TYPES } from '../../src/graph/index.js';
import { buildSchema } from '../../src/server/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';

const schema = buildSchema();
const CATEGORIES = ['profile', 'posts', 'follows', 'activity', 'messages'] as const;
const MODES = ['single', 'ongoing'] as const;

type Requirement = string[][];
const requirementOf = (s: GraphQLSchema, node: Parameters<typeof getDirective>[1]) =>
  getDirective(s, node, 'requiresScopes')?.[0]?.scopes as Requirement | undefined;
const satisfied = (requirement: Requirement, scopes: Set<string>) => requirement.some((all) => all.every((s) => scopes.has(s)));

/** Every field of `type`, recursively, with `__typename` everywhere; a type is not entered twice on one path. */
function selectAll(type: GraphQLObjectType, path: string[] = []): string {
  const fields = Object.values(type.getFields()).map((field) => {
    const named = getNamedType(field.type);
    if (isLeafType(named)) return field.name;
    if (!isObjectType(named) || path.includes(named.name) || path.length > 5) return '';
    const args = field.args.some((a) => a.name === 'first') ? '(first: 2)' : '';
    return `${field.name}${args} { ${selectAll(named, [...path, type.name])} }`;
  });
  return ['__typename', ...fields.filter(Boolean)].join(' ');
}

function fullDocument(nodeIds: Map<string, string>): string {
  const viewer = schema.getType('Viewer') as GraphQLObjectType;
  const nodes = [...nodeIds].map(
    ([type, id]) => `node_${type}: node(id: "${id}") { __typename ... on ${type} { ${selectAll(schema.getType(type) as GraphQLObjectType)} } }`,
  );
  const anyNode = NODE_TYPES.map((type) => `... on ${type} { ${selectAll(schema.getType(type) as GraphQLObjectType)} }`).join(' ');
  const changes = `changes(first: 100) { __typename edges { __typename node { __typename cursor category operation id occurredAt node { __typename ${anyNode} } } } }`;
  return `{ viewer { ${selectAll(viewer)} } ${changes} ${nodes.join(' ')} }`;
}

/** Walks a response with the schema's types; reports every value a requirement forbids, and counts gated values seen. */
function audit(data: unknown, scopes: Set<string>): { leaks: string[]; gatedValues: number } {
  const leaks: string[] = [];
  let gatedValues = 0;
  const visit = (value: unknown, type: GraphQLOutputType, path: string): void => {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return visit(value, type.ofType, path);
    if (isListType(type)) return (value as unknown[]).forEach((v, i) => visit(v, type.ofType, `${path}.${i}`));
    if (isLeafType(type)) return;
    const record = value as Record<string, unknown>;
    const concrete = schema.getType(record.__typename as string) as GraphQLObjectType;
    // A change event tells of its category even without its node: only granted ones may appear.
    if (concrete.name === 'Change' && !MODES.some((m) => scopes.has(`portability.${String(record.category).toLowerCase()}.${m}`))) {
      leaks.push(`${path} (a ${String(record.category)} change)`);
    }
    const typeRequirement = requirementOf(schema, concrete);
    if (typeRequirement) {
      gatedValues++;
      if (!satisfied(typeRequirement, scopes)) leaks.push(`${path} (${concrete.name})`);
    }
    for (const [key, child] of Object.entries(record)) {
      if (key === '__typename') continue;
      const field = concrete.getFields()[key]!;
      const fieldRequirement = requirementOf(schema, field);
      if (fieldRequirement && child !== null) {
        gatedValues++;
        if (!satisfied(fieldRequirement, scopes)) leaks.push(`${path}.${key}`);
      }
      visit(child, field.type, `${path}.${key}`);
    }
  };
  const root = data as Record<string, unknown>;
  visit(root.viewer, schema.getQueryType()!.getFields().viewer!.type, 'viewer');
  visit(root.changes, schema.getQueryType()!.getFields().changes!.type, 'changes');
  for (const [alias, node] of Object.entries(root)) if (alias.startsWith('node_')) visit(node, schema.getType('Node') as never, alias);
  return { leaks, gatedValues };
}

const either = (...categories: string[]) => categories.flatMap((c) => MODES.map((m) => [`portability.${c}.${m}`]));

it('each category\'s entry points and types carry its @requiresScopes', () => {
  const viewer = schema.getType('Viewer') as GraphQLObjectType;
  const gates = Object.fromEntries([
    ...Object.values(viewer.getFields()).map((f) => [`Viewer.${f.name}`, requirementOf(schema, f)]),
    ...[...NODE_TYPES, 'FollowEdge'].map((t) => [t, requirementOf(schema, schema.getType(t) as GraphQLObjectType)]),
  ]);
  expect(gates).toEqual({
    'Viewer.profile': either('profile'),
    Profile: either('profile'),
    'Viewer.posts': either('posts'),
    Post: either('posts'),
    Follow: either('follows'),
    'Viewer.followers': either('follows'),
    'Viewer.following': either('follows'),
    FollowEdge: either('follows'),
    User: either('follows', 'messages', 'profile'),
    'Viewer.activity': either('activity'),
    ActivityEvent: either('activity'),
    'Viewer.conversations': either('messages'),
    Conversation: either('messages'),
    Message: either('messages'),
  });
});

describe.each(dialects())('scope gating on %s', (dialect) => {
  let gw: TestGateway;
  let nodeIds: Map<string, string>;
  beforeAll(async () => {
    // The walk selects every field of every type at once: far beyond what one operation may cost by default.
    gw = await startTestGateway(dialect, { MAX_QUERY_COST: '20000' });
    // A change in every category, so the walk covers the change log too.
    const at = new Date().toISOString();
    const results = await ingest(gw.store.db, localNotifier(), [
      { id: 'leak-1', type: 'profile.upsert', data: { userId: 'alice', username: 'alice', displayName: 'Alice B.', email: 'alice@example.com', country: 'DE' } },
      { id: 'leak-2', type: 'post.upsert', data: { id: 'leak-post', authorId: 'alice', caption: 'new', visibility: 'PUBLIC', createdAt: at } },
      { id: 'leak-3', type: 'follow.upsert', data: { followerId: 'bob', followeeId: 'alice' } },
      { id: 'leak-4', type: 'activity.upsert', data: { id: 'leak-act', userId: 'alice', kind: 'SEARCH', target: { type: 'QUERY', text: 'cats' }, occurredAt: at } },
      { id: 'leak-5', type: 'message.upsert', data: { id: 'leak-msg', conversationId: 'leak-conv', senderId: 'bob', text: 'hi', sentAt: at, participantIds: ['alice', 'bob'] } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    // One id of each node type from alice's own data, read with a grant of everything.
    const everything = await gw.graphql(fullDocument(new Map()), { token: await gw.token('alice', 'portability.all.ongoing') });
    nodeIds = new Map();
    JSON.stringify(everything.body.data, (key, value) => {
      if (value && typeof value === 'object' && NODE_TYPES.includes(value.__typename) && typeof value.id === 'string') {
        if (!nodeIds.has(value.__typename)) nodeIds.set(value.__typename, value.id);
      }
      return value;
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('the full walk reaches every node type under a grant of everything', () => {
    // An Archive is a node too, but the grant's job, not the user's data: no walk of the data reaches it.
    expect([...nodeIds.keys()].sort()).toEqual(NODE_TYPES.filter((t) => t !== 'Archive').sort());
  });

  it('a grant of everything reads every gated value without an error', async () => {
    const scope = 'portability.all.ongoing';
    const { body } = await gw.graphql(fullDocument(nodeIds), { token: await gw.token('alice', scope) });
    expect(body.errors).toBeUndefined();
    expect(audit(body.data, expandScopes(scope)).leaks).toEqual([]);
  });

  describe.each(MODES)('in mode %s', (mode) => {
    it.each(CATEGORIES)('a grant of %s alone returns that category and nothing of any other, by any path', async (category) => {
      const scope = `portability.${category}.${mode}`;
      const scopes = expandScopes(scope);
      const { status, body } = await gw.graphql(fullDocument(nodeIds), { token: await gw.token('alice', scope) });
      expect(status).toBe(200);

      const { leaks, gatedValues } = audit(body.data, scopes);
      expect(leaks).toEqual([]);
      expect(gatedValues).toBeGreaterThan(0);
      const codes = new Set(body.errors?.map((e) => e.extensions?.code));
      // A one-time grant has no change feed at all.
      expect([...codes].sort()).toEqual(mode === 'single' ? ['INSUFFICIENT_SCOPE', 'RECURRING_GRANT_REQUIRED'] : ['INSUFFICIENT_SCOPE']);
      for (const error of body.errors!.filter((e) => e.extensions?.code === 'INSUFFICIENT_SCOPE')) {
        expect(error.extensions?.requiredScopes).toEqual(expect.arrayContaining([expect.stringMatching(/^portability\./)]));
      }
    });
  });

  it('node() refuses a type outside the grant the same way whether or not the id exists', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const existing = nodeIds.get('Message')!;
    const missing = Buffer.from('Message:no-such-message').toString('base64url');
    const [a, b] = await Promise.all([existing, missing].map((id) => gw.graphql(`{ node(id: "${id}") { id } }`, { token })));
    // Each response has its own correlation id and bucket reading; everything else must match.
    const comparable = (response: typeof a) => ({
      data: response!.body.data,
      errors: response!.body.errors?.map(({ extensions, ...error }) => ({ ...error, extensions: { ...extensions, correlationId: undefined } })),
    });
    expect(comparable(a)).toEqual(comparable(b));
    expect(a!.body.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_SCOPE');
  });
});
