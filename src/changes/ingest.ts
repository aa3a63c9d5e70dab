import type { Kysely } from 'kysely';
import { isUniqueViolation, lockChangeLog, type Database } from '../store/index.js';
import { applyEvent, IngestError } from './apply.js';
import { ingestEvent } from './events.js';
import type { Notifier } from './notifier.js';

/** What became of one event of a batch. */
export type IngestResult =
  | { id: string | null; status: 'applied'; changes: number }
  | { id: string | null; status: 'duplicate' }
  | { id: string | null; status: 'rejected'; error: { code: string; message: string; path?: string } };

/**
 * Applies a batch of platform events in order, each in its own transaction together with the
 * change rows it makes (the transactional outbox): a change is never recorded without its data,
 * nor the data without its change. An event id seen before is acknowledged and not applied
 * twice. Each event that breaks the format, or references what does not exist, is refused on its
 * own with a reason, and nothing of it is written.
 */
export async function ingest(db: Kysely<Database>, notifier: Notifier, events: readonly unknown[]): Promise<IngestResult[]> {
  const results: IngestResult[] = [];
  for (const raw of events) {
    const parsed = ingestEvent.safeParse(raw);
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : null;
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      results.push({ id, status: 'rejected', error: { code: 'INVALID_EVENT', message: issue?.message ?? 'invalid event', path: issue?.path.join('.') ?? '' } });
      continue;
    }
    const event = parsed.data;
    try {
      const now = Date.now();
      const written = await db.transaction().execute(async (trx) => {
        if (await trx.selectFrom('ingestedEvents').select('id').where('id', '=', event.id).executeTakeFirst()) return undefined;
        const pending = await applyEvent(trx, event, now);
        await trx.insertInto('ingestedEvents').values({ id: event.id, receivedAt: now }).execute();
        await lockChangeLog(trx);
        await trx.insertInto('changes').values(pending.map((change) => ({ ...change, committedAt: Date.now() }))).execute();
        return pending;
      });
      if (!written) {
        results.push({ id, status: 'duplicate' });
        continue;
      }
      await notifier.publish();
      results.push({ id, status: 'applied', changes: written.length });
    } catch (error) {
      if (error instanceof IngestError) results.push({ id, status: 'rejected', error: { code: error.code, message: error.message } });
      // The same event id, committed meanwhile by a concurrent request.
      else if (isUniqueViolation(error) && (await db.selectFrom('ingestedEvents').select('id').where('id', '=', event.id).executeTakeFirst())) {
        results.push({ id, status: 'duplicate' });
      } else throw error;
    }
  }
  return results;
}
