import { describe, expect, it, vi } from 'vitest';
import { ESTIMATE_RECHECK_MS, MAX_IN_FLIGHT, PageLoader, type PageUpdate } from '../../../../renderer/src/lib/page-loader';
import { PAGE_ROWS } from '../../../../renderer/src/lib/grid-window';
import type { DataPage, IpcResult } from '../../../../preload/contract';

/** Page requests the test answers by hand, in any order. */
function controlledFetch() {
  const requests: { query: string; offset: number; answer: (result: IpcResult<DataPage>) => void }[] = [];
  const fetch = (query: string, offset: number, limit: number) =>
    new Promise<IpcResult<DataPage>>((resolve) => {
      expect(limit).toBe(PAGE_ROWS);
      requests.push({ query, offset, answer: resolve });
    });
  const page = (offset: number, total = 100_000): IpcResult<DataPage> => ({
    ok: true,
    value: { datasetId: 'd', columns: ['id'], rows: Array.from({ length: PAGE_ROWS }, (_, i) => [offset + i]), offset, total },
  });
  return { requests, fetch, page };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PageLoader', () => {
  it('loads the first page of a query and reports the total', async () => {
    const { requests, fetch, page } = controlledFetch();
    const updates: PageUpdate<string>[] = [];
    const loader = new PageLoader(fetch, (u) => updates.push(u));
    loader.setQuery('q1');
    expect(requests.map((r) => r.offset)).toEqual([0]);
    requests[0]!.answer(page(0));
    await settle();
    expect(updates).toEqual([{ query: 'q1', total: 100_000, error: null }]);
    expect(loader.row(5)).toEqual([5]);
    expect(loader.row(PAGE_ROWS)).toBeUndefined();
  });

  it('keeps at most MAX_IN_FLIGHT requests, and skips pages scrolled past before a slot freed', async () => {
    const { requests, fetch, page } = controlledFetch();
    const loader = new PageLoader(fetch, () => undefined);
    loader.setQuery('q');
    requests[0]!.answer(page(0));
    await settle();
    // A fast scroll: each step wants other pages.
    for (let p = 10; p < 400; p += 10) loader.show(p * PAGE_ROWS, p * PAGE_ROWS + 20);
    expect(loader.inFlight).toBe(MAX_IN_FLIGHT);
    expect(requests.map((r) => r.offset / PAGE_ROWS)).toEqual([0, 10, 20]);
    // Where the scroll stopped is what loads next, not the pages in between.
    requests[1]!.answer(page(10 * PAGE_ROWS));
    await settle();
    expect(requests.map((r) => r.offset / PAGE_ROWS)).toEqual([0, 10, 20, 390]);
  });

  it('ignores answers for an older query and starts the new one from page 0', async () => {
    const { requests, fetch, page } = controlledFetch();
    const updates: PageUpdate<string>[] = [];
    const loader = new PageLoader(fetch, (u) => updates.push(u));
    loader.setQuery('old');
    loader.setQuery('new');
    expect(requests.map((r) => [r.query, r.offset])).toEqual([
      ['old', 0],
      ['new', 0],
    ]);
    requests[0]!.answer(page(0, 999));
    await settle();
    expect(updates).toEqual([]);
    expect(loader.row(0)).toBeUndefined();
    requests[1]!.answer(page(0, 42));
    await settle();
    expect(updates).toEqual([{ query: 'new', total: 42, error: null }]);
  });

  it('reports a failed page and can load it again when asked', async () => {
    const { requests, fetch, page } = controlledFetch();
    const updates: PageUpdate<string>[] = [];
    const loader = new PageLoader(fetch, (u) => updates.push(u));
    loader.setQuery('q');
    requests[0]!.answer({ ok: false, code: 'DATA_UNAVAILABLE', message: 'Try again.' });
    await settle();
    expect(updates[0]).toMatchObject({ total: null, error: { code: 'DATA_UNAVAILABLE' } });
    loader.show(0, 10);
    expect(requests).toHaveLength(2);
    requests[1]!.answer(page(0));
    await settle();
    expect(loader.row(0)).toEqual([0]);
  });

  it('keeps a bounded number of pages, dropping the farthest from the view', async () => {
    const { requests, fetch, page } = controlledFetch();
    const loader = new PageLoader(fetch, () => undefined);
    loader.setQuery('q');
    for (let p = 0; p < 80; p++) {
      loader.show(p * PAGE_ROWS, p * PAGE_ROWS + 1);
      const pending = requests.filter((r) => r.offset === p * PAGE_ROWS).at(-1);
      pending?.answer(page(p * PAGE_ROWS));
      await settle();
    }
    expect(loader.row(79 * PAGE_ROWS)).toEqual([79 * PAGE_ROWS]);
    expect(loader.row(0)).toBeUndefined();
  });
});

describe('PageLoader with an estimated total', () => {
  it('asks for the first visible page again until the total is exact, keeping its rows meanwhile', async () => {
    vi.useFakeTimers();
    try {
      let exact = false;
      const calls: number[] = [];
      const updates: { total: number | null; estimated?: boolean }[] = [];
      const loader = new PageLoader<string>(
        async (_q, offset) => {
          calls.push(offset);
          return {
            ok: true,
            value: {
              datasetId: 'd',
              columns: ['a'],
              rows: [[offset]],
              offset,
              total: exact ? 120 : 9000,
              totalIsEstimate: !exact,
            },
          };
        },
        (u) => updates.push(u),
      );
      loader.setQuery('q');
      await vi.advanceTimersByTimeAsync(0);
      expect(updates.at(-1)).toMatchObject({ total: 9000, estimated: true });
      exact = true;
      await vi.advanceTimersByTimeAsync(ESTIMATE_RECHECK_MS);
      expect(calls).toEqual([0, 0]);
      expect(loader.row(0)).toEqual([0]);
      expect(updates.at(-1)).toMatchObject({ total: 120 });
      expect(updates.at(-1)?.estimated).toBeUndefined();
      await vi.advanceTimersByTimeAsync(ESTIMATE_RECHECK_MS * 3);
      expect(calls).toEqual([0, 0]);
    } finally {
      vi.useRealTimers();
    }
  });
});
