/**
 * Shared set-up for the data tests: principals for the default roles, a DataService on a real
 * DuckDB worker in a temp user-data folder, and a direct DuckDB connection for fixtures.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { permissionsFor } from '../../../../main/auth/roles';
import { dataConfig, type DataConfigInput } from '../../../../main/data/data-config';
import { DataService, type DataServiceOptions } from '../../../../main/data/data-service';
import type { Principal } from '../../../../main/data/principal';
import type { DataQueryInput } from '../../../../main/data/data-service';
import { SAMPLE_DATASET_ID } from '../../../../main/data/data-config';

export const SAMPLE = SAMPLE_DATASET_ID;
/** Small enough to generate in a blink, large enough for every region and product. */
export const SAMPLE_ROWS = 4000;

export function principal(roles: string[], groups: string[] = [], username = 'pat@example.com'): Principal {
  return { username, email: username.includes('@') ? username : null, roles, groups, permissions: permissionsFor(roles) };
}

export const viewer = (groups = ['Sales-EMEA']) => principal(['viewer'], groups);
export const analyst = (groups: string[] = []) => principal(['analyst'], groups);
export const manager = (groups = ['Sales-EMEA']) => principal(['manager'], groups);
export const admin = () => principal(['admin']);

export async function makeTempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'portico-data-'));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** A started service and its folder; `stop()` closes it and removes the folder. */
export async function startService(
  config: DataConfigInput = {},
  options: { rows?: number; dir?: string } & Pick<DataServiceOptions, 'queryTimeoutMs' | 'exportStepTimeoutMs'> = {},
) {
  const dir = options.dir ?? (await makeTempDir());
  const parsed = dataConfig.parse({ ...config, sample: { rows: options.rows ?? SAMPLE_ROWS, ...config.sample } });
  const errors: unknown[] = [];
  const service = await DataService.start({
    config: parsed,
    userDataDir: dir,
    log: { info: () => undefined, error: (message, fields) => errors.push({ message, ...fields }) },
    queryTimeoutMs: options.queryTimeoutMs,
    exportStepTimeoutMs: options.exportStepTimeoutMs,
  });
  return {
    service,
    dir,
    errors,
    stop: async () => {
      await service.close();
      if (!options.dir) await removeDir(dir);
    },
  };
}

export function pageInput(overrides: Partial<DataQueryInput> = {}): DataQueryInput {
  return { datasetId: SAMPLE, filters: [], search: '', sort: [], offset: 0, limit: 100, ...overrides };
}

/** Runs statements on a throw-away DuckDB connection (fixtures: CSV, Parquet, DuckDB files). */
export async function duckdb(statements: string[], file = ':memory:'): Promise<void> {
  const db = await DuckDBInstance.create(file);
  const connection = await db.connect();
  try {
    for (const sql of statements) await connection.run(sql);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

/** Reads rows straight from a DuckDB file, bypassing Portico (to compare with what it returns). */
export async function readDirect(file: string, sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}
