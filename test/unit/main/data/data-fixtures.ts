/**
 * Shared set-up for the data tests: principals for the default roles, a DataService on a real
 * DuckDB worker in a temp user-data folder, and a direct DuckDB connection for fixtures.
 */
import { execFile } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import { promisify } from 'node:util';
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
  options: { rows?: number; dir?: string } & Pick<
    DataServiceOptions,
    'queryTimeoutMs' | 'exportStepTimeoutMs' | 'openTimeoutMs'
  > = {},
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
    openTimeoutMs: options.openTimeoutMs,
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

/** A named pipe (FIFO): opening it to read blocks until a writer comes, reading until it writes. */
export async function makeFifo(file: string): Promise<string> {
  await promisify(execFile)('mkfifo', [file]);
  return file;
}

/**
 * A DuckDB file whose attach never returns: the file is a real database, but the write-ahead
 * log beside it is a FIFO, which DuckDB opens (and blocks on) after the file passed every
 * check. What a read on a stalled network share looks like, made reproducible.
 * `release()` lets the blocked open go on (it then sees an empty log and attaches).
 */
export async function stallingDuckdb(dir: string, name: string): Promise<{ file: string; release: () => Promise<void> }> {
  const file = path.join(dir, `${name}.duckdb`);
  await duckdb(['CREATE TABLE deals AS SELECT range AS id, range * 10 AS value FROM range(5)', 'CHECKPOINT'], file);
  const wal = await makeFifo(`${file}.wal`);
  return { file, release: () => releaseFifo(wal) };
}

/**
 * Lets whoever waits to read `fifo` go on (a writer opens it and closes it at once: the
 * reader sees the end of the file). Waits for the reader if none is there yet; nobody ever
 * coming is the caller's bug, caught by the test's time-out.
 */
export async function releaseFifo(fifo: string): Promise<void> {
  for (;;) {
    try {
      const handle = await fs.open(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
