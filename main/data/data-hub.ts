/**
 * What the data handlers talk to: the local datasets (DuckDB, started in the background:
 * DATA_LOADING until open) and the team datasets (PostgreSQL, per person), behind one
 * DataAccess, routed by dataset id. Every summary says which kind it is.
 */
import type { CountBucket, DataPage, DatasetSummary, ExportResult } from '../../preload/contract';
import type { DataAccess, DataStartup } from './data-startup';
import type { DataCountsInput, DataExportInput, DataQueryInput } from './data-source';
import type { Principal } from './principal';
import type { TeamData } from './team-data';

export class DataHub implements DataAccess {
  constructor(
    readonly local: DataStartup,
    readonly team: TeamData,
  ) {}

  /** Starts the local datasets in the background (team datasets need no start). */
  start(): Promise<void> {
    return this.local.start();
  }

  settled(): Promise<void> {
    return this.local.settled();
  }

  async listDatasets(principal: Principal): Promise<DatasetSummary[]> {
    const team = await this.team.listDatasets(principal);
    const local = (await this.local.listDatasets(principal)).map((d) => ({ ...d, kind: 'local' as const, connection: null }));
    return [...local, ...team.map((d) => ({ ...d, kind: 'team' as const }))];
  }

  canExport(principal: Principal, datasetId: string): boolean {
    return this.source(datasetId).canExport(principal, datasetId);
  }

  query(principal: Principal, input: DataQueryInput): Promise<DataPage> {
    return this.source(input.datasetId).query(principal, input);
  }

  counts(principal: Principal, input: DataCountsInput): Promise<CountBucket[]> {
    return this.source(input.datasetId).counts(principal, input);
  }

  async checkExport(principal: Principal, input: DataExportInput): Promise<void> {
    await this.source(input.datasetId).checkExport(principal, input);
  }

  exportCsv(principal: Principal, input: DataExportInput, filePath: string): Promise<ExportResult> {
    return this.source(input.datasetId).exportCsv(principal, input, filePath);
  }

  async close(): Promise<void> {
    await Promise.all([this.local.close(), this.team.close()]);
  }

  private source(datasetId: string): DataAccess {
    return this.team.owns(datasetId) ? this.team : this.local;
  }
}
