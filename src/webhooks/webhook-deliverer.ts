import type { Kysely } from 'kysely';
import { SerialDrain, type Database, type WebhookEventRow } from '../store/index.js';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** Retries go on for at least this long after an event was queued; then it is given up. */
export const WEBHOOK_RETRY_WINDOW_MS = 72 * 3_600_000;
/** No wait between two attempts grows beyond this. */
const MAX_BACKOFF_MS = 6 * 3_600_000;
/** A receiver that takes longer than this to answer has failed the attempt. */
const TIMEOUT_MS = 10_000;
/** While one instance delivers an event, the others leave it alone this long. */
const CLAIM_MS = 60_000;
const POLL_MS = 1000;

/** The wait before attempt `attempt + 1`, after `attempt` failures: base, 2×base, 4×base, … */
export function backoffMs(baseMs: number, attempt: number): number {
  return Math.min(baseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
}

/**
 * Delivers queued webhook events from the `webhook_events` table, on every instance. An instance
 * claims a due event by moving its next attempt forward (compare-and-set), posts it signed, and
 * records the attempt; a failure is retried with exponential backoff until the retry window has
 * passed. The table is the queue, so nothing is lost across restarts.
 */
export class WebhookDeliverer {
  #timer: NodeJS.Timeout | undefined;
  readonly #drainer = new SerialDrain(() => this.#drain(), (error) => this.onError(error));
  #closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly backoffBaseMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.#timer = setInterval(() => this.wake(), POLL_MS).unref();
    this.wake();
  }

  /** Looks for due events now. */
  wake(): void {
    if (!this.#closed) this.#drainer.wake();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#drainer.settled();
  }

  async #drain(): Promise<void> {
    while (!this.#closed) {
      const now = Date.now();
      const due = await this.db
        .selectFrom('webhookEvents')
        .selectAll()
        .where('status', '=', 'PENDING')
        .where('nextAttemptAt', '<=', now)
        .orderBy('nextAttemptAt')
        .limit(20)
        .execute();
      if (due.length === 0) return;
      await Promise.all(due.map((event) => this.#attempt(event)));
    }
  }

  async #attempt(event: WebhookEventRow): Promise<void> {
    if (!(await this.#claim(event))) return;
    const app = await this.db.selectFrom('apps').select(['webhookUrl', 'webhookSecret']).where('id', '=', event.appId).executeTakeFirst();
    if (!app?.webhookUrl || !app.webhookSecret) {
      await this.db.updateTable('webhookEvents').set({ status: 'FAILED' }).where('id', '=', event.id).execute();
      return;
    }
    await this.#record(event, app.webhookUrl, await post(app.webhookUrl, app.webhookSecret, event));
  }

  /** Takes a due event for this instance: whether no other instance took it first. */
  async #claim(event: WebhookEventRow): Promise<boolean> {
    const claimed = await this.db
      .updateTable('webhookEvents')
      .set({ nextAttemptAt: Date.now() + CLAIM_MS })
      .where('id', '=', event.id)
      .where('status', '=', 'PENDING')
      .where('nextAttemptAt', '=', event.nextAttemptAt)
      .executeTakeFirst();
    return claimed.numUpdatedRows !== 0n;
  }

  /** Writes the attempt, and the event's next state: delivered, given up, or due again after the backoff. */
  async #record(event: WebhookEventRow, url: string, { started, finished, httpStatus, error }: AttemptOutcome): Promise<void> {
    const attempt = event.attempts + 1;
    const delivered = error === null;
    const next = finished + backoffMs(this.backoffBaseMs, attempt);
    // The last attempt is the first one made after the window: retries span at least all of it.
    const givenUp = !delivered && finished - event.createdAt >= WEBHOOK_RETRY_WINDOW_MS;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhookAttempts')
        .values({ eventId: event.id, attempt, at: started, url, httpStatus, error, durationMs: finished - started })
        .execute();
      await trx
        .updateTable('webhookEvents')
        .set({
          attempts: attempt,
          status: delivered ? 'DELIVERED' : givenUp ? 'FAILED' : 'PENDING',
          deliveredAt: delivered ? finished : null,
          nextAttemptAt: delivered || givenUp ? finished : next,
        })
        .where('id', '=', event.id)
        .execute();
    });
  }
}

/** How one delivery attempt went; `error` is null when the receiver answered 2xx. */
interface AttemptOutcome {
  started: number;
  finished: number;
  httpStatus: number | null;
  error: string | null;
}

/** POSTs the event, signed, to the app's webhook URL; redirects are not followed. */
async function post(url: string, secret: string, event: WebhookEventRow): Promise<AttemptOutcome> {
  const started = Date.now();
  let httpStatus: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'portability-gateway-webhooks',
        'portability-event-id': event.id,
        'portability-event-type': event.type,
        [SIGNATURE_HEADER]: signWebhook(secret, Math.floor(started / 1000), event.payload),
      },
      body: event.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    httpStatus = response.status;
    await response.body?.cancel();
    if (response.status < 200 || response.status >= 300) error = `HTTP ${response.status}`;
  } catch (failure) {
    error = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
  }
  return { started, finished: Date.now(), httpStatus, error };
}
