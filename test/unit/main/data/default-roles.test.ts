/**
 * The shipped roles on the built-in sample, through the real service and DuckDB worker:
 *   viewer  = own region, PII masked, no margin, no export;
 *   analyst = all regions, PII masked, export;
 *   manager = own region, PII shown, export;
 *   admin   = everything.
 * Checked on the values that come back (what would cross IPC), not on the SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataService } from '../../../../main/data/data-service';
import type { Principal } from '../../../../main/data/principal';
import type { DataPage } from '../../../../preload/contract';
import { admin, analyst, manager, pageInput, principal, SAMPLE, SAMPLE_ROWS, startService, viewer } from './data-fixtures';

let service: DataService;
let stop: () => Promise<void>;
let regionTotals: Map<string, number>;

beforeAll(async () => {
  ({ service, stop } = await startService());
  const buckets = await service.counts(admin(), { datasetId: SAMPLE, column: 'region', filters: [], search: '' });
  regionTotals = new Map(buckets.map((b) => [b.value!, b.count]));
});
afterAll(() => stop());

const MASKED_EMAIL = /^[^@*]\*\*\*@example\.(com|org|net)$/;
const MASKED_NAME = /^(\S\*\*\*)( \S\*\*\*)*$/;
const REAL_EMAIL = /^[a-z]+\.[a-z]+\d*@example\.(com|org|net)$/;

/** Every row of the user's view, paged as the grid would. */
async function allRows(who: Principal): Promise<{ page: DataPage; rows: Record<string, unknown>[] }> {
  const rows: Record<string, unknown>[] = [];
  let page: DataPage;
  let offset = 0;
  do {
    page = await service.query(who, pageInput({ offset, limit: 500 }));
    for (const row of page.rows) rows.push(Object.fromEntries(page.columns.map((c, i) => [c, row[i]])));
    offset += page.rows.length;
  } while (page.rows.length > 0 && offset < page.total);
  return { page, rows };
}

function summary(who: Principal) {
  const found = service.listDatasets(who).find((d) => d.id === SAMPLE);
  if (!found) throw new Error('sample not listed');
  return found;
}

describe('default roles on the sample dataset', () => {
  it('the sample has every region, and the admin sees all rows', async () => {
    expect([...regionTotals.keys()].sort()).toEqual(['AMER', 'APAC', 'EMEA', 'LATAM']);
    const { page, rows } = await allRows(admin());
    expect(page.total).toBe(SAMPLE_ROWS);
    expect(rows).toHaveLength(SAMPLE_ROWS);
  });

  it('viewer: own region only, PII masked, no margin, no export', async () => {
    const who = viewer(['Sales-EMEA']);
    const ds = summary(who);
    expect(ds.columns.map((c) => c.name)).not.toContain('margin');
    expect(ds.columns.filter((c) => c.masked).map((c) => c.name)).toEqual(['customer_name', 'customer_email']);
    expect(ds.canExport).toBe(false);
    expect(ds.rowScope).toBe('region is EMEA');

    const { page, rows } = await allRows(who);
    expect(page.columns).not.toContain('margin');
    expect(page.total).toBe(regionTotals.get('EMEA'));
    expect(rows).toHaveLength(regionTotals.get('EMEA')!);
    expect(new Set(rows.map((r) => r.region))).toEqual(new Set(['EMEA']));
    for (const r of rows) {
      expect(r.customer_email).toMatch(MASKED_EMAIL);
      expect(r.customer_name).toMatch(MASKED_NAME);
    }
  });

  it('analyst: every region, PII masked, margin shown, export allowed', async () => {
    const who = analyst();
    const ds = summary(who);
    expect(ds.columns.map((c) => c.name)).toContain('margin');
    expect(ds.columns.filter((c) => c.masked).map((c) => c.name)).toEqual(['customer_name', 'customer_email']);
    expect(ds.canExport).toBe(true);
    expect(ds.rowScope).toBeNull();

    const { page, rows } = await allRows(who);
    expect(page.total).toBe(SAMPLE_ROWS);
    expect(new Set(rows.map((r) => r.region))).toEqual(new Set(['EMEA', 'AMER', 'APAC', 'LATAM']));
    for (const r of rows) expect(r.customer_email).toMatch(MASKED_EMAIL);
    expect(rows.every((r) => typeof r.margin === 'number')).toBe(true);
  });

  it('manager: own region with PII, margin shown, export allowed', async () => {
    const who = manager(['Sales-EMEA']);
    const ds = summary(who);
    expect(ds.columns.some((c) => c.masked)).toBe(false);
    expect(ds.columns.map((c) => c.name)).toContain('margin');
    expect(ds.canExport).toBe(true);

    const { page, rows } = await allRows(who);
    expect(page.total).toBe(regionTotals.get('EMEA'));
    expect(new Set(rows.map((r) => r.region))).toEqual(new Set(['EMEA']));
    for (const r of rows) expect(r.customer_email).toMatch(REAL_EMAIL);
    expect(rows.some((r) => r.customer_name === 'Jane Doe')).toBe(true);
  });

  it('admin: every row and column unmasked', async () => {
    const ds = summary(admin());
    expect(ds.columns.map((c) => c.name)).toEqual([
      'id',
      'order_date',
      'region',
      'country',
      'customer_name',
      'customer_email',
      'product',
      'quantity',
      'amount',
      'margin',
      'sales_rep',
    ]);
    expect(ds.columns.some((c) => c.masked)).toBe(false);
    expect(ds.canExport).toBe(true);
    const page = await service.query(admin(), pageInput({ limit: 1, sort: [{ column: 'id', direction: 'asc' }] }));
    expect(page.rows[0]).toEqual([
      1,
      '2023-01-01',
      'EMEA',
      'Germany',
      'Jane Doe',
      'jane.doe@example.com',
      'Laptop Pro 14',
      1,
      1899,
      417.78,
      'Anna Becker',
    ]);
  });

  it('a user in no all-rows role and no matching group sees no rows (fail closed)', async () => {
    for (const who of [
      viewer([]),
      manager([]),
      viewer(['sales-emea']),
      viewer(['Sales-EMEA-extra']),
      principal([], ['Sales-EMEA']),
    ]) {
      const page = await service.query(who, pageInput());
      expect(page.total).toBe(0);
      expect(page.rows).toEqual([]);
      const counts = await service.counts(who, { datasetId: SAMPLE, column: 'region', filters: [], search: '' });
      expect(counts).toEqual([]);
    }
    expect(summary(viewer([])).rowScope).toMatch(/no rows/);
  });

  it('roles a user does not know grant nothing; two groups give both regions', async () => {
    expect((await service.query(principal(['constructor', '__proto__'], []), pageInput())).total).toBe(0);
    const both = await service.counts(viewer(['Sales-EMEA', 'Sales-APAC']), {
      datasetId: SAMPLE,
      column: 'region',
      filters: [],
      search: '',
    });
    expect(both.map((b) => b.value).sort()).toEqual(['APAC', 'EMEA']);
    expect(summary(viewer(['Sales-EMEA', 'Sales-APAC'])).rowScope).toBe('region is EMEA or APAC');
  });

  it('removing the group takes effect at the next call (nothing cached across scopes)', async () => {
    const before = await service.query(viewer(['Sales-EMEA']), pageInput());
    expect(before.total).toBe(regionTotals.get('EMEA'));
    const after = await service.query(viewer([]), pageInput());
    expect(after.total).toBe(0);
  });
});
