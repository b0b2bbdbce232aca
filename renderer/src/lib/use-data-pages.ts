import { useCallback, useEffect, useRef, useState } from 'react';
import type { CellValue, ChannelPayload, IpcError } from '../../../preload/contract';
import { PAGE_ROWS, pagesFor } from './grid-window';

/** What the grid shows: a dataset with filters, search and sort (no paging). */
export type DataViewQuery = Omit<ChannelPayload<'data:query'>, 'offset' | 'limit'>;

/** Pages kept in memory; the ones farthest from the view go first. */
const MAX_CACHED_PAGES = 60;

export interface DataPages {
  /** Rows matching the query in this user's scope; null until the first page arrives. */
  total: number | null;
  error: IpcError | null;
  /** Row `index`, or undefined while its page loads. */
  row: (index: number) => CellValue[] | undefined;
  /** The grid's visible rows changed: load the pages that hold them. */
  show: (first: number, end: number) => void;
  /** Bumps when a page arrives (for effects that depend on loaded rows). */
  version: number;
}

/**
 * Server-side paging for the virtual grid. A new query drops every cached page; answers
 * for an older query are ignored, so a slow page can never paint over newer filters.
 */
export function useDataPages(query: DataViewQuery | null, onError: (error: IpcError) => void): DataPages {
  // Answers are tagged with their query: an answer for another query reads as "loading".
  const [answer, setAnswer] = useState<{
    query: DataViewQuery | null;
    total: number | null;
    error: IpcError | null;
    version: number;
  }>({ query: null, total: null, error: null, version: 0 });
  const cache = useRef(new Map<number, CellValue[][]>());
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const wanted = useRef<number[]>([]);
  const queryRef = useRef(query);

  const load = useCallback(
    (page: number) => {
      const current = queryRef.current;
      if (!current || cache.current.has(page) || loading.current.has(page)) return;
      const gen = generation.current;
      loading.current.add(page);
      void window.portico.queryData({ ...current, offset: page * PAGE_ROWS, limit: PAGE_ROWS }).then((result) => {
        if (gen !== generation.current) return;
        loading.current.delete(page);
        if (!result.ok) {
          setAnswer((a) => ({
            query: current,
            total: a.query === current ? a.total : null,
            error: result,
            version: a.version + 1,
          }));
          onError(result);
          return;
        }
        cache.current.set(page, result.value.rows);
        evictFarPages(cache.current, wanted.current);
        setAnswer((a) => ({ query: current, total: result.value.total, error: null, version: a.version + 1 }));
      });
    },
    [onError],
  );

  useEffect(() => {
    queryRef.current = query;
    generation.current++;
    cache.current = new Map();
    loading.current = new Set();
    if (query) load(0);
  }, [query, load]);

  const show = useCallback(
    (first: number, end: number) => {
      wanted.current = pagesFor(first, end);
      for (const page of wanted.current) load(page);
    },
    [load],
  );

  const row = useCallback((index: number) => cache.current.get(Math.floor(index / PAGE_ROWS))?.[index % PAGE_ROWS], []);

  const current = answer.query === query;
  return { total: current ? answer.total : null, error: current ? answer.error : null, row, show, version: answer.version };
}

function evictFarPages(cache: Map<number, unknown>, wanted: number[]): void {
  if (cache.size <= MAX_CACHED_PAGES) return;
  const centre = wanted[0] ?? 0;
  const byDistance = [...cache.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
  for (const page of byDistance.slice(0, cache.size - MAX_CACHED_PAGES)) cache.delete(page);
}
