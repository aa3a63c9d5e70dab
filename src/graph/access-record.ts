/**
 * What one request read of the viewer's data: the categories it touched and how many objects of
 * them it returned. The scope gate fills it in as fields resolve; the access log writes it.
 */
export class AccessRecord {
  readonly categories = new Set<string>();
  items = 0;
  readonly #counted = new WeakSet<object>();

  /** Notes a read of `category`, returning `items` objects of it. */
  record(category: string, items: number): void {
    this.categories.add(category);
    this.items += items;
  }

  /**
   * Notes one object read in `categories`, counted once, with everything read through it: a
   * change is one item whether or not its node is asked for, and a delete has none.
   */
  recordItem(categories: readonly string[], item: object): void {
    for (const category of categories) this.categories.add(category);
    if (this.#counted.has(item)) return;
    this.#counted.add(item);
    this.items++;
  }

  /** Adds what `other` noted: its categories, and its items to this record's count. */
  add(other: AccessRecord): void {
    for (const category of other.categories) this.categories.add(category);
    this.items += other.items;
  }

  /** Whether `item` was counted by {@link AccessRecord.recordItem}, so what it leads to is part of it. */
  counts(item: unknown): boolean {
    return typeof item === 'object' && item !== null && this.#counted.has(item);
  }
}
