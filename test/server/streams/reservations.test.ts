import { MAX_RESERVATIONS_PER_GRANT, RESERVATION_TTL_MS, Reservations } from '../../../src/server/streams/reservations.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SSE stream reservations', () => {
  it('wait 30 s to be opened by default', () => {
    expect(RESERVATION_TTL_MS).toBe(30_000);
  });

  it('a reservation nobody opens is forgotten when its time is up, and frees its place', async () => {
    const reservations = new Reservations(30);
    const tokens = Array.from({ length: MAX_RESERVATIONS_PER_GRANT }, () => reservations.reserve('g')!);
    expect(reservations.reserve('g')).toBeUndefined();
    await sleep(80);
    expect(reservations.size).toBe(0);
    expect(reservations.find(tokens[0]!, 'g')).toBeUndefined();
    expect(reservations.reserve('g')).toEqual(expect.any(String));
    reservations.clear();
  });

  it('an open stream is not on a timer; releasing it frees its place', async () => {
    const reservations = new Reservations(30);
    const token = reservations.reserve('g')!;
    reservations.open(token);
    await sleep(80);
    expect(reservations.find(token, 'g')).toEqual({ grantId: 'g', open: true, timer: expect.anything() });
    reservations.release(token);
    expect(reservations.size).toBe(0);
  });

  it("a reservation is another grant's to know nothing of", () => {
    const reservations = new Reservations();
    const token = reservations.reserve('mine')!;
    expect(reservations.find(token, 'theirs')).toBeUndefined();
    expect(reservations.find(token, 'mine')).toMatchObject({ grantId: 'mine', open: false });
    reservations.clear();
  });
});
