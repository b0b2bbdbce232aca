/**
 * The data service, started in the background so that nothing in the data can hold up
 * Portico's start: sign-in and the other screens work at once, and the data channels answer
 * DATA_LOADING ("still loading") until the datasets are open, then go to the service. A
 * start that fails answers DATA_UNAVAILABLE. `close()` stops the worker even mid-start.
 */
import type { CountBucket, DataPage, DatasetSummary, ExportResult } from '../../preload/contract';
import { AppError } from '../errors';
import type { Logger } from '../platform';
import {
  DataService,
  type DataCountsInput,
  type DataExportInput,
  type DataQueryInput,
  type DataServiceOptions,
} from './data-service';
import type { Principal } from './principal';

/** What the handlers use of the data service. */
export interface DataAccess {
  listDatasets(principal: Principal): Promise<DatasetSummary[]> | DatasetSummary[];
  canExport(principal: Principal, datasetId: string): boolean;
  query(principal: Principal, input: DataQueryInput): Promise<DataPage>;
  counts(principal: Principal, input: DataCountsInput): Promise<CountBucket[]>;
  checkExport(principal: Principal, input: DataExportInput): Promise<void> | void;
  exportCsv(principal: Principal, input: DataExportInput, filePath: string): Promise<ExportResult>;
}

export type DataStartupState = 'idle' | 'loading' | 'ready' | 'failed' | 'closed';

export class DataStartup implements DataAccess {
  private state: DataStartupState = 'idle';
  private service: DataService | null = null;
  private started: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private readonly log: Logger;

  constructor(
    private readonly options: Omit<DataServiceOptions, 'signal'>,
    private readonly startService: (options: DataServiceOptions) => Promise<DataService> = (o) => DataService.start(o),
  ) {
    this.log = options.log ?? { info: () => undefined, error: () => undefined };
  }

  get status(): DataStartupState {
    return this.state;
  }

  /** Begins opening the datasets; resolves once they are open or the start failed (never rejects). */
  start(): Promise<void> {
    if (this.started) return this.started;
    if (this.state === 'closed') return Promise.resolve();
    this.state = 'loading';
    this.started = this.startService({ ...this.options, signal: this.abort.signal }).then(
      async (service) => {
        if (this.state === 'closed') {
          await service.close();
          return;
        }
        this.service = service;
        this.state = 'ready';
      },
      (error: unknown) => {
        if (this.state === 'closed') return;
        this.state = 'failed';
        this.log.error('The data engine could not start', { error: String(error) });
      },
    );
    return this.started;
  }

  /** Resolves once the start has settled (ready, failed or closed); at once if it never began. */
  settled(): Promise<void> {
    return this.started ?? Promise.resolve();
  }

  listDatasets(principal: Principal): DatasetSummary[] {
    return this.ready().listDatasets(principal);
  }

  canExport(principal: Principal, datasetId: string): boolean {
    return this.ready().canExport(principal, datasetId);
  }

  async query(principal: Principal, input: DataQueryInput): Promise<DataPage> {
    return this.ready().query(principal, input);
  }

  async counts(principal: Principal, input: DataCountsInput): Promise<CountBucket[]> {
    return this.ready().counts(principal, input);
  }

  checkExport(principal: Principal, input: DataExportInput): void {
    this.ready().checkExport(principal, input);
  }

  async exportCsv(principal: Principal, input: DataExportInput, filePath: string): Promise<ExportResult> {
    return this.ready().exportCsv(principal, input, filePath);
  }

  /** Stops the data engine: a start under way is aborted (its worker closed), a running service closed. */
  async close(): Promise<void> {
    const service = this.service;
    this.state = 'closed';
    this.service = null;
    this.abort.abort();
    await this.started;
    await service?.close();
  }

  private ready(): DataService {
    switch (this.state) {
      case 'ready':
        return this.service!;
      case 'idle':
      case 'loading':
        throw new AppError('DATA_LOADING', 'The data is still loading; try again in a moment.');
      case 'failed':
        throw new AppError(
          'DATA_UNAVAILABLE',
          'The data view could not start. Restart Portico; if it keeps happening, send IT a support bundle.',
        );
      case 'closed':
        throw new AppError('DATA_UNAVAILABLE', 'The data engine is closed. Restart Portico.');
    }
  }
}
