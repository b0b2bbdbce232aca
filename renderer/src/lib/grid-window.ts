/**
 * Virtual scrolling over server-side pages: which rows are on screen, which pages hold
 * them, and how a very tall list maps onto a scrollbar Chromium can draw. Pure.
 */
export const ROW_HEIGHT = 32;
export const PAGE_ROWS = 200;
/**
 * Chromium caps an element's height near 33.5 million px (about 1M rows at 32 px). Above
 * this the spacer stays this tall and scroll positions map to rows by ratio.
 */
export const MAX_SPACER_PX = 12_000_000;

export interface ScrollGeometry {
  /** Height of the spacer element. */
  spacerPx: number;
  /** Virtual px per real scroll px (1 unless the list is taller than MAX_SPACER_PX). */
  scale: number;
}

export function scrollGeometry(total: number, viewportPx: number): ScrollGeometry {
  const virtualPx = total * ROW_HEIGHT;
  if (virtualPx <= MAX_SPACER_PX) return { spacerPx: virtualPx, scale: 1 };
  const scrollable = Math.max(1, MAX_SPACER_PX - viewportPx);
  return { spacerPx: MAX_SPACER_PX, scale: Math.max(1, virtualPx - viewportPx) / scrollable };
}

export interface VisibleRows {
  first: number;
  /** Exclusive. */
  end: number;
  /** Where row `first` is drawn, in spacer px. */
  topPx: number;
}

export function visibleRows(scrollTop: number, viewportPx: number, total: number, scale: number, overscan = 8): VisibleRows {
  if (total <= 0) return { first: 0, end: 0, topPx: 0 };
  const virtualTop = scrollTop * scale;
  const firstVisible = Math.min(total - 1, Math.max(0, Math.floor(virtualTop / ROW_HEIGHT)));
  const first = Math.max(0, firstVisible - overscan);
  const end = Math.min(total, firstVisible + Math.ceil(viewportPx / ROW_HEIGHT) + 1 + overscan);
  // Row `first` sits at its virtual offset, shifted so the viewport's rows line up with scrollTop.
  const topPx = scrollTop + (first * ROW_HEIGHT - virtualTop);
  return { first, end, topPx };
}

/** The page numbers holding rows [first, end). */
export function pagesFor(first: number, end: number): number[] {
  if (end <= first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(first / PAGE_ROWS); p <= Math.floor((end - 1) / PAGE_ROWS); p++) pages.push(p);
  return pages;
}

export type FilterOp = 'contains' | 'eq' | 'gte' | 'lte';

/**
 * What a user types in a column's filter box: text columns match by "contains"; number and
 * date columns accept `>=x`, `<=x`, `=x` or a bare value (equality).
 */
export function parseFilterText(
  text: string,
  kind: 'text' | 'number' | 'date',
): { op: FilterOp; value: string | number } | { error: string } | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (kind === 'text') return { op: 'contains', value: trimmed };
  const match = /^(>=|<=|=)?\s*(.+)$/.exec(trimmed)!;
  const op: FilterOp = match[1] === '>=' ? 'gte' : match[1] === '<=' ? 'lte' : 'eq';
  const raw = (match[2] ?? '').trim();
  if (kind === 'number') {
    const value = Number(raw);
    return Number.isFinite(value) && raw !== '' ? { op, value } : { error: 'Enter a number, optionally after >= or <=.' };
  }
  return /^\d{4}-\d{2}-\d{2}$/.test(raw)
    ? { op, value: raw }
    : { error: 'Enter a date as YYYY-MM-DD, optionally after >= or <=.' };
}
