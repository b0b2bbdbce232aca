import { describe, expect, it } from 'vitest';
import {
  MAX_SPACER_PX,
  PAGE_ROWS,
  ROW_HEIGHT,
  pagesFor,
  parseFilterText,
  scrollGeometry,
  visibleRows,
} from '../../../../renderer/src/lib/grid-window';

describe('grid window', () => {
  it('uses the real height while it fits, and a ratio beyond Chromium-safe heights', () => {
    expect(scrollGeometry(1000, 480)).toEqual({ spacerPx: 1000 * ROW_HEIGHT, scale: 1 });
    const big = scrollGeometry(5_000_000, 480);
    expect(big.spacerPx).toBe(MAX_SPACER_PX);
    expect(big.scale).toBeGreaterThan(1);
  });

  it('reaches the very last row of a scaled list at the bottom of the scrollbar', () => {
    const total = 5_000_000;
    const viewport = 480;
    const { spacerPx, scale } = scrollGeometry(total, viewport);
    const bottom = visibleRows(spacerPx - viewport, viewport, total, scale, 0);
    expect(bottom.end).toBe(total);
    // The last row's bottom edge is the spacer's bottom edge.
    expect(bottom.topPx + (total - bottom.first) * ROW_HEIGHT).toBeCloseTo(spacerPx, 0);
  });

  it('lists the rows on screen plus overscan, clamped to the list', () => {
    expect(visibleRows(0, 320, 1000, 1, 2)).toEqual({ first: 0, end: 13, topPx: 0 });
    const middle = visibleRows(3200, 320, 1000, 1, 2);
    expect(middle.first).toBe(98);
    expect(middle.end).toBe(113);
    expect(middle.topPx).toBe(98 * ROW_HEIGHT);
    expect(visibleRows(0, 320, 0, 1)).toEqual({ first: 0, end: 0, topPx: 0 });
    expect(visibleRows(10_000_000, 320, 1000, 1, 0).end).toBe(1000);
  });

  it('maps rows to the pages holding them', () => {
    expect(pagesFor(0, 10)).toEqual([0]);
    expect(pagesFor(PAGE_ROWS - 5, PAGE_ROWS + 5)).toEqual([0, 1]);
    expect(pagesFor(5, 5)).toEqual([]);
  });

  it('reads filter boxes: contains for text, comparisons for numbers and dates, errors for the rest', () => {
    expect(parseFilterText('  ', 'text')).toBeNull();
    expect(parseFilterText(' Ber ', 'text')).toEqual({ op: 'contains', value: 'Ber' });
    expect(parseFilterText('>=100', 'number')).toEqual({ op: 'gte', value: 100 });
    expect(parseFilterText('<= 2.5', 'number')).toEqual({ op: 'lte', value: 2.5 });
    expect(parseFilterText('42', 'number')).toEqual({ op: 'eq', value: 42 });
    expect(parseFilterText('>=2024-01-31', 'date')).toEqual({ op: 'gte', value: '2024-01-31' });
    expect(parseFilterText('lots', 'number')).toHaveProperty('error');
    expect(parseFilterText('>=', 'number')).toHaveProperty('error');
    expect(parseFilterText('31/01/2024', 'date')).toHaveProperty('error');
  });
});
