/**
 * The built-in sample: deterministic (same rows every time), generated once into the user
 * data folder and reused, never taken from a half-written file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dataConfig } from '../../../../main/data/data-config';
import { DataEngine } from '../../../../main/data/data-engine';
import { SAMPLE_COLUMNS, sampleFileName, sampleStatements } from '../../../../main/data/sample-data';
import { expectAppError } from '../../helpers';
import { admin, makeTempDir, pageInput, readDirect, removeDir, startService } from './data-fixtures';

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(() => removeDir(dir));
  return dir;
}

const FINGERPRINT = `SELECT count(*), sum(id), sum(quantity), sum(amount), sum(margin), min(order_date), max(order_date),
  md5(string_agg(concat_ws('|', id, order_date, region, country, customer_name, customer_email, product, quantity, amount, margin, sales_rep), '\n' ORDER BY id))
  FROM orders`;

describe('sample generator', () => {
  it('generates the same rows every time', async () => {
    const dir = await tempDir();
    const engine = new DataEngine();
    onTestFinished(() => engine.close());
    const a = path.join(dir, 'a.duckdb');
    const b = path.join(dir, 'b.duckdb');
    await engine.generate(a, sampleStatements(5000));
    await engine.generate(b, sampleStatements(5000));
    const fa = await readDirect(a, FINGERPRINT);
    const fb = await readDirect(b, FINGERPRINT);
    expect(fa).toEqual(fb);
    expect(fa[0]!.slice(0, 2)).toEqual(['5000', '12502500']);
    // Pinned: a change to the generator must bump SAMPLE_VERSION (a new file is then made).
    expect(await readDirect(a, 'SELECT * FROM orders WHERE id IN (1, 2, 5000) ORDER BY id')).toEqual([
      [
        1,
        '2023-01-01',
        'EMEA',
        'Germany',
        'Jane Doe',
        'jane.doe@example.com',
        'Laptop Pro 14',
        1,
        '1899.00',
        '417.78',
        'Anna Becker',
      ],
      expect.arrayContaining([2]),
      expect.arrayContaining([5000]),
    ]);
    const columns = await readDirect(
      a,
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position",
    );
    expect(columns).toEqual([
      ['id', 'INTEGER'],
      ['order_date', 'DATE'],
      ['region', 'VARCHAR'],
      ['country', 'VARCHAR'],
      ['customer_name', 'VARCHAR'],
      ['customer_email', 'VARCHAR'],
      ['product', 'VARCHAR'],
      ['quantity', 'INTEGER'],
      ['amount', 'DECIMAL(12,2)'],
      ['margin', 'DECIMAL(12,2)'],
      ['sales_rep', 'VARCHAR'],
    ]);
    // Number filters are checked against these types: they must be the table's own.
    const numeric = new Map(
      SAMPLE_COLUMNS.filter((c) => c.type === 'integer' || c.type === 'decimal').map((c) => [c.name, c.sqlType]),
    );
    expect([...numeric]).toEqual((columns as [string, string][]).filter(([name]) => numeric.has(name)));
    const regions = await readDirect(a, 'SELECT DISTINCT region, country FROM orders ORDER BY 1, 2');
    const byRegion: Record<string, string[]> = {};
    for (const [region, country] of regions as [string, string][]) (byRegion[region] ??= []).push(country);
    expect(byRegion.AMER).toEqual(['Canada', 'United States']);
    expect(byRegion.LATAM).toEqual(['Argentina', 'Brazil', 'Mexico']);
    expect(byRegion.EMEA).toContain('Germany');
    expect(byRegion.APAC).toContain('Japan');
  });

  it('is generated once into <userData>/data and reused at the next start', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'data', sampleFileName(3000));
    const first = await startService({}, { dir, rows: 3000 });
    const before = await fs.stat(file);
    const page = await first.service.query(admin(), pageInput({ limit: 5 }));
    await first.stop();

    const second = await startService({}, { dir, rows: 3000 });
    onTestFinished(second.stop);
    const after = await fs.stat(file);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(await second.service.query(admin(), pageInput({ limit: 5 }))).toEqual(page);
    expect((await fs.readdir(path.join(dir, 'data'))).sort()).toEqual([sampleFileName(3000)]);
  });

  it('never reuses a half-written file: leftovers are removed and a new size replaces the old one', async () => {
    const dir = await tempDir();
    const data = path.join(dir, 'data');
    await fs.mkdir(data, { recursive: true });
    // What a crash during generation leaves: only the temporary name, never the final one.
    const leftover = path.join(data, `${sampleFileName(2000)}.abc123.generating`);
    await fs.writeFile(leftover, 'half a database');
    await fs.writeFile(path.join(data, sampleFileName(999)), 'an older sample');

    const { service, stop } = await startService({}, { dir, rows: 2000 });
    onTestFinished(stop);
    expect((await service.query(admin(), pageInput({ limit: 1 }))).total).toBe(2000);
    expect((await fs.readdir(data)).sort()).toEqual([sampleFileName(2000)]);
  });

  it('the sample is on by default with 200,000 rows, at most 5,000,000, and can be turned off', async () => {
    expect(dataConfig.parse({}).sample).toEqual({ enabled: true, rows: 200_000 });
    expect(dataConfig.safeParse({ sample: { rows: 5_000_001 } }).success).toBe(false);
    const dir = await tempDir();
    const { service, stop } = await startService({ sample: { enabled: false } }, { dir });
    onTestFinished(stop);
    expect(service.listDatasets(admin())).toEqual([]);
    await expect(fs.readdir(path.join(dir, 'data'))).rejects.toThrow();
  });
});

describe('sample file modes', () => {
  const modeOf = async (file: string) => (await fs.stat(file)).mode & 0o777;

  it('the data folder is private to the user (0700) and the sample file too (0600)', async () => {
    const dir = await tempDir();
    const { stop } = await startService({}, { dir, rows: 1000 });
    onTestFinished(stop);
    expect(await modeOf(path.join(dir, 'data'))).toBe(0o700);
    expect(await modeOf(path.join(dir, 'data', sampleFileName(1000)))).toBe(0o600);
  });

  it('tightens the folder and the sample made by an older version with looser modes', async () => {
    const dir = await tempDir();
    const first = await startService({}, { dir, rows: 1000 });
    await first.stop();
    const sample = path.join(dir, 'data', sampleFileName(1000));
    await fs.chmod(path.join(dir, 'data'), 0o755);
    await fs.chmod(sample, 0o644);
    const { service, stop } = await startService({}, { dir, rows: 1000 });
    onTestFinished(stop);
    expect(await modeOf(path.join(dir, 'data'))).toBe(0o700);
    expect(await modeOf(sample)).toBe(0o600);
    expect((await service.query(admin(), pageInput({ limit: 1 }))).total).toBe(1000);
  });
});

describe('sample generation failure', () => {
  it('leaves the sample out (DATA_UNAVAILABLE) and still opens the configured datasets', async () => {
    const dir = await tempDir();
    // A file where the data folder should be: the sample cannot be written.
    await fs.writeFile(path.join(dir, 'data'), 'not a folder');
    const csv = path.join(dir, 'small.csv');
    await fs.writeFile(csv, 'id,name\n1,a\n2,b\n');
    const { service, stop, errors } = await startService(
      { datasets: [{ id: 'small', name: 'Small', source: { type: 'csv', path: csv } }] },
      { dir },
    );
    onTestFinished(stop);
    expect(service.listDatasets(admin()).map((d) => [d.id, d.status, d.error])).toEqual([
      ['sample-orders', 'failed', 'The sample could not be generated.'],
      ['small', 'ready', null],
    ]);
    expect((await service.query(admin(), pageInput({ datasetId: 'small' }))).total).toBe(2);
    await expectAppError(service.query(admin(), pageInput()), 'DATA_UNAVAILABLE');
    expect(errors).toHaveLength(1);
  });
});
