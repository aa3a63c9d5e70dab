import type { Faker } from '@faker-js/faker';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from './database.js';

// Seeds are anchored to a fixed instant, not the clock, so two runs write identical rows.
export const BASE_TIME = Date.UTC(2026, 0, 1);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const YEAR = 365 * DAY;
/** Posts, follows, activity and messages fall in the two years before {@link BASE_TIME}. */
export const CONTENT_START = BASE_TIME - 2 * YEAR;
export const MEDIA_EXTENSION = { IMAGE: 'jpg', VIDEO: 'mp4', AUDIO: 'm4a' } as const;

export const EEA_COUNTRIES = ['DE', 'FR', 'IT', 'ES', 'NL', 'PL', 'SE', 'IE', 'AT', 'BE', 'DK', 'FI', 'PT', 'CZ', 'GR', 'HU', 'RO', 'NO', 'IS', 'LI'];
export const OTHER_COUNTRIES = ['US', 'GB', 'CH', 'BR', 'JP'];

export const DEVICES = [
  'Firefox on Linux', 'Firefox on Windows', 'Chrome on Windows', 'Chrome on Android', 'Safari on macOS',
  'Safari on iOS', 'Edge on Windows', 'App on iPhone 15', 'App on Pixel 8', 'App on iPad',
];

const HASHTAGS = [
  '#travel', '#foodie', '#sunset', '#weekend', '#music', '#tbt', '#nofilter', '#coffee', '#running',
  '#photography', '#art', '#cats', '#hiking', '#summer', '#cooking', '#books', '#citylife',
];

/** Activity kinds weighted roughly like real usage: passive consumption dominates. */
export const ACTIVITY_KINDS = [
  ...Array<'LIKE'>(7).fill('LIKE'), ...Array<'WATCH'>(4).fill('WATCH'), ...Array<'SEARCH'>(3).fill('SEARCH'),
  'COMMENT', 'COMMENT', 'SHARE', 'LOGIN', 'LOGIN',
] as const;

export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** Which target an event points at, per the schema's (kind → targetType) convention. */
export function targetTypeOf(kind: ActivityKind): 'POST' | 'QUERY' | 'DEVICE' {
  return kind === 'SEARCH' ? 'QUERY' : kind === 'LOGIN' ? 'DEVICE' : 'POST';
}

export function caption(f: Faker): string {
  const adj = f.word.adjective();
  const noun = f.word.noun();
  const city = f.location.city();
  const text = f.helpers.arrayElement([
    `${adj[0]!.toUpperCase()}${adj.slice(1)} ${noun} in ${city} today`,
    `Finally tried the ${adj} ${noun} everyone keeps talking about`,
    `Can't believe how ${adj} this ${noun} turned out`,
    `Weekend plans: ${noun}, ${f.food.dish().toLowerCase()} and a lot of sleep`,
    `Throwback to that ${adj} trip to ${city}`,
    `Golden hour over ${city}`,
    `Who else is obsessed with ${f.food.ingredient().toLowerCase()} lately?`,
    `Made ${f.food.dish().toLowerCase()} from scratch, not bad for a first try`,
    `Listening to ${f.music.songName()} on repeat`,
    `New ${noun}, who dis`,
  ]);
  if (!f.datatype.boolean(0.35)) return text;
  return `${text} ${f.helpers.arrayElements(HASHTAGS, { min: 1, max: 3 }).join(' ')}`;
}

export function comment(f: Faker): string {
  return f.helpers.arrayElement([
    `This is so ${f.word.adjective()}!`, `Love the ${f.word.noun()} 😍`, 'Where is this?', 'Wow 🔥', 'Great shot!',
    `Need this ${f.word.noun()} in my life`, 'Haha same', `Miss ${f.location.city()} so much`, '👏👏👏',
  ]);
}

export function message(f: Faker): string {
  return f.helpers.arrayElement([
    `Are we still on for ${f.date.weekday()}?`, `Did you see the ${f.word.noun()} ${f.person.firstName()} posted?`,
    `Haha that's so ${f.word.adjective()}`, 'Running 10 minutes late, sorry!', 'Sounds good 👍', 'Thanks!!',
    `Can you send me the ${f.word.noun()} later?`, `I'm in ${f.location.city()} until ${f.date.weekday()}`,
    `Let's grab ${f.food.dish().toLowerCase()} this week`, 'lol', 'Miss you!', 'On my way', 'Call me when you can?',
  ]);
}

export function searchQuery(f: Faker): string {
  return f.helpers.arrayElement([
    `${f.food.dish().toLowerCase()} recipe`, `${f.location.city().toLowerCase()} restaurants`,
    `best ${f.word.noun()}`, f.word.words({ count: { min: 1, max: 3 } }), `${f.music.genre().toLowerCase()} playlist`,
  ]);
}

/** Mulberry32: a few ns per number, so bulk seeding isn't dominated by value generation. */
export function prng(seed: number): { int(min: number, max: number): number; pick<T>(items: readonly T[]): T } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

export const pad = (n: number, width: number) => String(n).padStart(width, '0');

// SQLite allows 32766 bound parameters per statement; staying under 30000 leaves headroom on both dialects.
const MAX_PARAMETERS = 30_000;

/** Inserts rows with multi-row statements sized to the parameter limit; accepts a generator so bulk rows never all sit in memory. */
export async function insertAll<T extends keyof Database & string>(
  db: Kysely<Database>,
  table: T,
  rows: Iterable<Insertable<Database[T]>>,
): Promise<number> {
  let batch: Insertable<Database[T]>[] = [];
  let limit = 0;
  let count = 0;
  const flush = async () => {
    // The generic table name defeats Kysely's per-table value typing; the parameter type already checks rows.
    if (batch.length > 0) await db.insertInto(table).values(batch as never).execute();
    count += batch.length;
    batch = [];
  };
  for (const row of rows) {
    if (limit === 0) limit = Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(row).length));
    batch.push(row);
    if (batch.length >= limit) await flush();
  }
  await flush();
  return count;
}

/** An English Faker, imported only to seed: loading the package costs a process much memory (BENCHMARKS.md). */
export async function englishFaker(): Promise<Faker> {
  const { Faker, base, en } = await import('@faker-js/faker');
  return new Faker({ locale: [en, base] });
}
