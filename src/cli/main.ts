import { parseArgs } from 'node:util';
import { issueAccessToken, isEligibleCountry, unknownScopes } from '../auth/index.js';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { ErrorCode } from '../errors/index.js';
import { openStore, seedBulk, seedDemo, type Store } from '../store/index.js';

/** The client id CLI-issued tokens are recorded under: the demo app. */
const DEMO_CLIENT_ID = 'demo-app';

const USAGE = `usage: npm run -s cli -- <command>

commands:
  token --user USERNAME --scope "SCOPE [SCOPE…]"   print an access token for the demo app
  seed --users N [--seed S]                        add N generated users with their data (benchmarks)`;

/** A failure the operator caused: printed without a stack trace, exit status 1. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await store.migrate();
    if (config.demoData) await seedDemo(store.db);
    switch (command) {
      case 'token':
        return await token(store, config, rest);
      case 'seed':
        return await seed(store, rest);
      default:
        throw new UsageError(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
    }
  } finally {
    await store.close();
  }
}

async function token(store: Store, config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { user: { type: 'string' }, scope: { type: 'string' } } });
  if (!values.user || !values.scope) throw new UsageError(`token needs --user and --scope\n${USAGE}`);
  const unknown = unknownScopes(values.scope);
  if (unknown.length > 0) {
    throw new UsageError(`unknown scope ${unknown.join(', ')}: scopes are portability.<profile|posts|follows|activity|messages|all>.<single|ongoing>`);
  }
  const user = await store.db.selectFrom('users').select(['id', 'country']).where('username', '=', values.user).executeTakeFirst();
  if (!user) throw new UsageError(`no user named "${values.user}"`);
  if (!isEligibleCountry(user.country, config.extraEligibleCountries)) {
    throw new UsageError(`${ErrorCode.RegionNotEligible}: ${values.user} is registered in ${user.country}, outside the EEA`);
  }
  const scope = values.scope.split(' ').filter(Boolean).join(' ');
  console.log(await issueAccessToken(store.db, { userId: user.id, clientId: DEMO_CLIENT_ID, scope, ttlSeconds: config.tokenTtlSeconds }));
}

async function seed(store: Store, args: string[]): Promise<void> {
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

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof UsageError || error instanceof ConfigError || (error instanceof Error && error.name === 'TypeError' && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
