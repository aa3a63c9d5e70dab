import { z } from 'zod';

/** A record's id: the platform's own, as the contract states. */
export const platformId = z.string().min(1).max(128);

/** An RFC 3339 time, kept as epoch milliseconds. */
export const rfc3339Millis = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));

/**
 * Parses records in the contract's shape, each tagged by `__typename`, with the given schemas,
 * or throws naming the first record that does not fit.
 */
export function parseRecords<T>(records: readonly unknown[], schema: z.ZodType<T>): T[] {
  return records.map((record, index) => {
    const parsed = schema.safeParse(record);
    if (!parsed.success) throw new Error(`record ${index + 1}: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  });
}
