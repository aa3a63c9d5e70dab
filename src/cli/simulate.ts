import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Faker, base, en } from '@faker-js/faker';
import type { z } from 'zod';
import type { ingestEvent } from '../changes/index.js';
import { ConfigError, loadConfig } from '../config/index.js';

const USAGE = `usage: INGEST_TOKEN=… npm run -s simulate -- [--url URL] [--rate N] [--count N] [--users "alice,bob"] [--seed S]
Sends demo users' activity to POST /internal/v1/events, one batch a second, until --count events or Ctrl-C.
Defaults: --url PUBLIC_URL or http://localhost:$PORT, --rate 2, --users alice,bob,usr_0001…usr_0005, --seed random.`;

const DEFAULT_USERS = ['alice', 'bob', 'usr_0001', 'usr_0002', 'usr_0003', 'usr_0004', 'usr_0005'];
const DEVICES = ['Firefox on Linux', 'Chrome on Windows', 'Chrome on Android', 'Safari on macOS', 'Safari on iOS', 'App on Pixel 8', 'App on iPhone 15'];
const MEDIA = { IMAGE: 'jpg', VIDEO: 'mp4', AUDIO: 'm4a' } as const;

/** One event in the wire format of `POST /internal/v1/events` (times as ISO 8601 strings). */
export type SimEvent = z.input<typeof ingestEvent>;
type Post = Extract<SimEvent, { type: 'post.upsert' }>['data'];
type Result = { id: string | null; status: string; error?: { code: string; message: string; path?: string } };
type Outcome = { applied: number; duplicates: number; rejected: number; results: Result[] };
type Options = { runId?: string; now?: () => number };

// A failure the operator caused: printed without a stack trace, exit status 1.
class UsageError extends Error {}

const w = <T>(weight: number, value: T) => ({ weight, value });
// FNV-1a, so any --seed string becomes a 32-bit seed.
const hash = (seed: string) => [...seed].reduce((h, c) => Math.imul(h ^ c.codePointAt(0)!, 0x01000193) >>> 0, 0x811c9dc5);

/** What the simulation has made so far: it only edits or deletes these. */
interface SimWorld {
  f: Faker;
  runId: string;
  posts: Post[];
  follows: { followerId: string; followeeId: string }[];
  conversations: { id: string; participants: string[] }[];
}

/** One step: the `n`th event, its id and time, and the user who acts. */
interface SimTurn {
  n: number;
  id: string;
  at: string;
  user: string;
  others: string[];
  /** The other users `user` does not follow yet. */
  unfollowed: string[];
}

type SimAction = 'post' | 'edit' | 'delete' | 'follow' | 'unfollow' | 'activity' | 'conversation' | 'message';

/**
 * The endless, seeded activity of `users`: posts created, edited and deleted; follows and
 * unfollows; likes, comments, shares and views of the posts it created, searches and logins; and
 * conversations it starts and continues. It only edits or deletes what it created itself, so on a
 * store that has the users every event applies. Pure but for `now`: the same seed and users give
 * the same events; `runId` keeps the event and entity ids of separate runs apart.
 */
export function* simulate(seed: string | number, users: readonly string[], options: Options = {}): Generator<SimEvent, never> {
  const { runId = 'plan', now = Date.now } = options;
  const f = new Faker({ locale: [en, base] });
  f.seed(hash(String(seed)));
  const world: SimWorld = { f, runId, posts: [], follows: [], conversations: [] };
  for (let n = 1; ; n++) {
    const id = `sim-${runId}-${n}`;
    const at = new Date(now()).toISOString();
    const user = f.helpers.arrayElement(users);
    const others = users.filter((u) => u !== user);
    const unfollowed = others.filter((o) => !world.follows.some((x) => x.followerId === user && x.followeeId === o));
    const turn: SimTurn = { n, id, at, user, others, unfollowed };
    yield nextEvent(world, turn, chooseAction(world, turn));
  }
}

/** What the user does next, weighted; only what there is something to do it to. */
function chooseAction({ f, posts, follows, conversations }: SimWorld, { others, unfollowed }: SimTurn): SimAction {
  return f.helpers.weightedArrayElement([
    w(18, 'post' as const), w(posts.length ? 8 : 0, 'edit' as const), w(posts.length > 2 ? 4 : 0, 'delete' as const),
    w(unfollowed.length ? 8 : 0, 'follow' as const), w(follows.length ? 3 : 0, 'unfollow' as const), w(25, 'activity' as const),
    w(others.length ? 6 : 0, 'conversation' as const), w(conversations.length ? 20 : 0, 'message' as const),
  ].filter((c) => c.weight > 0));
}

function nextEvent(world: SimWorld, turn: SimTurn, action: SimAction): SimEvent {
  const { f, runId, posts, follows, conversations } = world;
  const { n, id, at, user } = turn;
  switch (action) {
    case 'post':
      return newPost(world, turn);
    case 'edit': {
      const i = f.number.int(posts.length - 1);
      posts[i] = { ...posts[i]!, caption: caption(f), updatedAt: at };
      return { id, type: 'post.upsert', data: posts[i]! };
    }
    case 'delete':
      return { id, type: 'post.delete', data: { id: posts.splice(f.number.int(posts.length - 1), 1)[0]!.id } };
    case 'follow':
      follows.push({ followerId: user, followeeId: f.helpers.arrayElement(turn.unfollowed) });
      return { id, type: 'follow.upsert', data: { ...follows.at(-1)!, since: at } };
    case 'unfollow':
      return { id, type: 'follow.delete', data: follows.splice(f.number.int(follows.length - 1), 1)[0]! };
    case 'activity':
      return activity(world, turn);
    case 'conversation': {
      const conversation = { id: `sim-${runId}-conv-${n}`, participants: [user, ...f.helpers.arrayElements(turn.others, { min: 1, max: Math.min(3, turn.others.length) })] };
      conversations.push(conversation);
      return { id, type: 'message.upsert', data: { id: `sim-${runId}-msg-${n}`, conversationId: conversation.id, senderId: user, text: text(f), sentAt: at, participantIds: conversation.participants } };
    }
    case 'message': {
      const conversation = f.helpers.arrayElement(conversations);
      return { id, type: 'message.upsert', data: { id: `sim-${runId}-msg-${n}`, conversationId: conversation.id, senderId: f.helpers.arrayElement(conversation.participants), text: text(f), sentAt: at } };
    }
  }
}

function newPost({ f, runId, posts }: SimWorld, { n, id, at, user }: SimTurn): SimEvent {
  const postId = `sim-${runId}-post-${n}`;
  const type = f.datatype.boolean(0.4) ? f.helpers.weightedArrayElement([w(7, 'IMAGE' as const), w(2, 'VIDEO' as const), w(1, 'AUDIO' as const)]) : undefined;
  const media = type && { url: `https://media.example.com/sim/${postId}.${MEDIA[type]}`, type, durationSeconds: type === 'IMAGE' ? null : f.number.int({ min: 5, max: 300 }) };
  const visibility = f.helpers.weightedArrayElement([w(7, 'PUBLIC' as const), w(2, 'FOLLOWERS' as const), w(1, 'PRIVATE' as const)]);
  const post: Post = { id: postId, authorId: user, caption: caption(f), media: media ?? null, visibility, createdAt: at };
  posts.push(post);
  return { id, type: 'post.upsert', data: post };
}

/** A like, watch, comment or share of someone else's post the simulation made, a search, or a login. */
function activity({ f, runId, posts }: SimWorld, { n, id, at, user }: SimTurn): SimEvent {
  const pick = <T>(items: readonly T[]): T => f.helpers.arrayElement(items);
  const theirs = posts.filter((p) => p.authorId !== user && p.visibility !== 'PRIVATE');
  const playable = theirs.filter((p) => p.media && p.media.type !== 'IMAGE');
  const kind = f.helpers.weightedArrayElement([
    w(theirs.length ? 7 : 0, 'LIKE' as const), w(playable.length ? 4 : 0, 'WATCH' as const), w(theirs.length ? 2 : 0, 'COMMENT' as const),
    w(theirs.length ? 1 : 0, 'SHARE' as const), w(3, 'SEARCH' as const), w(2, 'LOGIN' as const),
  ].filter((c) => c.weight > 0));
  const target =
    kind === 'SEARCH' ? { type: 'QUERY' as const, text: pick([`${f.food.dish().toLowerCase()} recipe`, `${f.location.city().toLowerCase()} restaurants`, `best ${f.word.noun()}`]) }
    : kind === 'LOGIN' ? { type: 'DEVICE' as const, text: pick(DEVICES) }
    : { type: 'POST' as const, ref: pick(kind === 'WATCH' ? playable : theirs).id, text: kind === 'COMMENT' ? pick([`This is so ${f.word.adjective()}!`, 'Where is this?', 'Great shot!', 'Haha same']) : null };
  return { id, type: 'activity.upsert', data: { id: `sim-${runId}-act-${n}`, userId: user, kind, target, occurredAt: at } };
}

function caption(f: Faker): string {
  const [adj, noun, city] = [f.word.adjective(), f.word.noun(), f.location.city()];
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  return f.helpers.arrayElement([`${cap(adj)} ${noun} in ${city} today`, `Golden hour over ${city}`, `Can't believe how ${adj} this ${noun} turned out`, `New ${noun}, who dis`]);
}

function text(f: Faker): string {
  return f.helpers.arrayElement([`Are we still on for ${f.date.weekday()}?`, `Did you see the ${f.word.noun()}?`, 'Running 10 minutes late, sorry!', 'Sounds good 👍', `I'm in ${f.location.city()} until ${f.date.weekday()}`]);
}

/** The first `count` events of {@link simulate}, without sending anything. */
export function plan(seed: string | number, users: readonly string[], count: number, options: Options = {}): SimEvent[] {
  const events = simulate(seed, users, options);
  return Array.from({ length: count }, () => events.next().value);
}

const CLI_OPTIONS = { url: { type: 'string' }, rate: { type: 'string' }, count: { type: 'string' }, users: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean' } } as const;

/** A run as the command line and the environment ask for it, checked. */
interface RunSettings {
  endpoint: string;
  token: string;
  /** Events per second. */
  rate: number;
  /** Events to send in all; Infinity until Ctrl-C. */
  count: number;
  users: string[];
  seed: string;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: CLI_OPTIONS });
  if (values.help) return console.log(USAGE);
  const { endpoint, token, rate, count, users, seed } = runSettings(values);
  const runId = randomBytes(4).toString('hex');
  const events = simulate(seed, users, { runId });

  let stopping = false;
  let wake = () => {};
  const stop = () => ((stopping = true), wake());
  process.on('SIGINT', stop).on('SIGTERM', stop);
  console.log(`simulating ${users.join(',')} → ${endpoint} at ${rate}/s, seed ${seed}, run ${runId}${count < Infinity ? `, ${count} events` : ''}; Ctrl-C stops`);
  const totals = { applied: 0, duplicates: 0, rejected: 0 };
  let [made, credit, batches, failures] = [0, 0, 0, 0];
  let pending: SimEvent[] = [];
  while (!stopping) {
    const started = Date.now();
    if (pending.length === 0) {
      credit += rate;
      for (; credit >= 1 && made < count; credit--, made++) pending.push(events.next().value);
    }
    if (pending.length > 0) {
      const outcome = await send(endpoint, token, pending);
      if (!outcome && ++failures >= 30) throw new UsageError(`gave up: ${endpoint} did not answer for 30 tries in a row`);
      if (outcome) {
        failures = 0;
        reportBatch(++batches, outcome, pending);
        for (const key of ['applied', 'duplicates', 'rejected'] as const) totals[key] += outcome[key];
        pending = [];
      }
    }
    if (made >= count && pending.length === 0) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, started + 1000 - Date.now()));
      wake = () => (clearTimeout(timer), resolve());
      if (stopping) wake();
    });
  }
  process.off('SIGINT', stop).off('SIGTERM', stop);
  const unsent = pending.length ? `, ${pending.length} unsent` : '';
  console.log(`${stopping ? 'stopped' : 'done'}: ${made - pending.length} events sent in ${batches} batch${batches === 1 ? '' : 'es'}, ${totals.applied} applied, ${totals.duplicates} duplicates, ${totals.rejected} rejected${unsent}`);
}

/** The run the options and the configuration ask for; a {@link UsageError} names the first one that is off. */
function runSettings(values: { url?: string; rate?: string; count?: string; users?: string; seed?: string }): RunSettings {
  const config = loadConfig();
  const token = config.ingestToken;
  if (!token) throw new UsageError('INGEST_TOKEN is not set: export the ingest token the gateway runs with, e.g. INGEST_TOKEN=… npm run simulate');
  const rate = Number(values.rate ?? 2);
  if (!(rate > 0 && rate <= 1000)) throw new UsageError('--rate takes events per second, more than 0 and at most 1000');
  const count = values.count === undefined ? Infinity : Number(values.count);
  if (!(count === Infinity || (Number.isInteger(count) && count >= 1))) throw new UsageError('--count takes a whole number of at least 1');
  const users = values.users === undefined ? DEFAULT_USERS : [...new Set(values.users.split(',').map((u) => u.trim()).filter(Boolean))];
  if (users.length === 0) throw new UsageError('--users takes user ids separated by commas, e.g. "alice,bob"');
  const url = (values.url ?? config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`--url ${url} is not an http(s) URL`);
  const seed = values.seed ?? randomBytes(4).toString('hex');
  return { endpoint: `${url}/internal/v1/events`, token, rate, count, users, seed };
}

/** One line per batch sent, and one per event it rejected. */
function reportBatch(batch: number, outcome: Outcome, sent: readonly SimEvent[]): void {
  const types = new Map<string, number>();
  for (const { type } of sent) types.set(type, (types.get(type) ?? 0) + 1);
  console.log(`${new Date().toISOString().slice(11, 19)} batch ${batch}: ${outcome.applied} applied, ${outcome.duplicates} duplicates, ${outcome.rejected} rejected (${[...types].map(([type, n]) => `${type} ${n}`).join(', ')})`);
  for (const r of outcome.results.filter((r) => r.status === 'rejected')) {
    const type = sent.find((e) => e.id === r.id)?.type ?? 'event';
    console.error(`  rejected ${r.id} (${type}): ${r.error?.code} ${r.error?.message}${r.error?.path ? ` at ${r.error.path}` : ''}`);
  }
}

// POSTs one batch; undefined when it is to be sent again (ingest skips the event ids it has seen).
async function send(endpoint: string, token: string, events: SimEvent[]): Promise<Outcome | undefined> {
  let response: Response;
  try {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ events }), signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const { cause, message } = error as { cause?: { code?: string; message?: string }; message: string };
    console.error(`cannot reach ${endpoint} (${cause?.code ?? cause?.message ?? message}); retrying the batch`);
    return undefined;
  }
  const body = (await response.json().catch(() => ({}))) as Partial<Outcome> & { error?: string; message?: string };
  if (response.status >= 500 || response.status === 429) {
    console.error(`the gateway answered ${response.status} ${body.error ?? ''}; retrying the batch`);
    return undefined;
  }
  if (!response.ok) {
    const hint = response.status === 401 ? ' (is INGEST_TOKEN the one the gateway runs with?)' : '';
    throw new UsageError(`the gateway refused the batch: ${response.status} ${body.error ?? ''}: ${body.message ?? ''}${hint}`);
  }
  if (!Array.isArray(body.results)) throw new UsageError(`${endpoint} does not answer like the gateway's ingest API`);
  return body as Outcome;
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    const parseError = error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
    const known = error instanceof UsageError || error instanceof ConfigError || parseError;
    console.error(known ? (error as Error).message : error);
    process.exit(1);
  });
}
