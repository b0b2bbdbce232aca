/**
 * The team data source: every postgres dataset of the policy, each person reading it over
 * their own connections as their own database role (main/data/postgres/). Nothing to open at
 * start: a dataset connects when a person first uses it, so team data is there at once, even
 * while the local datasets are still loading.
 */
import type { CountBucket, DataPage, DatasetSummary, ExportResult } from '../../preload/contract';
import { AppError } from '../errors';
import { EXPORT_STEP_TIMEOUT_FACTOR, type DataConfig } from './data-config';
import type { Logger } from '../platform';
import type { DataSource } from './data-source';
import { writeCsvExport } from './export-file';
import { mapExportWriteError } from './export-errors';
import type { DbCredentialStore } from './postgres/credential-store';
import {
  PostgresDataset,
  type DbTokenSource,
  type Person,
  type PostgresDatasetConfig,
  type ViewInput,
} from './postgres/postgres-dataset';
import type { Principal } from './principal';

export interface TeamDataOptions {
  config: DataConfig;
  credentials: DbCredentialStore;
  tokens?: DbTokenSource | null;
  log: Logger;
}

export class TeamData implements DataSource {
  readonly kind = 'team' as const;
  private readonly datasets = new Map<string, PostgresDataset>();
  private readonly exportAllowed: boolean;

  constructor(options: TeamDataOptions) {
    this.exportAllowed = options.config.exportAllowed;
    const queryMs = options.config.queryTimeoutSeconds * 1000;
    for (const ds of options.config.datasets) {
      if (ds.source.type !== 'postgres') continue;
      this.datasets.set(
        ds.id,
        new PostgresDataset(ds as PostgresDatasetConfig, {
          credentials: options.credentials,
          tokens: options.tokens ?? null,
          log: options.log,
          queryMs,
          exportStepMs: queryMs * EXPORT_STEP_TIMEOUT_FACTOR,
          exportAllowed: options.config.exportAllowed,
        }),
      );
    }
  }

  owns(datasetId: string): boolean {
    return this.datasets.has(datasetId);
  }

  /** The team datasets as this person sees them; none for a made-up principal (preview as). */
  async listDatasets(principal: Principal): Promise<DatasetSummary[]> {
    if (!principal.session) return [];
    const person = personOf(principal);
    return Promise.all([...this.datasets.values()].map((ds) => ds.summary(person)));
  }

  canExport(principal: Principal, datasetId: string): boolean {
    this.dataset(datasetId);
    return this.exportAllowed && principal.permissions.includes('data.export');
  }

  query(principal: Principal, input: ViewInput & { offset: number; limit: number }): Promise<DataPage> {
    return this.dataset(input.datasetId).page(personOf(principal), input);
  }

  counts(principal: Principal, input: Omit<ViewInput, 'sort'> & { column: string }): Promise<CountBucket[]> {
    return this.dataset(input.datasetId).counts(personOf(principal), input);
  }

  checkExport(principal: Principal, input: ViewInput): Promise<void> {
    return this.dataset(input.datasetId).checkExport(personOf(principal), input);
  }

  async exportCsv(principal: Principal, input: ViewInput, filePath: string): Promise<ExportResult> {
    const out = await this.dataset(input.datasetId).openExport(personOf(principal), input);
    return writeCsvExport(filePath, out.columns, out.batches).catch((error: unknown) => {
      throw mapExportWriteError(error);
    });
  }

  /** Tests the person's own database login and keeps it (see PostgresDataset.connect). */
  async connect(principal: Principal, datasetId: string, username: string, password: string): Promise<DatasetSummary> {
    const dataset = this.dataset(datasetId);
    const person = personOf(principal);
    await dataset.connect(person, username, password);
    return dataset.summary(person);
  }

  async forget(principal: Principal, datasetId: string): Promise<DatasetSummary> {
    const dataset = this.dataset(datasetId);
    const person = personOf(principal);
    await dataset.forget(person);
    return dataset.summary(person);
  }

  /** Closes one session's connections to every team dataset (sign-out, timeout). */
  async closeSession(sessionId: string): Promise<void> {
    await Promise.all([...this.datasets.values()].map((ds) => ds.closeSession(sessionId)));
  }

  /** Closes every session's connections but `keep`'s (a new sign-in). */
  async closeOtherSessions(keep: string | null): Promise<void> {
    const ids = new Set([...this.datasets.values()].flatMap((ds) => ds.openSessions()));
    ids.delete(keep ?? '');
    await Promise.all([...ids].map((id) => this.closeSession(id)));
  }

  /** For Diagnostics: each team dataset's source. */
  sources(): PostgresDatasetConfig[] {
    return [...this.datasets.values()].map((ds) => ds.config);
  }

  /** The server version seen by this session's open connection to a dataset, if any. */
  serverVersion(datasetId: string, sessionId: string): string | null {
    return this.datasets.get(datasetId)?.serverVersionFor(sessionId) ?? null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.datasets.values()].map((ds) => ds.close()));
  }

  private dataset(id: string): PostgresDataset {
    const dataset = this.datasets.get(id);
    if (!dataset)
      throw new AppError('UNKNOWN_DATASET', 'This dataset does not exist (any more). Pick another one from the list.');
    return dataset;
  }
}

function personOf(principal: Principal): Person {
  if (!principal.session) {
    throw new AppError('DATA_CONNECT_REQUIRED', 'A team dataset can only be read by the signed-in person, as themselves.');
  }
  return { principal, userId: principal.session.userId, sessionId: principal.session.sessionId };
}
