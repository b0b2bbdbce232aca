/**
 * Opening the datasets, which nothing may stall: a file that is not a regular file (a FIFO
 * would block DuckDB's read for good) is refused before DuckDB opens it; a read that never
 * returns (a stalled share, here a FIFO DuckDB opens beside a real database file) fails that
 * dataset after the open time limit while the others open; and a start under way can be
 * closed. The stalls are real and last until the test releases them: no timing decides.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dataConfig, type DataConfigInput } from '../../../../main/data/data-config';
import { MAX_ABANDONED_WORKERS, type DataEngine } from '../../../../main/data/data-engine';
import { DataService } from '../../../../main/data/data-service';
import { DataStartup } from '../../../../main/data/data-startup';
import { expectAppError, rejectionOf } from '../../helpers';
import {
  admin,
  makeFifo,
  makeTempDir,
  pageInput,
  removeDir,
  SAMPLE,
  SAMPLE_ROWS,
  stallingDuckdb,
  startService,
  viewer,
} from './data-fixtures';

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(() => removeDir(dir));
  return dir;
}

/** Long enough that no healthy step on a loaded machine reaches it; the stalls here never end on their own. */
const OPEN_LIMIT_MS = 3000;

const engineOf = (service: DataService) => (service as unknown as { engine: DataEngine }).engine;

describe('a dataset file that is not a regular file', () => {
  it('is refused before DuckDB opens it (a FIFO would block it for good); the others open', async () => {
    const dir = await tempDir();
    const fifo = await makeFifo(path.join(dir, 'pipe.csv'));
    const link = path.join(dir, 'link.parquet');
    await fs.symlink(fifo, link);
    await fs.mkdir(path.join(dir, 'folder.duckdb'));
    const csv = path.join(dir, 'ok.csv');
    await fs.writeFile(csv, 'id,name\n1,a\n2,b\n');
    const { service, stop, errors } = await startService(
      {
        datasets: [
          { id: 'pipe', name: 'Pipe', source: { type: 'csv', path: fifo } },
          { id: 'link', name: 'Link to a pipe', source: { type: 'parquet', path: link } },
          { id: 'folder', name: 'Folder', source: { type: 'duckdb', path: path.join(dir, 'folder.duckdb'), table: 't' } },
          { id: 'ok', name: 'OK', source: { type: 'csv', path: csv } },
        ],
      },
      { dir },
    );
    onTestFinished(stop);
    expect(service.listDatasets(viewer()).map((d) => [d.id, d.status, d.error])).toEqual([
      [SAMPLE, 'ready', null],
      ['pipe', 'failed', 'Its file is not a regular file (it is a pipe, a device or a folder).'],
      ['link', 'failed', 'Its file is not a regular file (it is a pipe, a device or a folder).'],
      ['folder', 'failed', 'Its file is not a regular file (it is a pipe, a device or a folder).'],
      ['ok', 'ready', null],
    ]);
    expect((await service.query(admin(), pageInput({ datasetId: 'ok' }))).total).toBe(2);
    expect((await service.query(admin(), pageInput())).total).toBe(SAMPLE_ROWS);
    const pipe = await expectAppError(service.query(admin(), pageInput({ datasetId: 'pipe' })), 'DATA_UNAVAILABLE');
    expect(pipe.message).toMatch(/^The dataset "Pipe" could not be opened\. Its file is not a regular file/);
    // The log says which and why, for IT; no worker was given up on.
    expect(errors).toContainEqual(expect.objectContaining({ dataset: 'pipe', kind: 'not-a-file' }));
    expect(engineOf(service).abandoned).toBe(0);
  });
});

describe('a dataset whose read never returns', () => {
  it('is listed as failed after the open time limit; the datasets before and after it work', async () => {
    const dir = await tempDir();
    const stalled = await stallingDuckdb(dir, 'stalled');
    const csv = path.join(dir, 'after.csv');
    await fs.writeFile(csv, 'id,name\n1,a\n2,b\n3,c\n');
    const { service, stop, errors } = await startService(
      {
        datasets: [
          { id: 'stalled', name: 'On a stalled share', source: { type: 'duckdb', path: stalled.file, table: 'deals' } },
          { id: 'after', name: 'After it', source: { type: 'csv', path: csv } },
        ],
      },
      { dir, openTimeoutMs: OPEN_LIMIT_MS },
    );
    // The stalled worker ends once its read returns: released here, as a share coming back would.
    onTestFinished(async () => {
      await stop();
      await stalled.release();
    });
    expect(service.listDatasets(admin()).map((d) => [d.id, d.status, d.error])).toEqual([
      [SAMPLE, 'ready', null],
      ['stalled', 'failed', 'It did not open within 3 seconds: its file did not answer.'],
      ['after', 'ready', null],
    ]);
    // The sample was open in the worker given up on: the new one opened it again.
    expect((await service.query(admin(), pageInput())).total).toBe(SAMPLE_ROWS);
    expect((await service.query(admin(), pageInput({ datasetId: 'after' }))).total).toBe(3);
    await expectAppError(service.query(admin(), pageInput({ datasetId: 'stalled' })), 'DATA_UNAVAILABLE');
    expect(engineOf(service).abandoned).toBe(1);
    expect(errors).toContainEqual(expect.objectContaining({ dataset: 'stalled', kind: 'timeout' }));
    // The new worker is locked down like the first.
    expect(await rejectionOf(engineOf(service).query(`SELECT * FROM read_csv('${csv}')`))).toBeInstanceOf(Error);
  });

  it(`after ${MAX_ABANDONED_WORKERS} stalls, the datasets not yet opened are not tried (each stall holds a thread)`, async () => {
    const dir = await tempDir();
    const first = await stallingDuckdb(dir, 'first');
    const second = await stallingDuckdb(dir, 'second');
    const third = await stallingDuckdb(dir, 'third');
    const csv = path.join(dir, 'after.csv');
    await fs.writeFile(csv, 'id\n1\n');
    const source = (file: string) => ({ type: 'duckdb' as const, path: file, table: 'deals' });
    const { service, stop } = await startService(
      {
        datasets: [
          { id: 'first', name: 'First', source: source(first.file) },
          { id: 'second', name: 'Second', source: source(second.file) },
          { id: 'third', name: 'Third', source: source(third.file) },
          { id: 'after', name: 'After', source: { type: 'csv', path: csv } },
        ],
      },
      { dir, openTimeoutMs: OPEN_LIMIT_MS },
    );
    onTestFinished(async () => {
      await stop();
      await first.release();
      await second.release();
    });
    const skipped = 'It was not opened: other datasets did not answer in time, and Portico stopped trying more.';
    expect(service.listDatasets(admin()).map((d) => [d.id, d.error])).toEqual([
      [SAMPLE, null],
      ['first', 'It did not open within 3 seconds: its file did not answer.'],
      ['second', 'It did not open within 3 seconds: its file did not answer.'],
      ['third', skipped],
      ['after', skipped],
    ]);
    expect(engineOf(service).abandoned).toBe(MAX_ABANDONED_WORKERS);
    expect((await service.query(admin(), pageInput())).total).toBe(SAMPLE_ROWS);
  });
});

describe('the background start', () => {
  const config = (datasets: NonNullable<DataConfigInput>['datasets']) =>
    dataConfig.parse({ sample: { rows: SAMPLE_ROWS }, datasets, openTimeoutSeconds: 600 });

  it('answers DATA_LOADING until the datasets are open, then serves them', async () => {
    const dir = await tempDir();
    const stalled = await stallingDuckdb(dir, 'slow');
    const data = new DataStartup({
      config: config([{ id: 'slow', name: 'Slow share', source: { type: 'duckdb', path: stalled.file, table: 'deals' } }]),
      userDataDir: dir,
    });
    onTestFinished(() => data.close());
    expect(data.status).toBe('idle');
    await expectAppError((async () => data.listDatasets(admin()))(), 'DATA_LOADING');
    const started = data.start();
    // The start cannot end before the read is released (its limit is 10 minutes).
    expect(data.status).toBe('loading');
    const loading = await expectAppError((async () => data.listDatasets(admin()))(), 'DATA_LOADING');
    expect(loading.message).toBe('The data is still loading; try again in a moment.');
    await expectAppError(data.query(admin(), pageInput()), 'DATA_LOADING');
    await expectAppError(data.counts(admin(), { datasetId: SAMPLE, column: 'region', filters: [], search: '' }), 'DATA_LOADING');
    await expectAppError(
      (async () => data.checkExport(admin(), { datasetId: SAMPLE, filters: [], search: '', sort: [] }))(),
      'DATA_LOADING',
    );
    await expectAppError(
      data.exportCsv(admin(), { datasetId: SAMPLE, filters: [], search: '', sort: [] }, path.join(dir, 'x.csv')),
      'DATA_LOADING',
    );

    await stalled.release();
    await started;
    expect(data.status).toBe('ready');
    expect(data.listDatasets(admin()).map((d) => [d.id, d.status])).toEqual([
      [SAMPLE, 'ready'],
      ['slow', 'ready'],
    ]);
    expect((await data.query(admin(), pageInput({ datasetId: 'slow' }))).total).toBe(5);
    await expect(fs.stat(path.join(dir, 'x.csv'))).rejects.toThrow();
  });

  it('close() stops a start stalled on a dataset: the start ends, the channels say so', async () => {
    const dir = await tempDir();
    const stalled = await stallingDuckdb(dir, 'slow');
    const opening: unknown[] = [];
    const data = new DataStartup({
      config: config([{ id: 'slow', name: 'Slow share', source: { type: 'duckdb', path: stalled.file, table: 'deals' } }]),
      userDataDir: dir,
      log: { info: (message, fields) => opening.push([message, fields]), error: () => undefined },
    });
    const started = data.start();
    // Wait until the engine is at the stalled dataset (it cannot get past it).
    await expect.poll(() => opening, { timeout: 60_000 }).toContainEqual(['Opening dataset', { dataset: 'slow' }]);
    await data.close();
    await started;
    expect(data.status).toBe('closed');
    const closed = await expectAppError(data.query(admin(), pageInput()), 'DATA_UNAVAILABLE');
    expect(closed.message).toMatch(/closed/);
    await stalled.release();
  });

  it('a start that fails answers DATA_UNAVAILABLE, logged', async () => {
    const dir = await tempDir();
    const errors: unknown[] = [];
    const data = new DataStartup(
      { config: config([]), userDataDir: dir, log: { info: () => undefined, error: (m, f) => errors.push([m, f]) } },
      async () => {
        throw new Error('no worker today');
      },
    );
    await data.start();
    expect(data.status).toBe('failed');
    const error = await expectAppError(data.query(admin(), pageInput()), 'DATA_UNAVAILABLE');
    expect(error.message).toMatch(/could not start/);
    expect(errors).toEqual([['The data engine could not start', { error: 'Error: no worker today' }]]);
  });
});

describe('openTimeoutSeconds', () => {
  it('defaults to 20 seconds, from 1 to 600', () => {
    expect(dataConfig.parse({}).openTimeoutSeconds).toBe(20);
    for (const bad of [0, 601, 2.5, '20']) expect(dataConfig.safeParse({ openTimeoutSeconds: bad }).success).toBe(false);
  });

  it('the sample file is checked like any dataset file', async () => {
    const dir = await tempDir();
    const first = await startService({}, { dir, rows: 1000 });
    await first.stop();
    const sample = (await fs.readdir(path.join(dir, 'data')))[0]!;
    // A sample replaced by a pipe (by anything that can write the profile): refused, not waited on.
    await fs.rm(path.join(dir, 'data', sample));
    await makeFifo(path.join(dir, 'data', sample));
    const { service, stop } = await startService({}, { dir, rows: 1000 });
    onTestFinished(stop);
    expect(service.listDatasets(admin()).map((d) => [d.id, d.status, d.error])).toEqual([
      [SAMPLE, 'failed', 'Its file is not a regular file (it is a pipe, a device or a folder).'],
    ]);
  });
});
