/**
 * The local catalog: opens the local datasets (the generated sample and IT's DuckDB, CSV and
 * Parquet files) in the DuckDB worker, each described and checked against its configuration.
 * The data service (data-service.ts) queries what it opened; team datasets are not here
 * (team-data.ts).
 *
 * Opening (`data.openTimeoutSeconds`): each dataset's file is checked (a regular file, not a
 * FIFO or device), opened and described within the limit; one that is not is listed as failed
 * with its reason while the others work (data-engine.ts says how a stalled read is left behind).
 */
import type { Logger } from '../platform';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  COLUMN_NAME,
  EXPORT_STEP_TIMEOUT_FACTOR,
  SAMPLE_DATASET_ID,
  SAMPLE_SECURITY,
  type DataConfig,
  type DatasetConfig,
} from './data-config';
import {
  DataEngine,
  DataEngineError,
  QueryTimeoutError,
  type OpenFailure,
  type SetupStep,
  type WorkerScript,
} from './data-engine';
import { describeOpenFailure, type DescribeFailure } from './open-failure';
import { columnTypeOf, labelFor, quoteIdent, quoteLiteral, type DatasetColumnDef, type DatasetDef } from './dataset';
import { SAMPLE_CHART_COLUMNS, SAMPLE_COLUMNS, SAMPLE_FILE_PATTERN, sampleFileName, sampleStatements } from './sample-data';

export interface DataServiceOptions {
  config: DataConfig;
  /** The per-user data folder: the sample lives in `<userData>/data/`. */
  userDataDir: string;
  log?: Logger;
  /** Page-query connections in the worker (exports each get their own). Default 3. */
  connections?: number;
  /** Where the worker's code is (default: found next to this module; see data-engine.ts). */
  workerScript?: WorkerScript;
  /** Page, count and chart query limit in ms (tests; default `config.queryTimeoutSeconds`). */
  queryTimeoutMs?: number;
  /** Limit of an export's start and of each batch, in ms (tests; default 10 × the query limit). */
  exportStepTimeoutMs?: number;
  /** Each dataset's opening limit in ms (tests; default `config.openTimeoutSeconds`). */
  openTimeoutMs?: number;
  /** Aborting stops the start: the worker is closed, even mid-way, and `start` rejects. */
  signal?: AbortSignal;
}

/** Text columns with at most this many distinct values are offered to the chart by default. */
const CHART_MAX_DISTINCT = 50;

export interface FailedDataset {
  name: string;
  /** For the user (see open-failure.ts); the log has the detail. */
  reason: string;
}

export interface Limits {
  queryMs: number;
  exportStepMs: number;
}

/** What was opened: the engine, every dataset in order, those that failed and why, the limits. */
export interface LocalCatalog {
  engine: DataEngine;
  /** Every dataset's id, opened or failed, in configuration order (the sample first). */
  order: readonly string[];
  datasets: ReadonlyMap<string, DatasetDef>;
  failed: ReadonlyMap<string, FailedDataset>;
  config: DataConfig;
  log: Logger;
  limits: Limits;
}

/**
 * Generates the sample on first run (reused afterwards), opens every local dataset, then
 * locks DuckDB (no file access beyond them, configuration locked). A dataset that cannot be
 * opened in time, or whose security names a column it lacks, is listed as failed (fail
 * closed: nothing of it can be queried) and logged.
 */
export async function openLocalCatalog(options: DataServiceOptions): Promise<LocalCatalog> {
  const log = options.log ?? { info: () => undefined, error: () => undefined };
  const engine = new DataEngine(log, options.workerScript);
  const signal = options.signal;
  const stop = () => void engine.close();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    signal?.throwIfAborted();
    const steps: SetupStep[] = [];
    const allowedPaths: string[] = [];
    const relations = new Map<string, string>();
    const config = options.config;
    const openMs = options.openTimeoutMs ?? config.openTimeoutSeconds * 1000;

    let sampleError: string | null = null;
    if (config.sample.enabled) {
      try {
        const file = await ensureSample(engine, path.join(options.userDataDir, 'data'), config.sample.rows, log);
        steps.push({
          key: SAMPLE_DATASET_ID,
          statements: [`ATTACH ${quoteLiteral(file)} AS sample (READ_ONLY)`],
          files: [file],
        });
        relations.set(SAMPLE_DATASET_ID, '"sample"."main"."orders"');
      } catch (error) {
        // E.g. a full disk: the configured datasets still open.
        sampleError = `The sample could not be generated: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    // Team (postgres) datasets are served by main/data/team-data.ts, never through DuckDB.
    const localDatasets = config.datasets.filter(isLocalDataset);
    localDatasets.forEach((ds, index) => {
      const alias = `ds_${index}`;
      const source = ds.source;
      const files = [path.resolve(source.path)];
      const file = quoteLiteral(files[0]!);
      if (source.type === 'duckdb') {
        steps.push({ key: ds.id, statements: [`ATTACH ${file} AS ${quoteIdent(alias)} (READ_ONLY)`], files });
        relations.set(ds.id, `${quoteIdent(alias)}.${quoteIdent(source.schema)}.${quoteIdent(source.table)}`);
      } else if (source.type === 'csv') {
        // Read once into memory: a CSV is re-parsed on every query otherwise.
        steps.push({
          key: ds.id,
          statements: [`CREATE TABLE memory.main.${quoteIdent(alias)} AS SELECT * FROM read_csv(${file})`],
          files,
        });
        relations.set(ds.id, `"memory"."main".${quoteIdent(alias)}`);
      } else {
        steps.push({
          key: ds.id,
          statements: [`CREATE VIEW memory.main.${quoteIdent(alias)} AS SELECT * FROM read_parquet(${file})`],
          files,
        });
        relations.set(ds.id, `"memory"."main".${quoteIdent(alias)}`);
        allowedPaths.push(path.resolve(source.path));
      }
    });

    const failedSteps = await engine.open(steps, allowedPaths, {
      connections: options.connections ?? 3,
      stepTimeoutMs: openMs,
    });
    const datasets = new Map<string, DatasetDef>();
    const failed = new Map<string, FailedDataset>();
    const fail = (id: string, name: string, failure: OpenFailure | DescribeFailure) => {
      failed.set(id, { name, reason: describeOpenFailure(failure, openMs) });
      log.error('Dataset left out', { dataset: id, kind: failure.kind, reason: failure.message });
    };

    if (config.sample.enabled) {
      const failure = sampleError ? { kind: 'sample' as const, message: sampleError } : failedSteps.get(SAMPLE_DATASET_ID);
      if (failure) fail(SAMPLE_DATASET_ID, 'Sample orders', failure);
      else
        datasets.set(SAMPLE_DATASET_ID, {
          id: SAMPLE_DATASET_ID,
          name: 'Sample orders',
          description: `${config.sample.rows.toLocaleString('en-US')} generated orders, so that Portico is useful before IT connects real data.`,
          relation: relations.get(SAMPLE_DATASET_ID)!,
          columns: SAMPLE_COLUMNS,
          key: 'id',
          rowid: true,
          chartColumns: SAMPLE_CHART_COLUMNS,
          security: SAMPLE_SECURITY,
        });
    }
    for (const ds of localDatasets) {
      const failure = failedSteps.get(ds.id);
      if (failure) {
        fail(ds.id, ds.name, failure);
        continue;
      }
      try {
        datasets.set(ds.id, await describeDataset(engine, ds, relations.get(ds.id)!, openMs));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const kind = error instanceof QueryTimeoutError ? 'timeout' : error instanceof DataEngineError ? 'engine' : 'mismatch';
        fail(ds.id, ds.name, { kind, message });
      }
    }
    signal?.throwIfAborted();
    log.info('Data engine ready', { datasets: [...datasets.keys()], failed: [...failed.keys()] });
    const queryMs = options.queryTimeoutMs ?? config.queryTimeoutSeconds * 1000;
    const exportStepMs = options.exportStepTimeoutMs ?? queryMs * EXPORT_STEP_TIMEOUT_FACTOR;
    const order = [...(config.sample.enabled ? [SAMPLE_DATASET_ID] : []), ...localDatasets.map((ds) => ds.id)];
    return { engine, order, datasets, failed, config, log, limits: { queryMs, exportStepMs } };
  } catch (error) {
    await engine.close();
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/**
 * The sample's file, generated on first run and reused afterwards. Written under a temporary
 * name and renamed once complete: a file cut short by a crash is never taken for the sample.
 */
async function ensureSample(engine: DataEngine, dir: string, rows: number, log: Logger): Promise<string> {
  // Only this user reads the data folder and the sample (Windows ignores modes: the folder is
  // in the user's profile there). Folders and files from older versions are tightened too.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const name = sampleFileName(rows);
  const file = path.join(dir, name);
  const entries = await readdir(dir);
  // Leftovers from an interrupted generation.
  for (const entry of entries) if (entry.endsWith('.generating')) await rm(path.join(dir, entry), { force: true });
  if (entries.includes(name)) {
    await chmod(file, 0o600);
    return file;
  }

  const temp = path.join(dir, `${name}.${randomBytes(6).toString('hex')}.generating`);
  const started = Date.now();
  try {
    await engine.generate(temp, sampleStatements(rows));
    await chmod(temp, 0o600);
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
    await rm(`${temp}.wal`, { force: true });
  }
  log.info('Sample dataset generated', { rows, ms: Date.now() - started });
  // Other sizes or versions of the sample are no longer used.
  for (const entry of entries)
    if (SAMPLE_FILE_PATTERN.test(entry) && entry !== name) await rm(path.join(dir, entry), { force: true });
  return file;
}

/** A dataset read from a file on this computer (DuckDB, CSV, Parquet), not a team database. */
export type LocalDatasetConfig = DatasetConfig & { source: Exclude<DatasetConfig['source'], { type: 'postgres' }> };

export function isLocalDataset(ds: DatasetConfig): ds is LocalDatasetConfig {
  return ds.source.type !== 'postgres';
}

/** Reads a configured dataset's columns and checks its configuration against them. */
async function describeDataset(
  engine: DataEngine,
  ds: LocalDatasetConfig,
  relation: string,
  timeoutMs: number,
): Promise<DatasetDef> {
  const limit = { timeoutMs };
  const described = await engine.query(`DESCRIBE SELECT * FROM ${relation}`, [], limit);
  const source = new Map<string, string>();
  for (const row of described.rows) source.set(String(row[0]), String(row[1]));

  let columns: DatasetColumnDef[];
  if (ds.columns) {
    columns = ds.columns.map((c) => {
      const type = source.get(c.name);
      if (type === undefined) throw new Error(`Column ${c.name} is not in the source.`);
      const kind = columnTypeOf(type);
      if (!kind) throw new Error(`Column ${c.name} has type ${type}, which Portico cannot show.`);
      return { name: c.name, label: c.label ?? labelFor(c.name), type: kind, sqlType: type };
    });
  } else {
    columns = [];
    for (const [name, type] of source) {
      const kind = columnTypeOf(type);
      if (kind && COLUMN_NAME.test(name)) columns.push({ name, label: labelFor(name), type: kind, sqlType: type });
    }
    if (columns.length === 0) throw new Error('The source has no column Portico can show.');
  }

  // Security that names a column the source lacks is a configuration error: the dataset is
  // left out rather than shown without the rule (a typo must not unmask anything).
  const security = ds.security;
  for (const name of [...Object.keys(security.columns), ...security.rowScopes.map((s) => s.column)]) {
    if (!source.has(name)) throw new Error(`The security rules name column ${name}, which is not in the source.`);
  }
  const names = new Set(columns.map((c) => c.name));
  if (ds.key && !names.has(ds.key)) throw new Error(`The key column ${ds.key} is not shown.`);

  let chartColumns = ds.chartColumns ?? [];
  if (!ds.chartColumns) {
    const text = columns.filter((c) => c.type === 'text');
    if (text.length) {
      const distinct = await engine.query(
        `SELECT ${text.map((c) => `approx_count_distinct(${quoteIdent(c.name)})`).join(', ')} FROM ${relation}`,
        [],
        limit,
      );
      chartColumns = text.filter((_, i) => Number(distinct.rows[0]?.[i] ?? Infinity) <= CHART_MAX_DISTINCT).map((c) => c.name);
    }
  }
  // Tables have rowid (pages are cut on it); views, such as Parquet files, do not. A real
  // column named rowid would shadow it, and need not be unique.
  const rowid =
    !source.has('rowid') &&
    (await engine.query(`SELECT rowid FROM ${relation} LIMIT 0`, [], limit).then(
      () => true,
      () => false,
    ));
  return {
    id: ds.id,
    name: ds.name,
    description: ds.description,
    relation,
    columns,
    key: ds.key ?? null,
    rowid,
    chartColumns,
    security,
  };
}
