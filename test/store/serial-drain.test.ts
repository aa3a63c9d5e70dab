import { SerialDrain } from '../../src/store/index.js';

describe('SerialDrain', () => {
  it('runs one at a time, and once more after a run however often it was woken during it', async () => {
    let runs = 0;
    let concurrent = 0;
    let most = 0;
    let release!: () => void;
    const drain = new SerialDrain(async () => {
      runs++;
      most = Math.max(most, ++concurrent);
      await new Promise<void>((resolve) => (release = resolve));
      concurrent--;
    }, fail);
    drain.wake();
    drain.wake();
    drain.wake();
    drain.wake();
    expect(runs).toBe(1);
    release();
    await until(() => runs === 2);
    release();
    await drain.settled();
    expect([runs, most]).toEqual([2, 1]);
  });

  it('hands a failure to onError and runs again when woken', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const drain = new SerialDrain(async () => {
      if (++runs === 1) throw new Error('the store is down');
    }, (error) => errors.push(error));
    drain.wake();
    await drain.settled();
    drain.wake();
    await drain.settled();
    expect([runs, errors.map((e) => (e as Error).message)]).toEqual([2, ['the store is down']]);
  });
});

function fail(error: unknown): never {
  throw error;
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(done()).toBe(true);
}
