/**
 * Row counts of local datasets, kept per (dataset, scope, filters, search) so that scrolling
 * runs one count, most recently used kept longest. Parquet files are read in place and may
 * change: a count is not kept forever. A failed count is not kept.
 */
export class CountCache {
  private readonly totals = new Map<string, { at: number; total: Promise<number> }>();

  constructor(
    private readonly size = 500,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, count: () => Promise<number>): Promise<number> {
    const now = this.now();
    const hit = this.totals.get(key);
    if (hit && now - hit.at < this.ttlMs) {
      // Most recently used last: the oldest entry is the first to go.
      this.totals.delete(key);
      this.totals.set(key, hit);
      return hit.total;
    }
    const total = count();
    this.totals.set(key, { at: now, total });
    total.catch(() => this.totals.delete(key));
    while (this.totals.size > this.size) this.totals.delete(this.totals.keys().next().value!);
    return total;
  }
}
