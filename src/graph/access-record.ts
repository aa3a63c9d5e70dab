/**
 * What one request read of the viewer's data: the categories it touched and how many objects of
 * them it returned. The scope gate fills it in as fields resolve; the access log writes it.
 */
export class AccessRecord {
  readonly categories = new Set<string>();
  items = 0;

  /** Notes a read of `category`, returning `items` objects of it. */
  record(category: string, items: number): void {
    this.categories.add(category);
    this.items += items;
  }
}
