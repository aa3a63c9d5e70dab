/**
 * A backup of one user's data through the portability gateway: consent once, copy every granted
 * category into a local folder, then follow the change stream, resuming after a restart.
 * Run from the repository root: `npm run example:backup -- --out ./my-backup`.
 */
import { parseArgs } from 'node:util';
import { CHANGE_CURSOR, GRANT } from './documents.js';
import { Folder, type State } from './folder.js';
import { followChanges, TOKEN_ENDED, type Change } from './follow.js';
import { request } from './graphql.js';
import { Session } from './session.js';
import { snapshot, type Category, type Query } from './snapshot.js';

// Every category, recurring. (Listed one by one: the consent page lets the user untick some.)
const SCOPE = ['profile', 'posts', 'follows', 'activity', 'messages'].map((c) => `portability.${c}.ongoing`).join(' ');

const USAGE = `usage: npm run example:backup -- [--server URL] [--out DIR] [--client-id ID] [--client-secret SECRET] [--redirect-uri URI] [--scope "SCOPE…"]
Defaults: the gateway at http://localhost:4000, ./backup, the demo app (demo-app, demo-app-secret,
http://127.0.0.1:8976/callback), every category's "portability.<category>.ongoing". Each flag also reads an environment
variable: BACKUP_SERVER, BACKUP_DIR, BACKUP_CLIENT_ID, BACKUP_CLIENT_SECRET, BACKUP_REDIRECT_URI, BACKUP_SCOPE.`;

const { values: flags } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.BACKUP_SERVER ?? 'http://localhost:4000' },
    out: { type: 'string', default: process.env.BACKUP_DIR ?? './backup' },
    'client-id': { type: 'string', default: process.env.BACKUP_CLIENT_ID ?? 'demo-app' },
    'client-secret': { type: 'string', default: process.env.BACKUP_CLIENT_SECRET ?? 'demo-app-secret' },
    'redirect-uri': { type: 'string', default: process.env.BACKUP_REDIRECT_URI ?? 'http://127.0.0.1:8976/callback' },
    scope: { type: 'string', default: process.env.BACKUP_SCOPE ?? SCOPE },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

const issuer = new URL(flags.server);
const endpoint = new URL('/graphql', issuer);
const folder = new Folder(flags.out);
const state: State = await folder.readState();
if ((state.server && state.server !== issuer.href) || (state.clientId && state.clientId !== flags['client-id'])) {
  console.error(`${flags.out} holds a backup from ${state.server} for app ${state.clientId}; use another --out folder.`);
  process.exit(1);
}
const save = () => folder.writeState(state);

const app = { clientId: flags['client-id'], clientSecret: flags['client-secret'], redirectUri: flags['redirect-uri'] };
const session = await Session.discover(issuer, app, state.tokens, async (tokens) => {
  state.tokens = tokens;
  await save();
});
if (!state.tokens) {
  Object.assign(state, { server: issuer.href, clientId: app.clientId });
  await session.authorize(flags.scope, (url) => console.log(`Open this URL in a browser to let the backup read your data:\n${url}`));
  console.log('Access granted.');
}
const query: Query = (document, variables) => request(session, endpoint, document, variables);
const { grant } = await query<{ grant: { categories: Category[]; mode: 'ONE_TIME' | 'RECURRING' } }>(GRANT);

// Stop between two changes on Ctrl-C or SIGTERM; during the initial sync there is nothing to keep.
const stopping = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => (state.cursor ? stopping.abort() : process.exit(130)));
}

const folderOf = (category: Category) => category.toLowerCase();

async function initialSync(): Promise<string | undefined> {
  // The log's position is read before the first page: whatever commits while the pages are read
  // lies after it, so the stream delivers it even when a page already showed it (applying a
  // change twice leaves the same record).
  const cursor = grant.mode === 'RECURRING' ? (await query<{ changeCursor: string }>(CHANGE_CURSOR)).changeCursor : undefined;
  for (const category of grant.categories) {
    await folder.clear(folderOf(category));
    let count = 0;
    for await (const record of snapshot(query, category)) {
      await folder.put(folderOf(category), record);
      count++;
    }
    console.log(`Copied ${count} ${folderOf(category)} records.`);
  }
  return cursor;
}

async function apply(change: Change): Promise<void> {
  // An UPSERT's node is null when the object was removed again since.
  if (change.node) await folder.put(folderOf(change.category), change.node);
  else await folder.remove(folderOf(change.category), change.id);
  state.cursor = change.cursor;
  await save();
  const gone = change.operation === 'UPSERT' && !change.node ? ', removed since' : '';
  console.log(`${change.node ? 'Saved' : 'Removed'} ${folderOf(change.category)} ${change.id} (${change.operation}${gone}).`);
}

for (;;) {
  if (!state.cursor) {
    const cursor = await initialSync();
    if (!cursor) {
      console.log('One-time grant: the copy is complete.');
      process.exit(0);
    }
    state.cursor = cursor;
    await save();
    console.log(`Initial sync complete. Following changes after ${cursor}.`);
  } else {
    console.log(`Resuming after ${state.cursor}.`);
  }
  try {
    await followChanges({ endpoint, accessToken: () => session.accessToken(), after: state.cursor, apply, signal: stopping.signal });
    console.log(stopping.signal.aborted ? 'Stopped.' : 'The change stream ended.');
    process.exit(0);
  } catch (error) {
    // 4401: the access token expired or was revoked, the grant holds. Refresh it and resume.
    if ((error as { code?: unknown }).code === TOKEN_ENDED) {
      console.log('The access token ended: refreshing it and resuming.');
      await session.refresh();
      continue;
    }
    const errors = (Array.isArray(error) ? error : [error]) as { extensions?: { code?: string } }[];
    if (!errors.some((e) => e.extensions?.code === 'CURSOR_EXPIRED')) throw failure(error);
    console.log('The stored cursor has expired: copying everything again.');
    delete state.cursor;
  }
}

/** graphql-ws ends a subscription with GraphQL errors or a close event; both become an Error. */
function failure(error: unknown): Error {
  if (error instanceof Error) return error;
  if (Array.isArray(error)) return new Error(`The change stream failed: ${error.map((e: { message?: string }) => e.message).join('; ')}`);
  const { code, reason } = error as { code?: number; reason?: string };
  return new Error(`The change stream closed: ${code} ${reason ?? ''}`.trim());
}
