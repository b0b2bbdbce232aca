/**
 * The query builder: user input never becomes SQL text. Column names are looked up in the
 * allow-list (unknown and hidden ones refused), values are bound, LIKE wildcards escaped,
 * and masked columns are filtered, sorted, searched and counted as shown. Each hostile input
 * is checked twice: the SQL text does not contain it, and the real engine's answer is right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SECURITY } from '../../../../main/data/data-config';
import type { DataService } from '../../../../main/data/data-service';
import { describeNumberType, numberFitsType, type DatasetDef } from '../../../../main/data/dataset';
import type { Principal } from '../../../../main/data/principal';
import {
  buildCountQuery,
  buildCountsQuery,
  buildExportQuery,
  buildPageQuery,
  escapeLike,
  findDataset,
  type DataFilter,
} from '../../../../main/data/query-builder';
import { SAMPLE_CHART_COLUMNS, SAMPLE_COLUMNS } from '../../../../main/data/sample-data';
import { schemas } from '../../../../preload/contract';
import { expectAppError } from '../../helpers';
import { admin, analyst, manager, pageInput, SAMPLE, startService, viewer } from './data-fixtures';

const ORDERS: DatasetDef = {
  id: SAMPLE,
  name: 'Sample orders',
  description: '',
  relation: '"sample"."main"."orders"',
  columns: SAMPLE_COLUMNS,
  key: 'id',
  rowid: true,
  chartColumns: SAMPLE_CHART_COLUMNS,
  security: SAMPLE_SECURITY,
};

const HOSTILE = [
  "' OR 1=1 --",
  "EMEA' OR '1'='1",
  'region; DROP TABLE orders',
  '"; DROP TABLE orders; --',
  "EMEA'); SELECT * FROM read_csv('/etc/passwd'); --",
  '\u02bc OR 1=1 --', // modifier letter apostrophe
  '\uff07 OR 1=1 --', // fullwidth apostrophe
  'EMEA\u202e--',
  "E\u0301MEA' --",
  '$1',
  '?',
];

const noView = { filters: [] as DataFilter[], search: '' };

describe('query builder: SQL text never holds user values', () => {
  for (const text of HOSTILE) {
    it(`binds ${JSON.stringify(text)} in filters and search`, () => {
      for (const who of [viewer(), analyst(), admin()]) {
        const filters: DataFilter[] = [
          { column: 'region', op: 'eq', value: text },
          { column: 'customer_email', op: 'contains', value: text },
          { column: 'product', op: 'gte', value: text },
        ];
        const page = buildPageQuery(ORDERS, who, { filters, search: text, sort: [], offset: 0, limit: 10 });
        // `$1` and `?` are too short to be found meaningfully: they must simply be in params.
        if (text.length > 2) expect(page.sql).not.toContain(text);
        expect(page.params).toContain(text);
        expect(page.params).toContain(`%${escapeLike(text)}%`);
        const count = buildCountQuery(ORDERS, who, { filters, search: text });
        if (text.length > 2) expect(count.sql).not.toContain(text);
        const counts = buildCountsQuery(ORDERS, who, { filters, search: text, column: 'region' });
        if (text.length > 2) expect(counts.sql).not.toContain(text);
      }
    });
  }

  it('placeholders match the parameters in every query', () => {
    const filters: DataFilter[] = [
      { column: 'amount', op: 'gte', value: '100' },
      { column: 'order_date', op: 'lte', value: '2024-06-30' },
      { column: 'customer_name', op: 'contains', value: 'J' },
    ];
    for (const who of [viewer(['Sales-EMEA', 'Sales-AMER']), analyst(), manager(), admin()]) {
      for (const q of [
        buildPageQuery(ORDERS, who, {
          filters,
          search: 'x',
          sort: [{ column: 'amount', direction: 'desc' }],
          offset: 5,
          limit: 10,
        }),
        buildCountQuery(ORDERS, who, { filters, search: 'x' }),
        buildCountsQuery(ORDERS, who, { filters, search: 'x', column: 'product' }),
        buildExportQuery(ORDERS, who, { filters, search: 'x', sort: [] }),
      ]) {
        expect(q.sql.split('?').length - 1).toBe(q.params.length);
      }
    }
  });

  it('escapes LIKE wildcards so that % and _ match themselves', () => {
    expect(escapeLike('100%_a\\b')).toBe('100\\%\\_a\\\\b');
  });
});

describe('query builder: columns', () => {
  const cases: [string, string][] = [
    ['unknown', 'password'],
    ['injected', 'region; DROP TABLE orders'],
    ['quoted', 'region" FROM orders --'],
    ['prototype', '__proto__'],
    ['constructor', 'constructor'],
  ];
  for (const [what, column] of cases) {
    it(`refuses an ${what} column in sort, filter and counts`, async () => {
      const who = admin();
      await expectAppError(
        (async () => buildPageQuery(ORDERS, who, { ...noView, sort: [{ column, direction: 'asc' }], offset: 0, limit: 1 }))(),
        'UNKNOWN_COLUMN',
      );
      await expectAppError(
        (async () => buildCountQuery(ORDERS, who, { filters: [{ column, op: 'eq', value: 'x' }], search: '' }))(),
        'UNKNOWN_COLUMN',
      );
      await expectAppError((async () => buildCountsQuery(ORDERS, who, { ...noView, column }))(), 'UNKNOWN_COLUMN');
    });
  }

  it('a hidden column is unknown to those who may not see it, everywhere', async () => {
    const who = viewer();
    const sql = buildPageQuery(ORDERS, who, { ...noView, sort: [], offset: 0, limit: 1 }).sql;
    expect(sql).not.toContain('margin');
    expect(buildExportQuery(ORDERS, who, { ...noView, sort: [] }).sql).not.toContain('margin');
    await expectAppError(
      (async () =>
        buildPageQuery(ORDERS, who, { ...noView, sort: [{ column: 'margin', direction: 'desc' }], offset: 0, limit: 1 }))(),
      'UNKNOWN_COLUMN',
    );
    await expectAppError(
      (async () => buildCountQuery(ORDERS, who, { filters: [{ column: 'margin', op: 'gte', value: 0 }], search: '' }))(),
      'UNKNOWN_COLUMN',
    );
    await expectAppError((async () => buildCountsQuery(ORDERS, who, { ...noView, column: 'margin' }))(), 'UNKNOWN_COLUMN');
    // The analyst may.
    expect(buildCountsQuery(ORDERS, analyst(), { ...noView, column: 'margin' }).sql).toContain('"margin"');
  });

  it('masked columns are filtered, sorted and counted on the masked expression', () => {
    const who = analyst();
    const page = buildPageQuery(ORDERS, who, {
      filters: [{ column: 'customer_email', op: 'eq', value: 'jane.doe@example.com' }],
      search: '',
      sort: [{ column: 'customer_name', direction: 'asc' }],
      offset: 0,
      limit: 5,
    });
    expect(page.sql).toMatch(/WHERE regexp_replace\(CAST\("customer_email" AS VARCHAR\)/);
    expect(page.sql).toMatch(/ORDER BY regexp_replace\(CAST\("customer_name" AS VARCHAR\)/);
    expect(buildCountsQuery(ORDERS, who, { ...noView, column: 'customer_email' }).sql).toMatch(/SELECT CAST\(regexp_replace/);
    // With data.read.pii the real column is used.
    expect(buildPageQuery(ORDERS, manager(), { ...page, ...noView, sort: [], offset: 0, limit: 1 }).sql).not.toContain(
      'regexp_replace',
    );
  });

  it('refuses values that do not fit the column type, and bad paging', async () => {
    await expectAppError(
      (async () =>
        buildCountQuery(ORDERS, admin(), { filters: [{ column: 'amount', op: 'gte', value: '1; DROP' }], search: '' }))(),
      'INVALID_PAYLOAD',
    );
    await expectAppError(
      (async () =>
        buildCountQuery(ORDERS, admin(), {
          filters: [{ column: 'order_date', op: 'eq', value: "2024-01-01' --" }],
          search: '',
        }))(),
      'INVALID_PAYLOAD',
    );
    await expectAppError(
      (async () => buildPageQuery(ORDERS, admin(), { ...noView, sort: [], offset: -1, limit: 1 }))(),
      'INVALID_PAYLOAD',
    );
    await expectAppError(
      (async () => buildPageQuery(ORDERS, admin(), { ...noView, sort: [], offset: 0.5, limit: 1 }))(),
      'INVALID_PAYLOAD',
    );
  });

  it('unknown datasets are UNKNOWN_DATASET', async () => {
    await expectAppError((async () => findDataset(new Map([[SAMPLE, ORDERS]]), 'nope'))(), 'UNKNOWN_DATASET');
    await expectAppError((async () => findDataset(new Map([[SAMPLE, ORDERS]]), '__proto__'))(), 'UNKNOWN_DATASET');
  });

  it('the contract refuses hostile names before the builder sees them', () => {
    const bad = schemas.dataQuery.safeParse({
      datasetId: SAMPLE,
      sort: [{ column: 'region; DROP TABLE', direction: 'asc' }],
      offset: 0,
      limit: 1,
    });
    expect(bad.success).toBe(false);
    const badOp = schemas.dataQuery.safeParse({
      datasetId: SAMPLE,
      filters: [{ column: 'region', op: 'OR 1=1', value: 'x' }],
      offset: 0,
      limit: 1,
    });
    expect(badOp.success).toBe(false);
  });
});

describe('query builder: a number filter must fit its column type', () => {
  const count = (column: string, op: DataFilter['op'], value: string | number) =>
    (async () => buildCountQuery(ORDERS, admin(), { filters: [{ column, op, value }], search: '' }))();

  it.each([
    ['quantity', 'gte', 1e30, /Quantity holds whole numbers from -2,147,483,648 to 2,147,483,647/],
    ['quantity', 'eq', 2147483648, /Quantity holds whole numbers from/],
    ['quantity', 'lte', -2147483649, /Quantity holds whole numbers from/],
    ['quantity', 'gte', '3e9', /Quantity holds whole numbers from/],
    ['id', 'gte', 9.3e18, /Order holds whole numbers from/],
    ['amount', 'gte', 1e10, /Amount holds numbers from -9,999,999,999.99 to 9,999,999,999.99/],
    ['amount', 'lte', '-1e10', /Amount holds numbers from/],
  ] as const)('%s %s %s is INVALID_PAYLOAD naming the range', async (column, op, value, message) => {
    const error = await expectAppError(count(column, op, value), 'INVALID_PAYLOAD');
    expect(error.message).toMatch(message);
    expect(error.extra.fields?.filters).toMatch(message);
  });

  it('takes the values at the ends of the range, and fractions (compared as numbers)', async () => {
    for (const [column, value] of [
      ['quantity', 2147483647],
      ['quantity', -2147483648],
      ['quantity', 1.5],
      ['amount', 9999999999.99],
      ['amount', '-9999999999.99'],
    ] as const) {
      await expect(count(column, 'lte', value)).resolves.toMatchObject({ params: [Number(value)] });
    }
  });

  it('knows the range of each numeric DuckDB type', () => {
    const fits = (type: string, n: number) => numberFitsType(type, n);
    expect([fits('TINYINT', -128), fits('TINYINT', 127), fits('TINYINT', 128), fits('TINYINT', -129)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([fits('UTINYINT', 0), fits('UTINYINT', 255), fits('UTINYINT', 256), fits('UTINYINT', -1)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([fits('SMALLINT', 32767), fits('SMALLINT', 32768), fits('USMALLINT', 65535), fits('USMALLINT', 65536)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([fits('UINTEGER', 4294967295), fits('UINTEGER', 4294967296), fits('UINTEGER', -0.5)]).toEqual([true, false, false]);
    // 2^63 is the first value past BIGINT (2^63 - 1 has no double of its own).
    expect([fits('BIGINT', -(2 ** 63)), fits('BIGINT', 2 ** 63), fits('UBIGINT', 2 ** 63), fits('UBIGINT', 2 ** 64)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([fits('HUGEINT', 1e38), fits('HUGEINT', 1e39), fits('UHUGEINT', 3e38), fits('UHUGEINT', -1)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([
      fits('DECIMAL(5,2)', 999.99),
      fits('DECIMAL(5,2)', 1000),
      fits('DECIMAL(5,2)', -999.99),
      fits('DECIMAL(3,3)', 1),
    ]).toEqual([true, false, true, false]);
    expect([fits('FLOAT', 3.4e38), fits('FLOAT', 3.5e38), fits('REAL', -3.5e38)]).toEqual([true, false, false]);
    expect([fits('DOUBLE', 1e308), fits('DOUBLE', -1e308)]).toEqual([true, true]);
    expect(describeNumberType('DECIMAL(3,3)')).toBe('numbers from -0.999 to 0.999');
    expect(describeNumberType('UTINYINT')).toBe('whole numbers from 0 to 255');
    expect(describeNumberType('DOUBLE')).toBe('numbers');
  });
});

describe('query builder on the real engine', () => {
  let service: DataService;
  let stop: () => Promise<void>;
  let emea: number;
  beforeAll(async () => {
    ({ service, stop } = await startService());
    emea = (await service.query(admin(), pageInput({ filters: [{ column: 'region', op: 'eq', value: 'EMEA' }] }))).total;
  });
  afterAll(() => stop());

  const total = (who: Principal, overrides: Parameters<typeof pageInput>[0]) =>
    service.query(who, pageInput(overrides)).then((p) => p.total);

  it('hostile filter values and searches match nothing (they are data, not SQL)', async () => {
    for (const text of HOSTILE) {
      for (const who of [viewer(), analyst(), admin()]) {
        expect(await total(who, { filters: [{ column: 'region', op: 'eq', value: text }] })).toBe(0);
        expect(await total(who, { filters: [{ column: 'customer_name', op: 'contains', value: text }] })).toBe(0);
        expect(await total(who, { search: text })).toBe(0);
      }
    }
    // The scope still holds alongside a hostile value.
    expect(await total(viewer(), { filters: [{ column: 'region', op: 'gte', value: "' OR 1=1 --" }] })).toBe(emea);
  });

  it('% and _ in a search match only themselves', async () => {
    expect(await total(admin(), { search: '%' })).toBe(0);
    expect(await total(admin(), { search: '_' })).toBe(0);
    expect(await total(admin(), { search: 'jane%doe' })).toBe(0);
    expect(await total(admin(), { search: 'jane.doe' })).toBeGreaterThan(0);
  });

  it('a NUL character in a value is data too', async () => {
    expect(await total(admin(), { search: 'EMEA\u0000' })).toBe(0);
  });

  it('search covers every visible text column, case-insensitively', async () => {
    const rows = await service.query(admin(), pageInput({ search: 'LAPTOP pro', limit: 500 }));
    expect(rows.total).toBeGreaterThan(0);
    const product = rows.columns.indexOf('product');
    expect(rows.rows.every((r) => r[product] === 'Laptop Pro 14')).toBe(true);
  });

  it('a masked column cannot be used as an oracle for the real value', async () => {
    // Jane Doe (jane.doe@example.com) is order 1, in EMEA: the manager sees her.
    const real = { filters: [{ column: 'customer_email', op: 'eq' as const, value: 'jane.doe@example.com' }] };
    expect(await total(manager(), real)).toBeGreaterThan(0);
    for (const who of [viewer(), analyst()]) {
      expect(await total(who, real)).toBe(0);
      expect(await total(who, { filters: [{ column: 'customer_email', op: 'contains', value: 'jane' }] })).toBe(0);
      expect(await total(who, { filters: [{ column: 'customer_name', op: 'contains', value: 'Doe' }] })).toBe(0);
      expect(
        await total(who, {
          filters: [
            { column: 'customer_email', op: 'gte', value: 'jane' },
            { column: 'customer_email', op: 'lte', value: 'janf' },
          ],
        }),
      ).toBe(0);
      expect(await total(who, { search: 'jane.doe' })).toBe(0);
      // What they can see, they can filter by.
      expect(await total(who, { filters: [{ column: 'customer_email', op: 'eq', value: 'j***@example.com' }] })).toBeGreaterThan(
        0,
      );
      const counts = await service.counts(who, { datasetId: SAMPLE, column: 'customer_email', filters: [], search: '' });
      expect(counts.every((b) => /\*\*\*@/.test(b.value ?? ''))).toBe(true);
      // Sorting by a masked column orders by the masked value.
      const sorted = await service.query(who, pageInput({ sort: [{ column: 'customer_email', direction: 'asc' }], limit: 500 }));
      const col = sorted.columns.indexOf('customer_email');
      const values = sorted.rows.map((r) => String(r[col]));
      expect(values).toEqual([...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });

  it('filters by number and date, sorts, and pages without overlap', async () => {
    const filters = [
      { column: 'amount', op: 'gte' as const, value: 1000 },
      { column: 'order_date', op: 'gte' as const, value: '2024-01-01' },
      { column: 'order_date', op: 'lte' as const, value: '2024-12-31' },
    ];
    const first = await service.query(
      admin(),
      pageInput({ filters, sort: [{ column: 'amount', direction: 'desc' }], limit: 50 }),
    );
    const second = await service.query(
      admin(),
      pageInput({ filters, sort: [{ column: 'amount', direction: 'desc' }], offset: 50, limit: 50 }),
    );
    const amount = first.columns.indexOf('amount');
    const date = first.columns.indexOf('order_date');
    const all = [...first.rows, ...second.rows];
    expect(first.total).toBe(second.total);
    expect(all.every((r) => (r[amount] as number) >= 1000 && String(r[date]).startsWith('2024-'))).toBe(true);
    const amounts = all.map((r) => r[amount] as number);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    const ids = all.map((r) => r[0]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a filter number outside its column type is INVALID_PAYLOAD, not an engine failure', async () => {
    for (const value of [1e30, -1e30, 2 ** 63, 3e9]) {
      const error = await expectAppError(
        service.query(analyst(), pageInput({ filters: [{ column: 'quantity', op: 'gte', value }] })),
        'INVALID_PAYLOAD',
      );
      expect(error.extra.fields?.filters).toMatch(/^Quantity holds whole numbers/);
    }
    await expectAppError(
      service.counts(analyst(), {
        datasetId: SAMPLE,
        column: 'region',
        filters: [{ column: 'amount', op: 'lte', value: '1e20' }],
        search: '',
      }),
      'INVALID_PAYLOAD',
    );
    // The largest INTEGER is a value like any other.
    expect(await total(analyst(), { filters: [{ column: 'quantity', op: 'lte', value: 2147483647 }] })).toBe(
      await total(analyst(), {}),
    );
  });

  it('counts by column: top values, at most 50 buckets', async () => {
    const regions = await service.counts(admin(), { datasetId: SAMPLE, column: 'region', filters: [], search: '' });
    expect(regions.map((b) => b.value).sort()).toEqual(['AMER', 'APAC', 'EMEA', 'LATAM']);
    const sizes = regions.map((b) => b.count);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe((await service.query(admin(), pageInput())).total);
    const ids = await service.counts(admin(), { datasetId: SAMPLE, column: 'id', filters: [], search: '' });
    expect(ids).toHaveLength(50);
  });

  it('unknown dataset through the service', async () => {
    await expectAppError(service.query(admin(), pageInput({ datasetId: 'nope' })), 'UNKNOWN_DATASET');
    await expectAppError(
      service.counts(admin(), { datasetId: 'nope', column: 'region', filters: [], search: '' }),
      'UNKNOWN_DATASET',
    );
  });

  it('the total is counted once per view: scrolling only runs the page query', async () => {
    const view = { filters: [{ column: 'product', op: 'eq' as const, value: 'Webcam HD' }], search: '' };
    const engine = (service as unknown as { engine: { query: (...a: unknown[]) => unknown } }).engine;
    const original = engine.query.bind(engine);
    const sql: string[] = [];
    engine.query = (...args: unknown[]) => {
      sql.push(String(args[0]));
      return original(...args);
    };
    try {
      await service.query(analyst(), pageInput({ ...view, offset: 0 }));
      await service.query(analyst(), pageInput({ ...view, offset: 100 }));
      await service.query(analyst(), pageInput({ ...view, offset: 200 }));
    } finally {
      engine.query = original;
    }
    expect(sql.filter((s) => s.startsWith('SELECT count(*)'))).toHaveLength(1);
    expect(sql).toHaveLength(4);
  });
});
