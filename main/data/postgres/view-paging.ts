/**
 * Paging state of one person's view (filters, search, sort) of a postgres dataset: the grid
 * asks for rows by offset, the database is asked by keyset. Every page served leaves its last
 * row's sort keys as a boundary at the offset that follows it, so scrolling on asks "after
 * these keys"; a small gap (a fast scroll) adds a short OFFSET after the nearest boundary. A
 * jump far away (dragging the scrollbar) is served once with a long OFFSET, and starts the
 * anchors in the background: the keys of every ANCHOR_EVERY-th row, read in one pass (which
 * also gives the exact count), so that every later jump is a short keyset walk.
 */
import type { PageStart } from './pg-query-compiler';

export type SortKeys = readonly (string | null)[];

/** A gap up to this many rows is skipped with OFFSET after the nearest boundary. */
export const MAX_SKIP = 2_000;
/** Anchor spacing: a jump skips fewer rows than this after its anchor. */
export const ANCHOR_EVERY = 2_000;
/** Boundaries kept per view (oldest dropped first). */
const MAX_BOUNDARIES = 5_000;

export interface Anchors {
  /** Offset -> the keys of the row just before it. */
  at: Map<number, SortKeys>;
  total: number;
}

export interface CountState {
  value: number;
  exact: boolean;
}

export class ViewPaging {
  private readonly boundaries = new Map<number, SortKeys>();
  anchors: Promise<Anchors> | null = null;
  /** The anchors once read (a page never waits for them). */
  readyAnchors: Anchors | null = null;
  /** The exact count once known (from a count query or the anchors). */
  exactCount: Promise<number | null> | null = null;
  knownCount: number | null = null;

  /** Records that the row before `offset` has these keys. */
  remember(offset: number, keys: SortKeys): void {
    if (offset <= 0) return;
    this.boundaries.delete(offset);
    this.boundaries.set(offset, keys);
    while (this.boundaries.size > MAX_BOUNDARIES) this.boundaries.delete(this.boundaries.keys().next().value!);
  }

  /** Where a page at `offset` can start from what is known, or null when a jump needs anchors. */
  startFor(offset: number, anchors: Anchors | null = null): PageStart | null {
    const start = this.nearest(offset, anchors);
    return start.skip > MAX_SKIP ? null : start;
  }

  /** The nearest known start before `offset`, however far (a long OFFSET when nothing is near). */
  nearest(offset: number, anchors: Anchors | null = null): PageStart {
    if (offset === 0) return { after: null, skip: 0 };
    let best = 0;
    let keys: SortKeys | null = null;
    const consider = (at: number, k: SortKeys) => {
      if (at <= offset && at > best) {
        best = at;
        keys = k;
      }
    };
    for (const [at, k] of this.boundaries) consider(at, k);
    if (anchors) for (const [at, k] of anchors.at) consider(at, k);
    return { after: keys, skip: offset - best };
  }
}

/** The anchor query's rows `[k0..kn, rn, last]` as anchors (offset rn: after row rn). */
export function anchorsFromRows(rows: readonly (readonly (string | null)[])[], keyCount: number): Anchors {
  const at = new Map<number, SortKeys>();
  let total = 0;
  for (const row of rows) {
    const rn = Number(row[keyCount]);
    at.set(rn, row.slice(0, keyCount));
    if (row[keyCount + 1] === 't' || row[keyCount + 1] === 'true') total = rn;
  }
  return { at, total };
}
