/**
 * Query time limits, on real DuckDB: a query past its limit is interrupted in the worker and
 * fails with the right error, the worker survives and the next query on the same engine or
 * service works; an export streams past the page limit, and only its own, longer step limit
 * stops it. No tight timings: each slow query here would run for minutes unless interrupted.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { dataConfig } from '../../../../main/data/data-config';
import { DataEngine, DataEngineError, QueryTimeoutError } from '../../../../main/data/data-engine';
import { describeLimit, type DataService } from '../../../../main/data/data-service';
import { expectAppError, rejectionOf } from '../../helpers';
import { admin, duckdb, makeTempDir, pageInput, removeDir, SAMPLE, startService } from './data-fixtures';

/** Runs for minutes unless interrupted. */
const SLOW = 'SELECT count(*) FROM range(200000000) a, range(50) b';
/**
 * Streams its first million rows at once, then scans about a billion rows for the next one:
 * a `next()` past the first million takes tens of seconds.
 */
const SLOW_STREAM = 'SELECT range AS i FROM range(3000000000) WHERE range < 1000000 OR range % 1000000007 = 5';
/** Interrupted queries end within moments; this only catches one that was not. */
const ENDS_WITHIN_MS = 15_000;

async function openEngine() {
  const engine = new DataEngine();
  onTestFinished(() => engine.close());
  await engine.open([{ key: 't', statements: ['CREATE TABLE t AS SELECT range AS i FROM range(1000)'] }], []);
  return engine;
}

describe('queryTimeoutSeconds', () => {
  it('defaults to 30 seconds, from 1 to 600', () => {
    expect(dataConfig.parse({}).queryTimeoutSeconds).toBe(30);
    expect(dataConfig.parse({ queryTimeoutSeconds: 600 }).queryTimeoutSeconds).toBe(600);
    for (const bad of [0, 601, 1.5, '30']) expect(dataConfig.safeParse({ queryTimeoutSeconds: bad }).success).toBe(false);
  });

  it('is described in words', () => {
    expect(describeLimit(30_000)).toBe('30 seconds');
    expect(describeLimit(1000)).toBe('1 second');
    expect(describeLimit(300_000)).toBe('5 minutes');
    expect(describeLimit(60_000)).toBe('1 minute');
    expect(describeLimit(250)).toBe('250 ms');
  });
});

describe('engine time limits', () => {
  it('interrupts a query past its limit; the worker lives on and the next query works', async () => {
    const engine = await openEngine();
    const started = Date.now();
    const error = await rejectionOf(engine.query(SLOW, [], { timeoutMs: 200 }));
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(Date.now() - started).toBeLessThan(ENDS_WITHIN_MS);
    expect((await engine.query('SELECT count(*) FROM t', [], { timeoutMs: 10_000 })).rows).toEqual([[1000]]);
    expect(engine.restarts).toBe(0);
    // A query without a limit is not interrupted by an earlier one's.
    expect((await engine.query('SELECT sum(i) FROM t')).rows).toEqual([[499500]]);
  });

  it('times out queries waiting for a busy connection too, then every connection works again', async () => {
    const engine = await openEngine();
    // Three page connections: two of these wait for one, and time out waiting or running.
    const errors = await Promise.all(Array.from({ length: 5 }, () => rejectionOf(engine.query(SLOW, [], { timeoutMs: 300 }))));
    for (const error of errors) expect(error).toBeInstanceOf(QueryTimeoutError);
    const pages = await Promise.all(Array.from({ length: 6 }, (_, i) => engine.query('SELECT ? + count(*) FROM t', [i])));
    expect(pages.map((p) => p.rows[0]![0])).toEqual([1000, 1001, 1002, 1003, 1004, 1005]);
    expect(engine.restarts).toBe(0);
  });

  it('a streamed batch past its limit fails, never passes for the end of the rows', async () => {
    const engine = await openEngine();
    const stream = await engine.stream(SLOW_STREAM, [], { timeoutMs: 1000 });
    let rows = 0;
    const error = await rejectionOf(
      (async () => {
        for (;;) {
          const batch = await stream.next(100_000);
          rows += batch.rows.length;
          if (batch.done) return;
        }
      })(),
    );
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(rows).toBeLessThanOrEqual(1_000_000);
    await stream.close();
    expect((await engine.query('SELECT count(*) FROM t')).rows).toEqual([[1000]]);
    // The next export runs on a fresh connection.
    const next = await engine.stream('SELECT * FROM t', [], { timeoutMs: 10_000 });
    expect((await next.next(5000)).rows).toHaveLength(1000);
    await next.close();
    expect(engine.restarts).toBe(0);
  });

  it('a stream interrupted by close() fails, never passes for the end of the rows', async () => {
    const engine = new DataEngine();
    await engine.open([], []);
    const stream = await engine.stream(SLOW_STREAM);
    let rows = 0;
    const pulling = rejectionOf(
      (async () => {
        for (;;) {
          const batch = await stream.next(10_000);
          rows += batch.rows.length;
          if (batch.done) return;
        }
      })(),
    );
    // Well before the scan ends: close() interrupts whichever batch is running.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await engine.close();
    expect(await pulling).toBeInstanceOf(Error);
    expect(rows).toBeLessThan(1_000_002);
  });
});

describe('service time limits', () => {
  let dir: string;
  let service: DataService;
  let stop: () => Promise<void>;
  let errors: unknown[];
  const SLOW_ROWS = 1_000_000_000;
  const WIDE_ROWS = 1_000_000;

  beforeAll(async () => {
    dir = await makeTempDir();
    const file = path.join(dir, 'views.duckdb');
    // Views over generated rows: `slow` has a billion (a search hashes every one), `wide` a
    // million (an export of it takes well over the page limit set below).
    await duckdb(
      [
        `CREATE VIEW slow AS SELECT a.range * 1000 + b.range AS id, md5((a.range * 1000 + b.range)::VARCHAR) AS note
         FROM range(${SLOW_ROWS / 1000}) a, range(1000) b`,
        `CREATE VIEW wide AS SELECT range AS id, md5(range::VARCHAR) AS note FROM range(${WIDE_ROWS})`,
      ],
      file,
    );
    ({ service, stop, errors } = await startService(
      {
        datasets: [
          { id: 'slow', name: 'Slow', source: { type: 'duckdb', path: file, table: 'slow' }, key: 'id', chartColumns: [] },
          { id: 'wide', name: 'Wide', source: { type: 'duckdb', path: file, table: 'wide' }, key: 'id', chartColumns: [] },
        ],
      },
      { dir, queryTimeoutMs: 300, exportStepTimeoutMs: 60_000 },
    ));
  });
  afterAll(async () => {
    await stop();
    await removeDir(dir);
  });

  it('stops a page past the limit with DATA_UNAVAILABLE asking to narrow the filters; the next page works', async () => {
    const started = Date.now();
    const error = await expectAppError(
      service.query(admin(), pageInput({ datasetId: 'slow', search: 'no such text' })),
      'DATA_UNAVAILABLE',
    );
    expect(Date.now() - started).toBeLessThan(ENDS_WITHIN_MS);
    expect(error.message).toMatch(/took too long \(over 300 ms\)/);
    expect(error.message).toMatch(/Narrow the filters or the search/);
    expect(errors).toContainEqual(expect.objectContaining({ message: 'Data query failed' }));
    // The same service answers the next requests, as many at once as it has connections (they
    // were interrupted, not lost). Small ones: a million-row page could pass 300 ms on a loaded machine.
    const pages = await Promise.all([5, 6, 7].map((limit) => service.query(admin(), pageInput({ datasetId: SAMPLE, limit }))));
    expect(pages.map((p) => p.rows.length)).toEqual([5, 6, 7]);
  });

  it('stops a chart query past the limit the same way', async () => {
    const error = await expectAppError(
      service.counts(admin(), { datasetId: 'slow', column: 'note', filters: [], search: 'no such text' }),
      'DATA_UNAVAILABLE',
    );
    expect(error.message).toMatch(/took too long/);
    const counts = await service.counts(admin(), { datasetId: SAMPLE, column: 'region', filters: [], search: '' });
    expect(counts.length).toBeGreaterThan(0);
  });

  it('does not cut an export that runs past the page limit', async () => {
    const file = path.join(dir, 'wide.csv');
    const started = Date.now();
    const result = await service.exportCsv(admin(), { datasetId: 'wide', filters: [], search: '', sort: [] }, file);
    const elapsed = Date.now() - started;
    expect(result.rows).toBe(WIDE_ROWS);
    const text = await fs.readFile(file, 'utf8');
    expect(text.split('\r\n').length - 2).toBe(WIDE_ROWS);
    // The whole export took longer than a page may: only its own steps are limited.
    expect(elapsed).toBeGreaterThan(300);
  });

  it('stops an export whose start or batch takes longer than the export step limit', async () => {
    const { service: short, stop: stopShort } = await startService(
      {
        datasets: [
          {
            id: 'slow',
            name: 'Slow',
            source: { type: 'duckdb', path: path.join(dir, 'views.duckdb'), table: 'slow' },
            key: 'id',
            chartColumns: [],
          },
        ],
      },
      { queryTimeoutMs: 100, exportStepTimeoutMs: 500 },
    );
    onTestFinished(stopShort);
    const out = await makeTempDir();
    onTestFinished(() => removeDir(out));
    const file = path.join(out, 'slow.csv');
    const error = await expectAppError(
      short.exportCsv(admin(), { datasetId: 'slow', filters: [], search: 'no such text', sort: [] }, file),
      'EXPORT_FAILED',
    );
    expect(error.message).toMatch(/sent no rows for 500 ms/);
    // No file, not even a temporary one, and the service goes on.
    expect(await fs.readdir(out)).toEqual([]);
    expect((await short.query(admin(), pageInput({ datasetId: SAMPLE, limit: 1 }))).rows).toHaveLength(1);
  });

  it('leaves DuckDB errors other than the limit as they were', async () => {
    const engine = (service as unknown as { engine: DataEngine }).engine;
    const error = await rejectionOf(engine.query('SELECT * FROM missing_table', [], { timeoutMs: 10_000 }));
    expect(error).toBeInstanceOf(DataEngineError);
    expect(error).not.toBeInstanceOf(QueryTimeoutError);
  });
});
