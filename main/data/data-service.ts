/**
 * The data service for local datasets: answers list / page / counts / export requests for a
 * principal with the contract's types, over what the local catalog opened (local-catalog.ts).
 * Security is applied by the query builder; this layer adds the count cache (count-cache.ts),
 * time limits and error mapping; exports are written by export-file.ts.
 *
 * Time limits (`data.queryTimeoutSeconds`): a page, count or chart query running longer is
 * interrupted in the worker and fails with DATA_UNAVAILABLE, asking to narrow the filters. An
 * export streams for as long as it takes: only its start or one batch taking
 * EXPORT_STEP_TIMEOUT_FACTOR times that limit stops it (EXPORT_FAILED).
 */
import type { CellValue, CountBucket, DataPage, DatasetSummary, ExportResult } from '../../preload/contract';
import { AppError } from '../errors';
import { CountCache } from './count-cache';
import type { DataCountsInput, DataExportInput, DataQueryInput } from './data-source';
import { DataEngineError, QueryTimeoutError, type Cell } from './data-engine';
import { describeLimit, failedDatasetSummary } from './open-failure';
import type { DatasetDef } from './dataset';
import { writeCsvExport } from './export-file';
import { mapExportWriteError } from './export-errors';
import { openLocalCatalog, type DataServiceOptions, type LocalCatalog } from './local-catalog';
import type { Principal } from './principal';
import {
  buildCountQuery,
  buildCountsQuery,
  buildExportQuery,
  buildPageQuery,
  findDataset,
  summarizeDataset,
  type SqlQuery,
} from './query-builder';

export type { DataCountsInput, DataExportInput, DataQueryInput } from './data-source';
export { isLocalDataset, type DataServiceOptions, type LocalDatasetConfig } from './local-catalog';

/** Rows pulled from the worker per export batch: bounds main's memory, whatever the size. */
const EXPORT_BATCH_ROWS = 2048;

export class DataService {
  private readonly totals = new CountCache();

  private constructor(private readonly catalog: LocalCatalog) {}

  /** The DuckDB engine the catalog opened (tests reach it to observe or disturb queries). */
  private get engine() {
    return this.catalog.engine;
  }

  /** Opens the local catalog (see local-catalog.ts) and serves it. */
  static async start(options: DataServiceOptions): Promise<DataService> {
    return new DataService(await openLocalCatalog(options));
  }

  /**
   * Every dataset, with only the columns this principal may see; one that did not open is
   * listed with its reason (`status: 'failed'`), so that it does not silently vanish.
   */
  listDatasets(principal: Principal): DatasetSummary[] {
    return this.catalog.order.map((id) => {
      const ds = this.catalog.datasets.get(id);
      if (ds) return summarizeDataset(ds, principal, { exportAllowed: this.catalog.config.exportAllowed });
      const failed = this.catalog.failed.get(id)!;
      return failedDatasetSummary(id, failed.name, failed.reason);
    });
  }

  /** Whether this principal may export this dataset (policy and permission). */
  canExport(principal: Principal, datasetId: string): boolean {
    this.dataset(datasetId);
    return this.catalog.config.exportAllowed && principal.permissions.includes('data.export');
  }

  async query(principal: Principal, input: DataQueryInput): Promise<DataPage> {
    const dataset = this.dataset(input.datasetId);
    const page = buildPageQuery(dataset, principal, input);
    const count = buildCountQuery(dataset, principal, input);
    // The page and (when not cached) the count run at once, on two connections.
    const [result, total] = await Promise.all([this.run(page), this.total(count)]);
    return {
      datasetId: dataset.id,
      columns: page.columns,
      rows: result.rows.map((row) => row.map(toCellValue)),
      offset: input.offset,
      total,
    };
  }

  async counts(principal: Principal, input: DataCountsInput): Promise<CountBucket[]> {
    const dataset = this.dataset(input.datasetId);
    const result = await this.run(buildCountsQuery(dataset, principal, input));
    return result.rows.map(([value, count]) => ({
      value: value === null || value === undefined ? null : String(value),
      count: Number(count),
    }));
  }

  /** Checks an export request (dataset, columns, permission) without running it. */
  checkExport(principal: Principal, input: DataExportInput): void {
    const dataset = this.dataset(input.datasetId);
    if (!this.canExport(principal, dataset.id)) {
      throw new AppError('PERMISSION_DENIED', 'Exporting is not allowed for your account. Ask IT if you need it.');
    }
    buildExportQuery(dataset, principal, input);
  }

  /**
   * Streams the rows as CSV to `filePath` (export-file.ts: a temporary file renamed once
   * complete): batches are pulled from the worker as they are written, never all rows in memory.
   */
  async exportCsv(principal: Principal, input: DataExportInput, filePath: string): Promise<ExportResult> {
    this.checkExport(principal, input);
    const query = buildExportQuery(this.dataset(input.datasetId), principal, input);
    const { engine, limits, log } = this.catalog;
    async function* batches(): AsyncGenerator<Cell[][]> {
      // Not the page limit: an export streams for as long as rows keep coming.
      const stream = await engine.stream(query.sql, query.params, { timeoutMs: limits.exportStepMs });
      try {
        for (;;) {
          const batch = await stream.next(EXPORT_BATCH_ROWS);
          if (batch.rows.length) yield batch.rows;
          if (batch.done) return;
        }
      } finally {
        await stream.close();
      }
    }
    try {
      return await writeCsvExport(filePath, query.columns, batches() as AsyncIterable<CellValue[][]>);
    } catch (error) {
      if (error instanceof AppError) throw error;
      log.error('Export failed', { dataset: input.datasetId, error: error instanceof Error ? error.message : String(error) });
      if (error instanceof QueryTimeoutError) {
        throw new AppError(
          'EXPORT_FAILED',
          `The export stopped: the data engine sent no rows for ${describeLimit(limits.exportStepMs)}. Narrow the filters or the search, then export again.`,
        );
      }
      throw mapExportWriteError(error);
    }
  }

  async close(): Promise<void> {
    await this.engine.close();
  }

  private dataset(id: string): DatasetDef {
    const failed = this.catalog.failed.get(id);
    if (failed) {
      throw new AppError(
        'DATA_UNAVAILABLE',
        `The dataset "${failed.name}" could not be opened. ${failed.reason} Ask IT to check its configuration.`,
      );
    }
    return findDataset(this.catalog.datasets, id);
  }

  private async run(query: SqlQuery) {
    try {
      return await this.engine.query(query.sql, query.params, { timeoutMs: this.catalog.limits.queryMs });
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /** Kept per (dataset, scope, filters, search): scrolling then runs one query. */
  private total(query: SqlQuery): Promise<number> {
    return this.totals.get(JSON.stringify([query.sql, query.params]), () =>
      this.run(query).then((r) => Number(r.rows[0]?.[0] ?? 0)),
    );
  }

  private mapError(error: unknown): Error {
    if (error instanceof AppError) return error;
    this.catalog.log.error('Data query failed', { error: error instanceof Error ? error.message : String(error) });
    if (error instanceof QueryTimeoutError) {
      return new AppError(
        'DATA_UNAVAILABLE',
        `The query took too long (over ${describeLimit(this.catalog.limits.queryMs)}) and was stopped. Narrow the filters or the search, then try again.`,
      );
    }
    if (error instanceof DataEngineError && /conversion|could not convert|out of range/i.test(error.message)) {
      return new AppError('INVALID_PAYLOAD', 'A filter value does not fit this column. Check the filters.');
    }
    return new AppError(
      'DATA_UNAVAILABLE',
      'Portico could not read this dataset just now. Try again; if it keeps failing, tell IT.',
    );
  }
}

function toCellValue(cell: Cell): CellValue {
  return typeof cell === 'boolean' ? String(cell) : cell;
}

export { describeLimit };
