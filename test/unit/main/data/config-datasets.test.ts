/**
 * Datasets declared in configuration (a DuckDB file table, a CSV, a Parquet file), each
 * with its own security; a dataset that cannot be opened or whose rules name a missing
 * column is left out (fail closed), and the others still work.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataConfig, type DataConfigInput } from '../../../../main/data/data-config';
import type { DataService } from '../../../../main/data/data-service';
import { expectAppError } from '../../helpers';
import {
  admin,
  analyst,
  duckdb,
  makeTempDir,
  manager,
  pageInput,
  principal,
  removeDir,
  startService,
  viewer,
} from './data-fixtures';

const DEALS = `SELECT * FROM (VALUES
  (1, 'ana@corp.test', 'EMEA', 'Acme GmbH', 'ceo@acme.test', 120000.50, DATE '2024-03-01', 'internal note 1'),
  (2, 'ana@corp.test', 'EMEA', 'Globex', 'buyer@globex.test', 5000.00, DATE '2024-04-15', 'internal note 2'),
  (3, 'bob@corp.test', 'AMER', 'Initech', 'peter@initech.test', 73000.00, DATE '2024-05-20', 'internal note 3'),
  (4, 'CAROL@corp.test', 'APAC', 'Umbrella', 'a@umbrella.test', 9900.99, DATE '2024-06-30', 'internal note 4')
) AS t(deal_id, owner_email, region, account, contact_email, value, closed_on, note)`;

const SECURITY: NonNullable<DatasetConfigInputSecurity> = {
  allRowsRoles: ['admin'],
  rowScopes: [
    { attribute: 'email', column: 'owner_email' },
    { group: 'Deals-APAC', column: 'region', values: ['APAC'] },
  ],
  columns: {
    contact_email: { mask: 'email' },
    account: { mask: 'full', unmaskedWith: 'data.export' },
    note: { hidden: true, visibleTo: { permissions: ['admin.settings'] } },
  },
};

type DatasetConfigInputSecurity = NonNullable<NonNullable<DataConfigInput>['datasets']>[number]['security'];

let dir: string;
let service: DataService;
let stop: () => Promise<void>;
let errors: unknown[];

beforeAll(async () => {
  dir = await makeTempDir();
  const db = path.join(dir, "crm's.duckdb"); // A quote in the path: quoted, not concatenated.
  const csv = path.join(dir, 'deals.csv');
  const parquet = path.join(dir, 'deals.parquet');
  await duckdb([`CREATE TABLE deals AS ${DEALS}`, 'CREATE SCHEMA sales', `CREATE TABLE sales.deals AS ${DEALS}`], db);
  await duckdb([`COPY (${DEALS}) TO '${csv}' (HEADER)`, `COPY (${DEALS}) TO '${parquet}' (FORMAT parquet)`]);
  const config: DataConfigInput = {
    sample: { enabled: false },
    datasets: [
      {
        id: 'deals-db',
        name: 'Deals (DuckDB)',
        source: { type: 'duckdb', path: db, table: 'deals', schema: 'sales' },
        key: 'deal_id',
        security: SECURITY,
      },
      { id: 'deals-csv', name: 'Deals (CSV)', source: { type: 'csv', path: csv }, key: 'deal_id', security: SECURITY },
      {
        id: 'deals-parquet',
        name: 'Deals (Parquet)',
        description: 'Closed deals',
        source: { type: 'parquet', path: parquet },
        columns: [
          { name: 'deal_id', label: 'Deal' },
          { name: 'owner_email' },
          { name: 'region' },
          { name: 'value' },
          { name: 'closed_on' },
        ],
        key: 'deal_id',
        chartColumns: ['region'],
        security: { rowScopes: [{ group: 'Sales-EMEA', column: 'region', values: ['EMEA'] }] },
      },
      { id: 'missing', name: 'Missing file', source: { type: 'parquet', path: path.join(dir, 'nope.parquet') } },
      {
        id: 'typo',
        name: 'Typo in a rule',
        source: { type: 'csv', path: csv },
        // "contact_emial" does not exist: showing the dataset would show contact_email unmasked.
        security: { columns: { contact_emial: { mask: 'email' } } },
      },
    ],
  };
  ({ service, stop, errors } = await startService(config, { dir }));
});
afterAll(async () => {
  await stop();
  await removeDir(dir);
});

const SOURCES = ['deals-db', 'deals-csv'];

describe('configured datasets', () => {
  it('lists the ones that opened, with their columns and types', () => {
    const list = service.listDatasets(admin()).filter((d) => d.status === 'ready');
    expect(list.map((d) => d.id)).toEqual(['deals-db', 'deals-csv', 'deals-parquet']);
    expect(list.every((d) => d.error === null)).toBe(true);
    const db = list[0]!;
    expect(db.columns.map((c) => [c.name, c.type])).toEqual([
      ['deal_id', 'integer'],
      ['owner_email', 'text'],
      ['region', 'text'],
      ['account', 'text'],
      ['contact_email', 'text'],
      ['value', 'decimal'],
      ['closed_on', 'date'],
      ['note', 'text'],
    ]);
    expect(db.chartColumns).toEqual(['owner_email', 'region', 'account', 'contact_email', 'note']);
    const parquet = list[2]!;
    expect(parquet.columns.map((c) => c.label)).toEqual(['Deal', 'Owner email', 'Region', 'Value', 'Closed on']);
    expect(parquet.description).toBe('Closed deals');
    expect(parquet.chartColumns).toEqual(['region']);
  });

  it('leaves out a dataset that cannot be opened or whose rules name a missing column, and lists it as failed with why', async () => {
    expect(errors.map((e) => (e as { dataset?: string }).dataset).filter(Boolean)).toEqual(['missing', 'typo']);
    const missing = await expectAppError(service.query(admin(), pageInput({ datasetId: 'missing' })), 'DATA_UNAVAILABLE');
    expect(missing.message).toBe(
      'The dataset "Missing file" could not be opened. Its file was not found. Ask IT to check its configuration.',
    );
    await expectAppError(service.query(admin(), pageInput({ datasetId: 'typo' })), 'DATA_UNAVAILABLE');
    // In configuration order, for every user who may read data: nothing of the file, no path.
    for (const who of [admin(), viewer()]) {
      const failed = service.listDatasets(who).filter((d) => d.status === 'failed');
      expect(failed).toEqual([
        {
          id: 'missing',
          name: 'Missing file',
          description: '',
          columns: [],
          rowScope: null,
          canExport: false,
          chartColumns: [],
          status: 'failed',
          error: 'Its file was not found.',
        },
        expect.objectContaining({ id: 'typo', status: 'failed', error: 'Its configuration does not match its file.' }),
      ]);
    }
    expect(service.listDatasets(admin()).map((d) => d.id)).toEqual(['deals-db', 'deals-csv', 'deals-parquet', 'missing', 'typo']);
  });

  for (const id of SOURCES) {
    it(`${id}: attribute scope (own email, any case), group scope, masks and a hidden column`, async () => {
      const ana = principal(['manager'], [], 'ana@corp.test');
      const anaPage = await service.query(ana, pageInput({ datasetId: id, sort: [{ column: 'deal_id', direction: 'asc' }] }));
      expect(anaPage.total).toBe(2);
      expect(anaPage.columns).not.toContain('note');
      const col = (name: string) => anaPage.columns.indexOf(name);
      expect(anaPage.rows.map((r) => r[col('deal_id')])).toEqual([1, 2]);
      // manager has data.read.pii (contact unmasked) and data.export (account unmasked).
      expect(anaPage.rows[0]![col('contact_email')]).toBe('ceo@acme.test');
      expect(anaPage.rows[0]![col('account')]).toBe('Acme GmbH');
      expect(anaPage.rows[0]![col('value')]).toBe(120000.5);
      expect(anaPage.rows[0]![col('closed_on')]).toBe('2024-03-01');

      const carol = principal(['viewer'], [], 'carol@corp.test');
      const carolPage = await service.query(carol, pageInput({ datasetId: id }));
      expect(carolPage.total).toBe(1);
      expect(carolPage.rows[0]![carolPage.columns.indexOf('contact_email')]).toBe('a***@umbrella.test');
      expect(carolPage.rows[0]![carolPage.columns.indexOf('account')]).toBe('***');

      // An analyst is not an all-rows role here; the APAC group grants APAC.
      expect((await service.query(analyst(), pageInput({ datasetId: id }))).total).toBe(0);
      expect((await service.query(analyst(['Deals-APAC']), pageInput({ datasetId: id }))).total).toBe(1);
      // A user without an email attribute matches no attribute scope.
      expect((await service.query(principal(['manager'], [], 'ana'), pageInput({ datasetId: id }))).total).toBe(0);

      const all = await service.query(admin(), pageInput({ datasetId: id }));
      expect(all.total).toBe(4);
      expect(all.columns).toContain('note');
      await expectAppError(service.counts(ana, { datasetId: id, column: 'note', filters: [], search: '' }), 'UNKNOWN_COLUMN');
    });
  }

  it('a filter number must fit the column type of the source; any number fits a DOUBLE', async () => {
    // deals-db: deal_id INTEGER, value DECIMAL(8,2); deals-csv: deal_id BIGINT, value DOUBLE.
    const filter = (datasetId: string, column: string, op: 'gte' | 'lte', value: number) =>
      service.query(admin(), pageInput({ datasetId, filters: [{ column, op, value }] }));
    await expectAppError(filter('deals-db', 'deal_id', 'gte', 2 ** 31), 'INVALID_PAYLOAD');
    await expectAppError(filter('deals-db', 'value', 'gte', 1e6), 'INVALID_PAYLOAD');
    await expectAppError(filter('deals-csv', 'deal_id', 'lte', -1e19), 'INVALID_PAYLOAD');
    expect((await filter('deals-db', 'value', 'lte', 999999.99)).total).toBe(4);
    expect((await filter('deals-csv', 'value', 'gte', 1e300)).total).toBe(0);
    expect((await filter('deals-csv', 'value', 'lte', 1e300)).total).toBe(4);
    expect((await filter('deals-csv', 'value', 'gte', -1e19)).total).toBe(4);
  });

  it('parquet: only the allow-listed columns, analysts see every row by default', async () => {
    const page = await service.query(analyst(), pageInput({ datasetId: 'deals-parquet' }));
    expect(page.columns).toEqual(['deal_id', 'owner_email', 'region', 'value', 'closed_on']);
    expect(page.total).toBe(4);
    expect((await service.query(viewer(['Sales-EMEA']), pageInput({ datasetId: 'deals-parquet' }))).total).toBe(2);
    // Pages of a view (no rowid) and of a table (rowid) come out the same.
    for (const id of ['deals-parquet', 'deals-db', 'deals-csv']) {
      const second = await service.query(
        admin(),
        pageInput({ datasetId: id, sort: [{ column: 'value', direction: 'desc' }], offset: 1, limit: 2 }),
      );
      expect(second.rows.map((r) => r[0])).toEqual([3, 4]);
      expect(second.total).toBe(4);
    }
    expect((await service.query(manager([]), pageInput({ datasetId: 'deals-parquet' }))).total).toBe(0);
    await expectAppError(
      service.query(admin(), pageInput({ datasetId: 'deals-parquet', filters: [{ column: 'note', op: 'eq', value: 'x' }] })),
      'UNKNOWN_COLUMN',
    );
  });
});

describe('data configuration schema', () => {
  it('rejects unknown keys, bad names, duplicate and reserved ids', () => {
    const ok = { id: 'x', name: 'X', source: { type: 'csv', path: '/tmp/x.csv' } };
    expect(dataConfig.safeParse({ datasets: [ok] }).success).toBe(true);
    expect(dataConfig.safeParse({ datasets: [{ ...ok, extra: 1 }] }).success).toBe(false);
    expect(dataConfig.safeParse({ datasets: [ok, ok] }).success).toBe(false);
    expect(dataConfig.safeParse({ datasets: [{ ...ok, id: 'sample-orders' }] }).success).toBe(false);
    expect(dataConfig.safeParse({ datasets: [{ ...ok, id: 'Bad Id' }] }).success).toBe(false);
    expect(dataConfig.safeParse({ datasets: [{ ...ok, columns: [{ name: 'a"b' }] }] }).success).toBe(false);
    expect(dataConfig.safeParse({ datasets: [{ ...ok, source: { type: 'duckdb', path: '/x', table: 'a;b' } }] }).success).toBe(
      false,
    );
    expect(dataConfig.safeParse({ datasets: [{ ...ok, security: { allRowsRoles: ['root'] } }] }).success).toBe(false);
    expect(
      dataConfig.safeParse({ datasets: [{ ...ok, security: { rowScopes: [{ attribute: 'department', column: 'd' }] } }] })
        .success,
    ).toBe(false);
    expect(dataConfig.safeParse({ datasets: [{ ...ok, columns: [{ name: 'a' }], key: 'b' }] }).success).toBe(false);
    expect(dataConfig.safeParse({ exportAllowed: 'yes' }).success).toBe(false);
  });

  it('defaults: export allowed, analysts and admins see all rows, PII permission unmasks', () => {
    const parsed = dataConfig.parse({
      datasets: [{ id: 'x', name: 'X', source: { type: 'csv', path: '/x' }, security: { columns: { e: { mask: 'email' } } } }],
    });
    expect(parsed.exportAllowed).toBe(true);
    expect(parsed.datasets[0]!.security.allRowsRoles).toEqual(['analyst', 'admin']);
    expect(parsed.datasets[0]!.security.columns.e).toEqual({ mask: 'email', unmaskedWith: 'data.read.pii', hidden: false });
  });
});
