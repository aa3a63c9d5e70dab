import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/store/index.js';

/** The benchmark's user and how many records of each kind they get. */
export const BENCH_USER = 'bench_archive_user';
export const VOLUMES = { posts: 100_000, messages: 400_000, activity: 500_000, conversations: 400 };
const BASE = 1_600_000_000_000;
/** BASE written into the SQL: as a bound parameter PostgreSQL would type it int4 (from `i`) and overflow. */
const base = sql.lit(BASE);

/**
 * Seeds one user with a million records in a few set-based statements (a recursive CTE per
 * table, the same SQL on both dialects), far faster than row-by-row inserts.
 */
export async function seedArchiveUser(db: Kysely<Database>): Promise<void> {
  const seq = (n: number) => sql.raw(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n})`);
  const peer = `${BENCH_USER}_peer`;
  await db.transaction().execute(async (trx) => {
    for (const [id, name] of [[BENCH_USER, 'Archive Bench'], [peer, 'Archive Peer']] as const) {
      await trx.insertInto('users').values({ id, username: id, displayName: name, bio: 'Benchmarks archives.', avatarUrl: null, email: `${id}@example.com`, birthDate: '1990-01-01', country: 'DE', createdAt: BASE, updatedAt: BASE }).execute();
    }
    await sql`${seq(VOLUMES.posts)}
      INSERT INTO posts (id, author_id, caption, media_url, media_type, media_duration_ms, visibility, like_count, comment_count, share_count, view_count, created_at, updated_at)
      SELECT 'bench_p' || i, ${BENCH_USER}, 'Benchmark post ' || i || ': a caption of a few dozen characters, like most are',
        CASE WHEN i % 3 = 0 THEN 'https://media.example.com/bench/' || i || '.jpg' END, CASE WHEN i % 3 = 0 THEN 'IMAGE' END, NULL,
        'PUBLIC', i % 500, i % 50, i % 20, (i * 7) % 10000, ${base} + i * 1000, ${base} + i * 1000 FROM seq`.execute(trx);
    await sql`${seq(VOLUMES.activity)}
      INSERT INTO activity_events (id, user_id, kind, target_type, target_ref, target_text, occurred_at)
      SELECT 'bench_e' || i, ${BENCH_USER}, CASE WHEN i % 2 = 0 THEN 'LIKE' ELSE 'SEARCH' END, CASE WHEN i % 2 = 0 THEN 'POST' ELSE 'QUERY' END,
        CASE WHEN i % 2 = 0 THEN 'bench_p' || (i % 100000 + 1) END, CASE WHEN i % 2 = 1 THEN 'search words ' || i END, ${base} + i * 500 FROM seq`.execute(trx);
    await sql`${seq(VOLUMES.conversations)} INSERT INTO conversations (id, created_at) SELECT 'bench_c' || i, ${base} + i FROM seq`.execute(trx);
    for (const member of [BENCH_USER, peer]) {
      await sql`${seq(VOLUMES.conversations)}
        INSERT INTO conversation_participants (conversation_id, user_id, joined_at) SELECT 'bench_c' || i, ${member}, ${base} + i FROM seq`.execute(trx);
    }
    await sql`${seq(VOLUMES.messages)}
      INSERT INTO messages (id, conversation_id, sender_id, text, sent_at)
      SELECT 'bench_m' || i, 'bench_c' || ((i - 1) % ${sql.lit(VOLUMES.conversations)} + 1), CASE WHEN i % 2 = 0 THEN ${BENCH_USER} ELSE ${peer} END,
        'Message ' || i || ' says something short, as messages do.', ${base} + i * 1000 FROM seq`.execute(trx);
  });
}
