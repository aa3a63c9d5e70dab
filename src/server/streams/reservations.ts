import { randomBytes } from 'node:crypto';

/** How long a reserved event stream waits to be opened before it is forgotten. */
export const RESERVATION_TTL_MS = 30_000;
/** How many event streams, reserved or open, one grant may hold on an instance. */
export const MAX_RESERVATIONS_PER_GRANT = 5;

/** One reserved event stream of graphql-sse's single-connection mode. */
export interface Reservation {
  grantId: string;
  /** Whether its event stream is open. */
  open: boolean;
}

/**
 * The event streams reserved with `PUT /graphql/stream`, each belonging to the grant that reserved
 * it. A reservation nobody opens within {@link RESERVATION_TTL_MS} is dropped, and a grant holds at
 * most {@link MAX_RESERVATIONS_PER_GRANT}, so tokens alone cannot fill the memory.
 */
export class Reservations {
  readonly #byToken = new Map<string, Reservation & { timer?: NodeJS.Timeout }>();
  readonly #perGrant = new Map<string, number>();

  constructor(private readonly ttlMs = RESERVATION_TTL_MS) {}

  /** Reserves a stream for the grant; returns its token, or undefined when the grant holds its maximum. */
  reserve(grantId: string): string | undefined {
    const held = this.#perGrant.get(grantId) ?? 0;
    if (held >= MAX_RESERVATIONS_PER_GRANT) return undefined;
    const token = randomBytes(24).toString('base64url');
    const timer = setTimeout(() => this.release(token), this.ttlMs).unref();
    this.#byToken.set(token, { grantId, open: false, timer });
    this.#perGrant.set(grantId, held + 1);
    return token;
  }

  /** The reservation of `token` when it belongs to `grantId`; another grant's is as unknown as a missing one. */
  find(token: string, grantId: string): Reservation | undefined {
    const reservation = this.#byToken.get(token);
    return reservation?.grantId === grantId ? reservation : undefined;
  }

  /** Marks the stream open: it lives as long as its connection, no longer on a timer. */
  open(token: string): void {
    const reservation = this.#byToken.get(token);
    if (!reservation) return;
    clearTimeout(reservation.timer);
    reservation.open = true;
  }

  /** Forgets a reservation (its stream ended, or it expired unopened). */
  release(token: string): void {
    const reservation = this.#byToken.get(token);
    if (!reservation) return;
    clearTimeout(reservation.timer);
    this.#byToken.delete(token);
    const left = (this.#perGrant.get(reservation.grantId) ?? 1) - 1;
    if (left > 0) this.#perGrant.set(reservation.grantId, left);
    else this.#perGrant.delete(reservation.grantId);
  }

  /** How many reservations this instance holds. */
  get size(): number {
    return this.#byToken.size;
  }

  /** Forgets every reservation (the instance is shutting down). */
  clear(): void {
    for (const token of [...this.#byToken.keys()]) this.release(token);
  }
}
