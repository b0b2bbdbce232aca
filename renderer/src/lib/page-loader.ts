/**
 * Server-side paging for the virtual grid, without React: which pages are cached, loading
 * and wanted. A fast scroll asks for many pages; only the ones still wanted when a request
 * slot frees are fetched, so the last page never waits behind pages already scrolled past.
 * A new query drops everything, and answers for an older query are ignored.
 */
import type { CellValue, DataPage, IpcError, IpcResult } from '../../../preload/contract';
import { PAGE_ROWS, pagesFor } from './grid-window';

/** Pages kept in memory; the ones farthest from the view go first. */
export const MAX_CACHED_PAGES = 60;
/** Page requests in flight at once. */
export const MAX_IN_FLIGHT = 2;
/** While the total is an estimate, the first visible page is asked again this often for the exact count. */
export const ESTIMATE_RECHECK_MS = 1000;
const MAX_ESTIMATE_RECHECKS = 60;

export type FetchPage<Q> = (query: Q, offset: number, limit: number) => Promise<IpcResult<DataPage>>;

export interface PageUpdate<Q> {
  query: Q;
  total: number | null;
  /** The total is the database's estimate (team datasets, until the exact count is known). */
  estimated?: boolean;
  error: IpcError | null;
}

export class PageLoader<Q> {
  private cache = new Map<number, CellValue[][]>();
  private loading = new Set<number>();
  private wanted: number[] = [];
  private generation = 0;
  private query: Q | null = null;
  private total: number | null = null;
  private estimated = false;
  private recheck: ReturnType<typeof setTimeout> | null = null;
  /** Cached pages to fetch again (for the exact count). */
  private stale = new Set<number>();
  private rechecks = 0;

  constructor(
    private readonly fetchPage: FetchPage<Q>,
    private readonly onUpdate: (update: PageUpdate<Q>) => void,
  ) {}

  setQuery(query: Q | null): void {
    this.generation++;
    this.query = query;
    this.cache = new Map();
    this.loading = new Set();
    this.total = null;
    this.estimated = false;
    this.rechecks = 0;
    this.stale = new Set();
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = null;
    this.wanted = [0];
    this.pump();
  }

  /** The grid's visible rows changed: load the pages that hold them. */
  show(first: number, end: number): void {
    this.wanted = pagesFor(first, end);
    this.pump();
  }

  row(index: number): CellValue[] | undefined {
    return this.cache.get(Math.floor(index / PAGE_ROWS))?.[index % PAGE_ROWS];
  }

  /** Requests in flight (for tests). */
  get inFlight(): number {
    return this.loading.size;
  }

  private pump(): void {
    const query = this.query;
    if (query === null) return;
    for (const page of this.wanted) {
      if (this.loading.size >= MAX_IN_FLIGHT) return;
      if ((this.cache.has(page) && !this.stale.has(page)) || this.loading.has(page)) continue;
      this.stale.delete(page);
      const generation = this.generation;
      this.loading.add(page);
      void this.fetchPage(query, page * PAGE_ROWS, PAGE_ROWS).then((result) => {
        if (generation !== this.generation) return;
        this.loading.delete(page);
        if (result.ok) {
          this.cache.set(page, result.value.rows);
          this.total = result.value.total;
          this.estimated = result.value.totalIsEstimate === true;
          this.evictFarPages();
        }
        this.onUpdate({
          query,
          total: this.total,
          ...(this.estimated ? { estimated: true } : {}),
          error: result.ok ? null : result,
        });
        if (result.ok && this.estimated) this.scheduleRecheck();
        this.pump();
      });
    }
  }

  /**
   * The total was an estimate (a team database still counting): the first visible page is
   * fetched again a little later, so that the exact count replaces it without a scroll.
   */
  private scheduleRecheck(): void {
    if (this.recheck || this.rechecks >= MAX_ESTIMATE_RECHECKS) return;
    const generation = this.generation;
    this.recheck = setTimeout(() => {
      this.recheck = null;
      if (generation !== this.generation || !this.estimated) return;
      this.rechecks++;
      const page = this.wanted[0] ?? 0;
      // Asked again while its rows stay on screen.
      this.stale.add(page);
      this.pump();
    }, ESTIMATE_RECHECK_MS);
  }

  private evictFarPages(): void {
    if (this.cache.size <= MAX_CACHED_PAGES) return;
    const centre = this.wanted[0] ?? 0;
    const byDistance = [...this.cache.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of byDistance.slice(0, this.cache.size - MAX_CACHED_PAGES)) this.cache.delete(page);
  }
}
