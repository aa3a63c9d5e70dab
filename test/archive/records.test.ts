import { isoTime } from '../../src/archive/records.js';

describe('isoTime', () => {
  it('writes what Date#toISOString writes, across the whole range of dates', () => {
    const times = [0, -1, 1, 999, 86_399_999, 86_400_000, -86_400_001, 1_600_000_000_123, 253_402_300_799_999, 253_402_300_800_000, -62_198_755_200_001, 8.64e15, -8.64e15, 1.5, -0.5];
    // A spread of times through the range, in both orders, so the cached day is hit and missed.
    for (let i = 0; i < 20_000; i++) times.push(Math.round(-8.64e15 + i * 8.64e11 + (i % 97) * 3_600_007));
    for (let i = 0; i < 20_000; i++) times.push(1_700_000_000_000 - i * 4_321_007);
    expect(times.filter((ms) => isoTime(ms) !== new Date(ms).toISOString())).toEqual([]);
  });
});
