import type { Kysely } from 'kysely';
import { lockChangeLog, type Category, type Database } from '../store/index.js';
import { applyEvent, IngestError, type PendingChange } from './apply-event.js';
import { federatedEvent } from './federated-event.js';
import { ingestEvent } from './ingest-event.js';
import { placeEvent } from './place-event.js';
import type { Notifier } from './notifier.js';

/** What became of one event of a batch. */
export type IngestResult =
  | { id: string | null; status: 'applied'; changes: number }
  | { id: string | null; status: 'duplicate' }
  | { id: string | null; status: 'rejected'; error: { code: string; message: string; path?: string } };

/**
 * Applies a batch of platform events in order, together with the change rows each makes (the
 * transactional outbox): a change is never recorded without its data, nor the data without its
 * change. Each event is written under its own savepoint, so one that breaks the format or
 * references what does not exist is refused on its own with a reason and nothing of it is
 * written, while the batch commits once. An event id seen before is acknowledged and not applied
 * twice. Any other failure rolls the whole batch back; the platform retries it, and the event ids
 * keep the retry from applying anything twice. An event of a `federated` category (one a platform
 * subgraph serves) needs only the ids that place it, and only its changes are written.
 */
export async function ingest(db: Kysely<Database>, notifier: Notifier, events: readonly unknown[], federated: ReadonlySet<Category> = new Set()): Promise<IngestResult[]> {
  const results: IngestResult[] = [];
  const trx = await db.startTransaction().execute();
  try {
    // Taken first: batches then never wait on each other's rows while holding the log (no
    // deadlock), and an event id committed by another batch is always seen before it is written.
    await lockChangeLog(trx);
    for (const raw of events) results.push(await ingestOne(trx, raw, federated));
    await trx.commit().execute();
  } catch (error) {
    await trx.rollback().execute();
    throw error;
  }
  if (results.some((result) => result.status === 'applied')) await notifier.publish();
  return results;
}

/** Each event type's category, by its first word (`post` of `post.upsert`). */
const CATEGORY_OF: Record<string, Category> = { profile: 'profile', post: 'posts', follow: 'follows', activity: 'activity', message: 'messages' };

/** How one event is read and written: in full into the store, or, for a federated category, as its changes alone. */
function reading(raw: unknown, federated: ReadonlySet<Category>) {
  const type = (raw as { type?: unknown } | null)?.type;
  const category = typeof type === 'string' ? CATEGORY_OF[type.split('.')[0]!] : undefined;
  if (category && federated.has(category)) {
    const parsed = federatedEvent.safeParse(raw);
    return { parsed, write: (trx: Kysely<Database>, now: number) => placeEvent(trx, parsed.data!, now) };
  }
  const parsed = ingestEvent.safeParse(raw);
  return { parsed, write: (trx: Kysely<Database>, now: number): Promise<PendingChange[]> => applyEvent(trx, parsed.data!, now) };
}

async function ingestOne(trx: ControlledTrx, raw: unknown, federated: ReadonlySet<Category>): Promise<IngestResult> {
  const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : null;
  const { parsed, write } = reading(raw, federated);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    return { id, status: 'rejected', error: { code: 'INVALID_EVENT', message: issue?.message ?? 'invalid event', path: issue?.path.join('.') ?? '' } };
  }
  const event = parsed.data;
  if (await seen(trx, event.id)) return { id, status: 'duplicate' };
  const savepoint = await trx.savepoint('event').execute();
  try {
    const now = Date.now();
    const pending = await write(savepoint, now);
    await savepoint.insertInto('ingestedEvents').values({ id: event.id, receivedAt: now }).execute();
    await savepoint.insertInto('changes').values(pending.map((change) => ({ ...change, committedAt: Date.now() }))).execute();
    await savepoint.releaseSavepoint('event').execute();
    return { id, status: 'applied', changes: pending.length };
  } catch (error) {
    await savepoint.rollbackToSavepoint('event').execute();
    await savepoint.releaseSavepoint('event').execute();
    if (error instanceof IngestError) return { id, status: 'rejected', error: { code: error.code, message: error.message } };
    throw error;
  }
}

type ControlledTrx = Awaited<ReturnType<ReturnType<Kysely<Database>['startTransaction']>['execute']>>;

async function seen(trx: Kysely<Database>, eventId: string): Promise<boolean> {
  return (await trx.selectFrom('ingestedEvents').select('id').where('id', '=', eventId).executeTakeFirst()) !== undefined;
}
