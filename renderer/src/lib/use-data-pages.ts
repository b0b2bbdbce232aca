import { useCallback, useEffect, useState } from 'react';
import type { CellValue, ChannelPayload, IpcError } from '../../../preload/contract';
import { PageLoader, type PageUpdate } from './page-loader';

/** What the grid shows: a dataset with filters, search and sort (no paging). */
export type DataViewQuery = Omit<ChannelPayload<'data:query'>, 'offset' | 'limit'>;

export interface DataPages {
  /** Rows matching the query in this user's scope; null until the first page arrives. */
  total: number | null;
  /** `total` is an estimate: shown as "about". */
  estimated: boolean;
  error: IpcError | null;
  /** Row `index`, or undefined while its page loads. */
  row: (index: number) => CellValue[] | undefined;
  /** The grid's visible rows changed: load the pages that hold them. */
  show: (first: number, end: number) => void;
}

/** The grid's pages for `query`, loaded through `window.portico.queryData`. */
export function useDataPages(query: DataViewQuery | null, onError: (error: IpcError) => void): DataPages {
  // Answers are tagged with their query: an answer for another query reads as "loading".
  // Each arriving page is a new update object, so the grid renders its rows.
  const [answer, setAnswer] = useState<PageUpdate<DataViewQuery | null>>({ query: null, total: null, error: null });
  const [loader] = useState(
    () => new PageLoader<DataViewQuery>((q, offset, limit) => window.portico.queryData({ ...q, offset, limit }), setAnswer),
  );
  // A failed page (e.g. the session ended) goes to the screen's handler once per answer.
  useEffect(() => {
    if (answer.error) onError(answer.error);
  }, [answer.error, onError]);

  useEffect(() => loader.setQuery(query), [loader, query]);
  const show = useCallback((first: number, end: number) => loader.show(first, end), [loader]);
  const row = useCallback((index: number) => loader.row(index), [loader]);

  const current = answer.query === query;
  return {
    total: current ? answer.total : null,
    estimated: current ? answer.estimated === true : false,
    error: current ? answer.error : null,
    row,
    show,
  };
}
