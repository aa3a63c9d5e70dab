import { parseArgs } from 'node:util';
import {
  ALL_SCOPES,
  DEMO_APP,
  createApp,
  createAuthority,
  ensureDemoApp,
  isEligibleCountry,
  listApps,
  listGrants,
  seedDemoAccess,
  setAppStatus,
  unknownScopes,
  type Authority,
} from '../auth/index.js';
import { registerWebhook, removeWebhook } from '../webhooks/index.js';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { ErrorCode } from '../errors/index.js';
import { checkSubgraph, subgraphClient } from '../federation/index.js';
import { createLogger } from '../logging/index.js';
import { openStore, seedBulk, type Store } from '../store/index.js';

const USAGE = `usage: npm run -s cli -- <command>

commands:
  token --user USERNAME --scope "SCOPE [SCOPE…]"     grant the demo app those scopes; print the access token
  apps create --name NAME --redirect-uri URI [--redirect-uri URI…] [--scopes "SCOPE…"] [--contact C] [--approve] [--json]
  apps list                                            every registered app and its review status
  apps approve ID | apps suspend ID                    set an app's review status
  apps webhook ID --url URL | --remove                 set (or remove) the app's webhook; prints its signing secret once
  grants list --user USERNAME                          a user's grants
  grants revoke ID                                     end a grant and its tokens at once
  seed --users N [--seed S]                            add N generated users with their data (benchmarks)
  subgraphs check                                      each subgraph of SUBGRAPHS: does it answer, does it carry its category's contract`;

/** A failure the operator caused: printed without a stack trace, exit status 1. */
class UsageError extends Error {}

interface Session {
  store: Store;
  config: Config;
  authority: () => Promise<Authority>;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await store.migrate();
    if (config.demoData) await seedDemoAccess(store.db);
    const session: Session = {
      store,
      config,
      authority: () =>
        createAuthority(store.db, {
          issuer: config.publicUrl ?? `http://localhost:${config.port}`,
          oneTimeSeconds: config.oneTimeGrantSeconds,
          recurringSeconds: config.recurringGrantSeconds,
          extraCountries: config.extraEligibleCountries,
        }),
    };
    const sub = rest[0] && !rest[0].startsWith('-') ? rest[0] : undefined;
    switch (sub ? `${command} ${sub}` : command) {
      case 'token':
        return await token(session, rest);
      case 'apps create':
        return await appsCreate(session, rest.slice(1));
      case 'apps list':
        return await appsList(session);
      case 'apps approve':
        return await appsStatus(session, rest[1], 'APPROVED');
      case 'apps suspend':
        return await appsStatus(session, rest[1], 'SUSPENDED');
      case 'apps webhook':
        return await appsWebhook(session, rest[1], rest.slice(2));
      case 'grants list':
        return await grantsList(session, rest.slice(1));
      case 'grants revoke':
        return await grantsRevoke(session, rest[1]);
      case 'seed':
        return await seed(session, rest);
      case 'subgraphs check':
        return await subgraphsCheck(session);
      default:
        throw new UsageError(command ? `unknown command "${argv.join(' ')}"\n${USAGE}` : USAGE);
    }
  } finally {
    await store.close();
  }
}

async function userNamed(store: Store, username: string | undefined) {
  if (!username) throw new UsageError(`name a user with --user\n${USAGE}`);
  const user = await store.db.selectFrom('users').select(['id', 'country']).where('username', '=', username).executeTakeFirst();
  if (!user) throw new UsageError(`no user named "${username}"`);
  return user;
}

function checkScopes(scope: string): string[] {
  const unknown = unknownScopes(scope);
  if (unknown.length > 0) {
    throw new UsageError(`unknown scope ${unknown.join(', ')}: scopes are portability.<profile|posts|follows|activity|messages|all>.<single|ongoing>`);
  }
  return scope.split(' ').filter(Boolean);
}

async function token({ store, config, authority }: Session, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { user: { type: 'string' }, scope: { type: 'string' } } });
  if (!values.scope) throw new UsageError(`token needs --user and --scope\n${USAGE}`);
  const user = await userNamed(store, values.user);
  const scopes = checkScopes(values.scope);
  if (!isEligibleCountry(user.country, config.extraEligibleCountries)) {
    throw new UsageError(`${ErrorCode.RegionNotEligible}: ${values.user} is registered in ${user.country}, outside the EEA`);
  }
  await ensureDemoApp(store.db, { knownSecret: config.demoData });
  try {
    console.log(await (await authority()).issueToken(user.id, DEMO_APP.clientId, scopes.join(' ')));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function appsCreate({ store }: Session, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      scopes: { type: 'string' },
      contact: { type: 'string' },
      approve: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const redirectUris = values['redirect-uri'] ?? [];
  if (!values.name || redirectUris.length === 0) throw new UsageError(`apps create needs --name and --redirect-uri\n${USAGE}`);
  for (const uri of redirectUris) {
    if (!URL.canParse(uri) || !/^https?:$/.test(new URL(uri).protocol)) throw new UsageError(`--redirect-uri ${uri} is not an http(s) URL`);
  }
  const scopes = values.scopes ? checkScopes(values.scopes) : [...ALL_SCOPES];
  const app = await createApp(store.db, {
    name: values.name,
    redirectUris,
    scopes,
    contact: values.contact,
    status: values.approve ? 'APPROVED' : 'PENDING_REVIEW',
  });
  if (values.json) console.log(JSON.stringify({ client_id: app.clientId, client_secret: app.clientSecret }));
  else console.log(`client_id: ${app.clientId}\nclient_secret: ${app.clientSecret}\n(the secret is shown once; only its hash is kept)`);
}

async function appsList({ store }: Session): Promise<void> {
  for (const app of await listApps(store.db)) {
    console.log(`${app.id}\t${app.status}\t${app.name}\t${app.scopes}\t${(JSON.parse(app.redirectUris) as string[]).join(' ')}`);
  }
}

async function appsStatus({ store }: Session, id: string | undefined, status: 'APPROVED' | 'SUSPENDED'): Promise<void> {
  if (!id) throw new UsageError(`name the app's id\n${USAGE}`);
  if (!(await setAppStatus(store.db, id, status))) throw new UsageError(`no app with id "${id}"`);
  console.log(`${id} ${status}`);
}

async function appsWebhook({ store }: Session, id: string | undefined, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' }, remove: { type: 'boolean' } } });
  if (!id || id.startsWith('-') || Boolean(values.url) === Boolean(values.remove)) throw new UsageError(`apps webhook needs the app's id and --url URL or --remove\n${USAGE}`);
  if (values.remove) {
    if (!(await removeWebhook(store.db, id))) throw new UsageError(`no app with id "${id}"`);
    return console.log(`${id} webhook removed`);
  }
  if (!URL.canParse(values.url!) || !/^https?:$/.test(new URL(values.url!).protocol)) throw new UsageError(`--url ${values.url} is not an http(s) URL`);
  const secret = await registerWebhook(store.db, id, values.url!);
  if (!secret) throw new UsageError(`no app with id "${id}"`);
  console.log(`webhook: ${values.url}\nsigning secret (shown once; verify the portability-signature header with it):\n${secret}`);
}

async function grantsList({ store }: Session, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { user: { type: 'string' } } });
  const user = await userNamed(store, values.user);
  for (const grant of await listGrants(store.db, user.id)) {
    const state = grant.revokedAt !== null ? 'REVOKED' : grant.expiresAt <= Date.now() ? 'EXPIRED' : 'ACTIVE';
    console.log(`${grant.id}\t${state}\t${grant.appId}\t${grant.mode}\t${grant.categories}\texpires ${new Date(grant.expiresAt).toISOString()}`);
  }
}

async function grantsRevoke({ authority }: Session, id: string | undefined): Promise<void> {
  if (!id) throw new UsageError(`name the grant's id\n${USAGE}`);
  if (!(await (await authority()).revokeGrant(id))) throw new UsageError(`no active grant with id "${id}"`);
  console.log(`${id} REVOKED`);
}

async function seed({ store }: Session, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { users: { type: 'string' }, seed: { type: 'string' } } });
  const users = Number(values.users);
  const seedValue = values.seed === undefined ? undefined : Number(values.seed);
  if (!Number.isInteger(users) || users < 1) throw new UsageError('seed needs --users N, a whole number of at least 1');
  if (seedValue !== undefined && !Number.isInteger(seedValue)) throw new UsageError('--seed takes a whole number');
  const started = performance.now();
  const counts = await seedBulk(store.db, { users, ...(seedValue !== undefined ? { seed: seedValue } : {}) });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`seeded in ${seconds}s on ${store.dialect}: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
}

/** One line per subgraph (category, state, URL) and one per problem; exit status 1 unless every one is ready. */
async function subgraphsCheck({ config }: Session): Promise<void> {
  const { federation } = config;
  if (federation.subgraphs.length === 0) return console.log('no subgraphs: SUBGRAPHS is unset, every category is served by the embedded store');
  const options = { logger: createLogger({ level: 'silent' }) };
  const statuses = await Promise.all(federation.subgraphs.map((subgraph) => checkSubgraph(subgraphClient(subgraph, federation, options), subgraph)));
  for (const status of statuses) {
    console.log(`${status.category}\t${status.state}\t${status.url}`);
    for (const problem of status.problems) console.log(`  ${problem}`);
  }
  if (statuses.some((status) => status.state !== 'ready')) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const parseError = error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
  const known = error instanceof UsageError || error instanceof ConfigError || parseError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
