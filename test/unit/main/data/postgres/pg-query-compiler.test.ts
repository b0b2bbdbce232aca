/**
 * The PostgreSQL compiler, pure: names only from the allow-list, every value a parameter with
 * a cast from a closed list, keyset bounds in the expanded form an index can use, COPY with
 * its values in transaction settings. (Its results against a real server: postgres-dataset.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { datasetSecurityConfig } from '../../../../../main/data/data-config';
import type { Principal } from '../../../../../main/data/principal';
import {
  compileAnchors,
  compileExport,
  compilePage,
  estimateFromPlan,
  type PgDatasetDef,
} from '../../../../../main/data/postgres/pg-query-compiler';
import { CopyTextParser } from '../../../../../main/data/postgres/copy-text';
import { cellFromPg, pgBaseType } from '../../../../../main/data/postgres/pg-types';
import { ViewPaging, anchorsFromRows, MAX_SKIP } from '../../../../../main/data/postgres/view-paging';
import { expectAppError } from '../../../../unit/helpers';

const dataset: PgDatasetDef = {
  id: 'team',
  name: 'Team',
  description: '',
  relation: '"sales"."orders"',
  key: 'id',
  chartColumns: [],
  columns: [
    { name: 'id', label: 'Id', type: 'integer', pgType: 'bigint', notNull: true },
    { name: 'ordered_at', label: 'Ordered', type: 'date', pgType: 'timestamptz', notNull: true },
    { name: 'region', label: 'Region', type: 'text', pgType: 'text', notNull: false },
    { name: 'email', label: 'Email', type: 'text', pgType: 'text', notNull: false },
    { name: 'amount', label: 'Amount', type: 'decimal', pgType: 'numeric', notNull: true },
  ],
  security: datasetSecurityConfig.parse({ columns: { email: { mask: 'email' } } }),
};
const reader: Principal = { username: 'alice', email: null, roles: ['viewer'], groups: [], permissions: ['data.read'] };
const empty = { filters: [], search: '', sort: [] };
const sync = (fn: () => unknown) => expectAppError(Promise.resolve().then(fn), 'UNKNOWN_COLUMN');

describe('compilePage', () => {
  it('orders by the sort keys then the key, and starts after a keyset bound the index can seek to', () => {
    const q = compilePage(
      dataset,
      reader,
      { ...empty, sort: [{ column: 'ordered_at', direction: 'desc' }] },
      { after: ['2024-01-01 00:00:01+00', '7'], skip: 0 },
      100,
    );
    expect(q.sql).toContain('ORDER BY "ordered_at" DESC, "id" DESC LIMIT $3::integer');
    expect(q.sql).toContain(
      '"ordered_at" <= $1::timestamptz AND ("ordered_at" < $1::timestamptz OR ("ordered_at" = $1::timestamptz AND "id" < $2::bigint))',
    );
    expect(q.params).toEqual(['2024-01-01 00:00:01+00', '7', 100]);
    expect(q.keyIndexes).toEqual([1, 0]);
  });

  it('puts NULLs last on nullable keys, and after a NULL bound only NULLs remain', () => {
    const q = compilePage(
      dataset,
      reader,
      { ...empty, sort: [{ column: 'region', direction: 'asc' }] },
      { after: [null, '9'], skip: 0 },
      10,
    );
    expect(q.sql).toContain('("region" IS NULL AND "id" > $1::bigint)');
    const desc = compilePage(
      dataset,
      reader,
      { ...empty, sort: [{ column: 'region', direction: 'desc' }] },
      { after: null, skip: 0 },
      10,
    );
    expect(desc.sql).toContain('ORDER BY "region" DESC NULLS LAST, "id" DESC');
  });

  it('masks in SQL exactly like local datasets, and never sends a raw masked value as a key', () => {
    const q = compilePage(
      dataset,
      reader,
      { ...empty, sort: [{ column: 'email', direction: 'asc' }] },
      { after: ['j***@x.com', '1'], skip: 0 },
      10,
    );
    expect(q.sql).toContain(`regexp_replace(CAST("email" AS VARCHAR), '^([^@])[^@]*', '\\1***') AS "email"`);
    expect(q.sql).toContain(`regexp_replace(CAST("email" AS VARCHAR), '^([^@])[^@]*', '\\1***') > $1::text`);
  });

  it('keeps user text out of the SQL: values are parameters, names must be in the allow-list', async () => {
    const evil = `'); DROP TABLE sales.orders; --`;
    const q = compilePage(
      dataset,
      reader,
      { filters: [{ column: 'region', op: 'eq', value: evil }], search: evil, sort: [] },
      { after: null, skip: 0 },
      10,
    );
    expect(q.sql).not.toContain('DROP');
    expect(q.params).toContain(evil);
    expect(q.params).toContain(`%'); DROP TABLE sales.orders; --%`);
    await sync(() =>
      compilePage(
        dataset,
        reader,
        { ...empty, sort: [{ column: 'id" ; DROP', direction: 'asc' }] },
        { after: null, skip: 0 },
        10,
      ),
    );
    await sync(() =>
      compilePage(
        dataset,
        reader,
        { filters: [{ column: 'ctid', op: 'eq', value: 1 }], search: '', sort: [] },
        { after: null, skip: 0 },
        10,
      ),
    );
    await expectAppError(
      Promise.resolve().then(() =>
        compilePage(
          dataset,
          reader,
          { filters: [{ column: 'id', op: 'eq', value: '1 OR 1=1' }], search: '', sort: [] },
          { after: null, skip: 0 },
          10,
        ),
      ),
      'INVALID_PAYLOAD',
    );
  });

  it('keeps integer filters on the column’s type (no cast of the column), and dates as day ranges', () => {
    const q = compilePage(
      dataset,
      reader,
      {
        filters: [
          { column: 'id', op: 'gte', value: 10.2 },
          { column: 'id', op: 'eq', value: 1.5 },
          { column: 'ordered_at', op: 'lte', value: '2024-02-01' },
        ],
        search: '',
        sort: [],
      },
      { after: null, skip: 0 },
      10,
    );
    expect(q.sql).toContain('"id" >= $1::bigint AND FALSE AND "ordered_at" < $2::date + 1');
    expect(q.params.slice(0, 2)).toEqual([11, '2024-02-01']);
  });

  it('refuses paging values that are not whole, non-negative numbers, and a key the person may not read', async () => {
    await expectAppError(
      Promise.resolve().then(() => compilePage(dataset, reader, empty, { after: null, skip: -1 }, 10)),
      'INVALID_PAYLOAD',
    );
    const noKey = { ...dataset, columns: dataset.columns.filter((c) => c.name !== 'id') };
    await expectAppError(
      Promise.resolve().then(() => compilePage(noKey, reader, empty, { after: null, skip: 0 }, 10)),
      'DATA_ACCESS_DENIED',
    );
    await expectAppError(
      Promise.resolve().then(() => compilePage(dataset, { ...reader, permissions: [] }, empty, { after: null, skip: 0 }, 10)),
      'PERMISSION_DENIED',
    );
  });
});

describe('compileExport and compileAnchors', () => {
  it('reads COPY’s values from transaction settings set with bound parameters', () => {
    const q = compileExport(dataset, reader, { filters: [{ column: 'amount', op: 'gte', value: 5 }], search: "it's", sort: [] });
    expect(q.copySql).toMatch(
      /^COPY \(SELECT .* WHERE "amount" >= current_setting\('portico\.p1'\)::numeric AND \(.*ILIKE current_setting\('portico\.p2'\).*\) TO STDOUT$/,
    );
    expect(q.copySql).not.toContain("it's");
    expect(q.settings).toEqual({
      sql: "SELECT set_config('portico.p1', $1, true), set_config('portico.p2', $2, true)",
      params: ['5', "%it's%"],
    });
  });

  it('marks every ANCHOR-th row and the last one', () => {
    const q = compileAnchors(dataset, reader, { ...empty, sort: [{ column: 'ordered_at', direction: 'asc' }] }, 1000);
    expect(q.sql).toContain('row_number() OVER w AS rn, lead(true) OVER w IS NULL AS last');
    expect(q.sql).toContain('WHERE rn % $1::bigint = 0 OR last');
    expect(q.keys).toBe(2);
  });
});

describe('paging state', () => {
  it('starts from the nearest boundary, skips short gaps, and needs anchors for long jumps', () => {
    const paging = new ViewPaging();
    paging.remember(100, ['k100']);
    expect(paging.startFor(0)).toEqual({ after: null, skip: 0 });
    expect(paging.startFor(100)).toEqual({ after: ['k100'], skip: 0 });
    expect(paging.startFor(150)).toEqual({ after: ['k100'], skip: 50 });
    expect(paging.startFor(50)).toEqual({ after: null, skip: 50 });
    expect(paging.startFor(100 + MAX_SKIP + 1)).toBeNull();
    const anchors = anchorsFromRows(
      [
        ['a', '2000', 'f'],
        ['b', '4000', 'f'],
        ['c', '4500', 't'],
      ],
      1,
    );
    expect(anchors.total).toBe(4500);
    expect(paging.startFor(4100, anchors)).toEqual({ after: ['b'], skip: 100 });
  });
});

describe('PostgreSQL text values', () => {
  it('parses COPY text across chunk cuts, with escapes and NULLs', () => {
    const parser = new CopyTextParser();
    const bytes = Buffer.from('1\ta\\tb\t\\N\n2\tM\u00fcller\\\\x\t=1+1\n');
    const rows = [...parser.push(bytes.subarray(0, 17)), ...parser.push(bytes.subarray(17))];
    parser.end();
    expect(rows).toEqual([
      ['1', 'a\tb', null],
      ['2', 'Müller\\x', '=1+1'],
    ]);
    const cut = new CopyTextParser();
    cut.push(Buffer.from('3\tunfinished'));
    expect(() => cut.end()).toThrow(/inside a row/);
  });

  it('maps types and cells like the local engine shows them', () => {
    expect(pgBaseType('numeric(12,2)')).toBe('numeric');
    expect(pgBaseType('timestamp(3) with time zone')).toBe('timestamptz');
    expect(pgBaseType('bytea')).toBeNull();
    expect(cellFromPg('2024-01-01 00:00:17.123456+00', 'date', 'timestamptz')).toBe('2024-01-01T00:00:17.123Z');
    expect(cellFromPg('9007199254740993', 'integer', 'bigint')).toBe('9007199254740993');
    expect(cellFromPg('12.50', 'decimal', 'numeric')).toBe(12.5);
    expect(estimateFromPlan([{ Plan: { 'Plan Rows': 1234.4 } }])).toBe(1234);
    expect(estimateFromPlan(null)).toBe(0);
  });
});
