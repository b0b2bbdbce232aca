import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CountBucket, DatasetSummary, IpcError } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { StatusMessage } from '../../components/StatusMessage';
import { isSessionLost } from '../../lib/api-errors';
import { parseFilterText } from '../../lib/grid-window';
import { createNotice, type Notice } from '../../lib/notice';
import { useDataPages, type DataViewQuery } from '../../lib/use-data-pages';
import { CountsChart } from './CountsChart';
import { DataGrid, type SortState } from './DataGrid';
import { TeamConnection } from './TeamConnection';

const integer = new Intl.NumberFormat();
/** Typing pauses this long before a search or filter runs. */
const TYPING_PAUSE_MS = 250;
/** While main is still opening the datasets (DATA_LOADING), the list is asked for again this often. */
const LOADING_RETRY_MS = 1000;

/** The data view: the datasets this user may read, each through main's row and column rules. */
export function DataScreen({ onSessionEnd }: { onSessionEnd: (message: string) => void }) {
  const [datasets, setDatasets] = useState<DatasetSummary[] | null>(null);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);

  const handleError = useCallback(
    (error: IpcError) => {
      if (isSessionLost(error)) onSessionEnd(error.message);
    },
    [onSessionEnd],
  );

  useEffect(() => {
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      void window.portico.listDatasets().then((result) => {
        if (cancelled) return;
        if (!result.ok) {
          // Main is still opening the datasets: not an error, ask again shortly.
          if (result.code === 'DATA_LOADING') {
            retry = setTimeout(load, LOADING_RETRY_MS);
            return;
          }
          handleError(result);
          setLoadError(result);
          return;
        }
        setDatasets(result.value);
        const first = result.value.find((d) => d.status === 'ready') ?? result.value[0];
        setSelectedId((id) => id ?? first?.id ?? null);
      });
    load();
    return () => {
      cancelled = true;
      clearTimeout(retry);
    };
  }, [handleError]);

  if (loadError) return <AlertMessage message={loadError.message} />;
  if (!datasets) return <p className="loading">Loading data…</p>;
  const dataset = datasets.find((d) => d.id === selectedId) ?? datasets[0];
  if (!dataset) return <p className="muted">No datasets are available to you. Ask your Portico administrator.</p>;
  return (
    <section className="data-view" aria-labelledby="data-heading">
      <div className="data-title">
        <h2 id="data-heading">{dataset.name}</h2>
        {datasets.length > 1 ? (
          <label className="dataset-picker">
            Dataset{' '}
            <select value={dataset.id} onChange={(event) => setSelectedId(event.target.value)}>
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.status === 'failed' ? `${d.name} (not available)` : d.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      {dataset.description ? <p className="muted">{dataset.description}</p> : null}
      {dataset.kind === 'team' && dataset.connection ? (
        <TeamConnection
          key={`${dataset.id}-${dataset.connection.state}`}
          dataset={{ ...dataset, connection: dataset.connection }}
          onChanged={(changed) => setDatasets((list) => list?.map((d) => (d.id === changed.id ? changed : d)) ?? null)}
          onError={handleError}
        />
      ) : null}
      {dataset.kind === 'team' && dataset.connection?.state !== 'connected' ? null : dataset.status === 'failed' ? (
        <AlertMessage
          key={dataset.id}
          takeFocus={datasets.length === 1}
          message={`This dataset could not be opened. ${dataset.error ?? ''} Ask IT to check its configuration.`}
        />
      ) : (
        <DatasetView key={dataset.id} dataset={dataset} onError={handleError} />
      )}
    </section>
  );
}

function DatasetView({ dataset, onError }: { dataset: DatasetSummary; onError: (error: IpcError) => void }) {
  const [search, setSearch] = useState('');
  const [filterText, setFilterText] = useState<Record<string, string>>({});
  const [sort, setSort] = useState<SortState | null>(null);
  const [applied, setApplied] = useState({ search: '', filterText: {} as Record<string, string> });
  const [chart, setChart] = useState<{ key: string; buckets: CountBucket[] } | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  // Searches and filters run when typing pauses, not on every key.
  useEffect(() => {
    // Same text, same object: an unchanged query must not reload the grid.
    const timer = setTimeout(
      () =>
        setApplied((a) =>
          a.search === search && JSON.stringify(a.filterText) === JSON.stringify(filterText) ? a : { search, filterText },
        ),
      TYPING_PAUSE_MS,
    );
    return () => clearTimeout(timer);
  }, [search, filterText]);

  const { filters, filterErrors } = useMemo(() => {
    const out: NonNullable<DataViewQuery['filters']> = [];
    const errors: Record<string, string> = {};
    for (const column of dataset.columns) {
      const kind = column.type === 'text' ? 'text' : column.type === 'date' ? 'date' : 'number';
      const parsed = parseFilterText(applied.filterText[column.name] ?? '', kind);
      if (!parsed) continue;
      if ('error' in parsed) errors[column.name] = parsed.error;
      else out.push({ column: column.name, ...parsed });
    }
    return { filters: out, filterErrors: errors };
  }, [applied, dataset.columns]);

  const query = useMemo<DataViewQuery>(
    () => ({ datasetId: dataset.id, filters, search: applied.search, sort: sort ? [sort] : [] }),
    [dataset.id, filters, applied.search, sort],
  );
  const pages = useDataPages(query, onError);
  const chartColumn = dataset.chartColumns[0] ?? null;
  const chartLabel = dataset.columns.find((c) => c.name === chartColumn)?.label ?? chartColumn;

  const chartRequest = useMemo(
    () =>
      chartColumn ? { datasetId: query.datasetId, filters: query.filters, search: query.search, column: chartColumn } : null,
    [query.datasetId, query.filters, query.search, chartColumn],
  );
  const chartKey = JSON.stringify(chartRequest);
  const buckets = chart?.key === chartKey ? chart.buckets : null;

  // The chart waits for the grid's first page: on a small machine the two would compete.
  const firstPageIn = pages.total !== null;
  useEffect(() => {
    if (!chartRequest || !firstPageIn) return;
    let cancelled = false;
    const key = JSON.stringify(chartRequest);
    void window.portico.countData(chartRequest).then((result) => {
      if (cancelled) return;
      if (!result.ok) onError(result);
      setChart({ key, buckets: result.ok ? result.value : [] });
    });
    return () => {
      cancelled = true;
    };
  }, [chartRequest, firstPageIn, onError]);

  function toggleSort(column: string) {
    setSort((current) =>
      current?.column !== column
        ? { column, direction: 'asc' }
        : current.direction === 'asc'
          ? { column, direction: 'desc' }
          : null,
    );
  }

  async function exportCsv() {
    setNotice(null);
    setExportError(null);
    setExporting(true);
    const result = await window.portico.exportData({
      datasetId: query.datasetId,
      filters: query.filters,
      search: query.search,
      sort: query.sort,
    });
    setExporting(false);
    if (!result.ok) {
      onError(result);
      setExportError(result.message);
    } else if (result.value) {
      setNotice(createNotice(`Exported ${integer.format(result.value.rows)} rows to ${result.value.fileName}.`));
    }
  }

  return (
    <>
      <p className="scope-note">
        {dataset.kind === 'team'
          ? `${dataset.rowScope ?? 'The team database decides which rows you see.'}`
          : dataset.rowScope
            ? `You see rows where ${dataset.rowScope}.`
            : 'You see every row.'}
        {dataset.columns.some((c) => c.masked) ? ' Personal data is masked for your role.' : ''}
      </p>
      <div className="data-toolbar">
        <label className="data-search">
          <span className="visually-hidden">Search {dataset.name}</span>
          <input type="search" placeholder="Search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </label>
        <p className="row-count" aria-live="polite">
          {pages.total === null
            ? 'Counting rows…'
            : pages.estimated
              ? `About ${integer.format(pages.total)} rows (estimate)`
              : `${integer.format(pages.total)} rows`}
        </p>
        {dataset.canExport ? (
          <button type="button" className="button button-secondary" onClick={() => void exportCsv()} disabled={exporting}>
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        ) : null}
      </div>
      <StatusMessage notice={notice} />
      {exportError ? <AlertMessage message={exportError} /> : null}
      {pages.error ? <AlertMessage message={pages.error.message} /> : null}
      <div className="data-layout">
        <DataGrid
          label={dataset.name}
          columns={dataset.columns}
          pages={pages}
          sort={sort}
          onSort={toggleSort}
          filterText={filterText}
          filterErrors={filterErrors}
          onFilterChange={(column, text) => setFilterText((current) => ({ ...current, [column]: text }))}
        />
        {chartColumn ? <CountsChart title={`Rows by ${chartLabel}`} buckets={buckets} /> : null}
      </div>
      {pages.total === 0 ? <p className="muted empty-state">No rows match. Clear the search or filters to see more.</p> : null}
    </>
  );
}
