/**
 * The DuckDB worker: JSON-safe values, errors as values, several queries in flight, exports
 * on their own connection, crash recovery, and the lock-down that keeps every other file out
 * of reach whatever SQL reaches it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DataEngine, DataEngineError, workerScript } from '../../../../main/data/data-engine';
import { AppError } from '../../../../main/errors';
import { rejectionOf } from '../../helpers';
import { admin, makeTempDir, pageInput, removeDir, SAMPLE, startService } from './data-fixtures';

const SLOW = 'SELECT count(*) FROM range(200000000) a, range(50) b';

async function openEngine(setup = ['CREATE TABLE t AS SELECT range AS i FROM range(1000)']) {
  const engine = new DataEngine();
  onTestFinished(() => engine.close());
  const failed = await engine.open([{ key: 't', statements: setup }], []);
  expect(failed.size).toBe(0);
  return engine;
}

describe('data engine worker', () => {
  it('runs from the TypeScript sources here (tsx), from the built file in the app', () => {
    const script = workerScript();
    expect(script.eval).toBe(true);
    expect(script.filename).toContain(path.join('main', 'data', 'duckdb-worker.ts'));
  });

  it('returns JSON-safe values: BIGINT, DECIMAL, DATE, TIMESTAMP', async () => {
    const engine = await openEngine();
    const result = await engine.query(
      `SELECT 42::BIGINT AS small, 9007199254740993::BIGINT AS big, 12.34::DECIMAL(10,2) AS dec,
        DATE '2024-02-29' AS d, TIMESTAMP '2024-02-29 13:14:15.5' AS ts, NULL AS n, ? AS p`,
      ["it's bound"],
    );
    expect(result.rows).toEqual([[42, '9007199254740993', 12.34, '2024-02-29', '2024-02-29T13:14:15.500Z', null, "it's bound"]]);
    expect(() => JSON.stringify(result)).not.toThrow();
  });

  it('answers errors as values and keeps working', async () => {
    const engine = await openEngine();
    const error = await rejectionOf(engine.query('SELECT * FROM missing_table'));
    expect(error).toBeInstanceOf(DataEngineError);
    expect((await engine.query('SELECT count(*) FROM t')).rows).toEqual([[1000]]);
  });

  it('runs queries concurrently, and a long stream does not hold the page connections', async () => {
    const engine = await openEngine();
    const stream = await engine.stream('SELECT * FROM range(3000000)');
    const first = await stream.next(10);
    expect(first.rows.length).toBeGreaterThanOrEqual(10);
    // While the export is open, pages are still answered.
    const pages = await Promise.all(Array.from({ length: 6 }, (_, i) => engine.query('SELECT ? + count(*) FROM t', [i])));
    expect(pages.map((p) => p.rows[0]![0])).toEqual([1000, 1001, 1002, 1003, 1004, 1005]);
    await stream.close();
  });

  it('restarts after a crash: requests in flight fail with DATA_UNAVAILABLE, the next one works', async () => {
    const engine = await openEngine();
    const inFlight = rejectionOf(engine.query(SLOW));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await engine.simulateCrash();
    const error = await inFlight;
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('DATA_UNAVAILABLE');
    // The new worker replays `open`: the table is back, and the lock with it.
    expect((await engine.query('SELECT count(*) FROM t')).rows).toEqual([[1000]]);
    expect(engine.restarts).toBe(1);
    expect(await rejectionOf(engine.query("SELECT * FROM read_csv('/etc/passwd')"))).toBeInstanceOf(DataEngineError);
  });

  it('close() interrupts running queries and ends the worker', async () => {
    const engine = new DataEngine();
    await engine.open([], []);
    const running = rejectionOf(engine.query(SLOW));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await engine.close();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await running).toBeInstanceOf(Error);
    const after = await rejectionOf(engine.query('SELECT 1'));
    expect((after as AppError).code).toBe('DATA_UNAVAILABLE');
  });
});

describe('lock-down: no file beyond the datasets', () => {
  it('refuses to read, write, attach or unlock, through the service’s own engine', async () => {
    const dir = await makeTempDir();
    onTestFinished(() => removeDir(dir));
    const secret = path.join(dir, 'secret.csv');
    await fs.writeFile(secret, 'password\nhunter2\n');
    const { service, stop } = await startService({}, { dir });
    onTestFinished(stop);
    const engine = (service as unknown as { engine: DataEngine }).engine;
    const attempts = [
      `SELECT * FROM read_csv('${secret}')`,
      `SELECT * FROM read_text('${secret}')`,
      `SELECT * FROM '${secret}'`,
      `COPY (SELECT 1) TO '${path.join(dir, 'out.csv')}'`,
      `ATTACH '${path.join(dir, 'other.duckdb')}' AS other`,
      'SET enable_external_access = true',
      'SET lock_configuration = false',
      "SET allowed_paths = ['/']",
      'INSTALL httpfs',
      'LOAD httpfs',
      "SELECT * FROM read_csv('https://example.com/x.csv')",
      'CREATE TABLE sample.main.x AS SELECT 1',
      'DELETE FROM sample.main.orders',
    ];
    for (const sql of attempts) {
      expect(await rejectionOf(engine.query(sql)), sql).toBeInstanceOf(DataEngineError);
    }
    await expect(fs.stat(path.join(dir, 'out.csv'))).rejects.toThrow();
    // The datasets themselves still work.
    expect((await service.query(admin(), pageInput({ datasetId: SAMPLE, limit: 1 }))).rows).toHaveLength(1);
  });
});
