/**
 * One interface for where datasets come from, whatever the kind:
 *   - `local`: DuckDB in a worker over files on this computer (the generated sample, IT's
 *     DuckDB, CSV or Parquet files). Portico's row and column rules shape what leaves main,
 *     but anyone who can read the person's files can read the file: they protect the window,
 *     not the data (main/data/data-service.ts behind main/data/data-startup.ts);
 *   - `team`: PostgreSQL, each person connecting as themselves; the database's row-level
 *     security and column privileges decide (main/data/team-data.ts).
 * Both take the same query spec (allow-listed columns, filters, sort, search, paging) and
 * compile it to bound parameters. The data hub (main/data/data-hub.ts) routes by dataset.
 */
import type { ChannelInput, CountBucket, DataPage, DatasetSummary, ExportResult } from '../../preload/contract';
import type { Principal } from './principal';

export type DataQueryInput = ChannelInput<'data:query'>;
export type DataCountsInput = ChannelInput<'data:counts'>;
export type DataExportInput = ChannelInput<'data:export'>;

export interface DataSource {
  readonly kind: 'local' | 'team';
  owns(datasetId: string): boolean;
  listDatasets(principal: Principal): Promise<DatasetSummary[]> | DatasetSummary[];
  canExport(principal: Principal, datasetId: string): boolean;
  query(principal: Principal, input: DataQueryInput): Promise<DataPage>;
  counts(principal: Principal, input: DataCountsInput): Promise<CountBucket[]>;
  /** Refuses a bad export (permission, unknown or refused column) before the save dialog. */
  checkExport(principal: Principal, input: DataExportInput): Promise<void> | void;
  exportCsv(principal: Principal, input: DataExportInput, filePath: string): Promise<ExportResult>;
  close(): Promise<void>;
}
