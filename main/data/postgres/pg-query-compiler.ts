/**
 * The PostgreSQL query compiler: pure, (dataset, principal, view) -> { sql, params }, from the
 * same query spec as the DuckDB builder (allow-listed columns, filters, sort, search, paging).
 *
 * The database is the enforcement point: row-level security and column privileges decide
 * what these queries return. The compiler adds no row conditions of its own (Portico's
 * `rowScopes` do not apply to postgres datasets); it only narrows the view with Portico's
 * column rules (hidden, masked), which are applied exactly as for local datasets.
 *
 * User input never becomes SQL text: names are looked up in the allow-list (the dataset as
 * this person may read it), and every value is a parameter with an explicit cast to a type
 * from a closed list. Paging is keyset on the sort keys plus the unique key:
 * `k >= $1 AND (k > $1 OR id > $2)` walks the index from where the last page ended (OFFSET
 * costs seconds deep into a table).
 */
import { AppError } from '../../errors';
import { quoteIdent, type DatasetColumnDef, type DatasetDef } from '../dataset';
import type { Principal } from '../principal';
import {
  escapeLike,
  MAX_COUNT_BUCKETS,
  resolveAccess,
  type DataFilter,
  type SortKey,
  type ViewRequest,
  type VisibleColumn,
} from '../query-builder';
import type { PgBaseType } from './pg-types';

export interface PgColumnDef extends DatasetColumnDef {
  pgType: PgBaseType;
  notNull: boolean;
}

/** A postgres dataset as one person may read it: only the columns the database grants them. */
export interface PgDatasetDef extends DatasetDef {
  columns: readonly PgColumnDef[];
  /** Required for postgres datasets: unique and not null. */
  key: string;
}

export type PgParam = string | number | null;

export interface PgQuery {
  sql: string;
  params: PgParam[];
}

export interface PgView extends ViewRequest {
  sort: readonly SortKey[];
}

/** Where a page starts: after the row whose sort keys are `after` (text forms), then `skip` rows more. */
export interface PageStart {
  after: readonly (string | null)[] | null;
  skip: number;
}

/** One ORDER BY key. */
interface OrderKey {
  expr: string;
  desc: boolean;
  /** The column is NOT NULL (and not masked): plain comparisons, index-friendly. */
  notNull: boolean;
  cast: PgBaseType;
  /** Position of this key's value in a page row. */
  index: number;
}

/**
 * Bound values. `bind` numbers them `$1, $2, ...`; `settings` reads them from transaction
 * settings (`current_setting('portico.p1')`), for COPY, which takes no parameters: the values
 * still never enter the SQL text.
 */
class Params {
  readonly values: PgParam[] = [];
  constructor(private readonly mode: 'bind' | 'settings' = 'bind') {}

  add(value: PgParam, cast?: PgBaseType): string {
    this.values.push(value);
    const n = this.values.length;
    const ref = this.mode === 'bind' ? `$${n}` : `current_setting('portico.p${n}')`;
    return cast ? `${ref}::${cast}` : ref;
  }
}

function pgColumn(dataset: PgDatasetDef, name: string): PgColumnDef {
  return dataset.columns.find((c) => c.name === name)!;
}

/** The columns this principal sees (Portico's column rules, on top of the database's grants). */
export function visibleColumns(dataset: PgDatasetDef, principal: Principal): VisibleColumn[] {
  return resolveAccess(dataset, principal).columns;
}

function column(columns: readonly VisibleColumn[], name: string): VisibleColumn {
  const found = columns.find((c) => c.name === name);
  if (!found) throw new AppError('UNKNOWN_COLUMN', 'This column does not exist or is not available to you. Reload the dataset.');
  return found;
}

function requireRead(principal: Principal): void {
  // The IPC channel refuses first; this is the backstop.
  if (!principal.permissions.includes('data.read')) throw new AppError('PERMISSION_DENIED', 'Your account may not read data.');
}

const NUMBER_VALUE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_VALUE = /^\d{4}-\d{2}-\d{2}$/;

function numberValue(value: string | number, col: VisibleColumn): number {
  const n = typeof value === 'number' ? value : NUMBER_VALUE.test(value.trim()) ? Number(value.trim()) : NaN;
  if (Number.isFinite(n)) return n;
  throw new AppError('INVALID_PAYLOAD', `${col.label} holds numbers: enter a number to filter it.`, {
    fields: { filters: `${col.label} holds numbers.` },
  });
}

function dateValue(value: string | number, col: VisibleColumn): string {
  const text = String(value).trim();
  if (DATE_VALUE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))) return text;
  throw new AppError('INVALID_PAYLOAD', `${col.label} holds dates: enter a date as YYYY-MM-DD.`, {
    fields: { filters: `${col.label} holds dates (YYYY-MM-DD).` },
  });
}

const INTEGER_LIMITS: Partial<Record<PgBaseType, [number, number]>> = {
  smallint: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function filterCondition(dataset: PgDatasetDef, col: VisibleColumn, filter: DataFilter, params: Params): string {
  if (filter.op === 'contains') {
    const pattern = params.add(`%${escapeLike(String(filter.value))}%`);
    const text =
      col.type === 'text' && !col.masked && pgColumn(dataset, col.name).pgType === 'text'
        ? col.expr
        : `CAST(${col.expr} AS text)`;
    return `${text} ILIKE ${pattern} ESCAPE '\\'`;
  }
  const op = filter.op === 'eq' ? '=' : filter.op === 'gte' ? '>=' : '<=';
  const base = col.masked ? 'text' : pgColumn(dataset, col.name).pgType;
  switch (col.type) {
    case 'text': {
      const text = base === 'uuid' ? `CAST(${col.expr} AS text)` : col.expr;
      return `${text} ${op} ${params.add(String(filter.value))}`;
    }
    case 'integer': {
      // Integral bounds keep the comparison on the column's own type (an index can serve it).
      const n = numberValue(filter.value, col);
      const bound = filter.op === 'gte' ? Math.ceil(n) : filter.op === 'lte' ? Math.floor(n) : n;
      if (!Number.isInteger(bound)) return 'FALSE'; // eq 1.5 on an integer column
      const [min, max] = INTEGER_LIMITS[base] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
      if (bound < min) return filter.op === 'gte' ? `${col.expr} IS NOT NULL` : 'FALSE';
      if (bound > max) return filter.op === 'lte' ? `${col.expr} IS NOT NULL` : 'FALSE';
      return `${col.expr} ${op} ${params.add(bound, base)}`;
    }
    case 'decimal':
      return `${col.expr} ${op} ${params.add(numberValue(filter.value, col), base)}`;
    case 'date': {
      const day = dateValue(filter.value, col);
      if (base === 'date') return `${col.expr} ${op} ${params.add(day, 'date')}`;
      // A timestamp on day D: [D, D + 1), so that an index on the timestamp serves it.
      if (filter.op === 'gte') return `${col.expr} >= ${params.add(day, 'date')}`;
      if (filter.op === 'lte') return `${col.expr} < ${params.add(day, 'date')} + 1`;
      const from = params.add(day, 'date');
      return `${col.expr} >= ${from} AND ${col.expr} < ${from} + 1`;
    }
  }
}

function whereConditions(dataset: PgDatasetDef, columns: readonly VisibleColumn[], view: ViewRequest, params: Params): string[] {
  const conditions: string[] = [];
  for (const filter of view.filters) conditions.push(filterCondition(dataset, column(columns, filter.column), filter, params));
  const search = view.search.trim();
  if (search) {
    const text = columns.filter((c) => c.type === 'text');
    if (text.length === 0) conditions.push('FALSE');
    else {
      const pattern = params.add(`%${escapeLike(search)}%`);
      conditions.push(`(${text.map((c) => `CAST(${c.expr} AS text) ILIKE ${pattern} ESCAPE '\\'`).join(' OR ')})`);
    }
  }
  return conditions;
}

function where(conditions: readonly string[]): string {
  return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
}

function selectList(columns: readonly VisibleColumn[]): string {
  if (columns.length === 0) return 'NULL AS "none"';
  return columns.map((c) => (c.masked ? `${c.expr} AS ${quoteIdent(c.name)}` : c.expr)).join(', ');
}

/**
 * The sort keys: the requested columns, then the dataset's unique key (in the first key's
 * direction, so that one index on `(col, key)` serves both directions).
 */
function orderKeys(dataset: PgDatasetDef, columns: readonly VisibleColumn[], sort: readonly SortKey[]): OrderKey[] {
  const keys: OrderKey[] = [];
  const key = columns.find((c) => c.name === dataset.key && !c.masked);
  if (!key) {
    throw new AppError(
      'DATA_ACCESS_DENIED',
      `The database does not let you read ${dataset.name}'s key column, which Portico needs to page through it. Ask IT to grant it.`,
    );
  }
  const orderKey = (col: VisibleColumn, desc: boolean): OrderKey => {
    const def = pgColumn(dataset, col.name);
    return {
      expr: col.expr,
      desc,
      notNull: !col.masked && def.notNull,
      cast: col.masked ? 'text' : def.pgType,
      index: columns.indexOf(col),
    };
  };
  for (const s of sort) {
    const col = column(columns, s.column);
    if (keys.some((k) => k.index === columns.indexOf(col))) continue;
    keys.push(orderKey(col, s.direction === 'desc'));
  }
  if (!keys.some((k) => k.index === columns.indexOf(key))) keys.push({ ...orderKey(key, keys[0]?.desc ?? false), notNull: true });
  return keys;
}

function orderBy(keys: readonly OrderKey[]): string {
  // NULLS LAST either way, as for local datasets; NOT NULL keys say nothing, so that an
  // index scanned backwards still serves a descending sort.
  const term = (k: OrderKey) => `${k.expr} ${k.desc ? 'DESC' : 'ASC'}${k.desc && !k.notNull ? ' NULLS LAST' : ''}`;
  return ` ORDER BY ${keys.map(term).join(', ')}`;
}

/**
 * Rows strictly after the boundary in the sort order (NULLS LAST). The leading key, when not
 * null, is also given as a range (`k >= $1 AND ...`) so that an index on it bounds the scan.
 */
export function keysetCondition(keys: readonly OrderKey[], after: readonly (string | null)[], params: Params): string {
  if (after.length !== keys.length) {
    throw new AppError('INVALID_PAYLOAD', 'The page requested is not valid. Scroll again or reload the dataset.');
  }
  const refs = after.map((value, i) => (value === null ? null : params.add(value, keys[i]!.cast)));
  const rest = (i: number): string => {
    const k = keys[i]!;
    const ref = refs[i];
    const beyond = i === keys.length - 1 ? null : rest(i + 1);
    if (ref === null) {
      // After a NULL only NULLs with later keys remain (NULLS LAST).
      return beyond === null ? 'FALSE' : `(${k.expr} IS NULL AND ${beyond})`;
    }
    const cmp = `${k.expr} ${k.desc ? '<' : '>'} ${ref}`;
    const greater = k.notNull ? cmp : `(${cmp} OR ${k.expr} IS NULL)`;
    return beyond === null ? greater : `(${greater} OR (${k.expr} = ${ref} AND ${beyond}))`;
  };
  const first = keys[0]!;
  const firstRef = refs[0];
  const condition = rest(0);
  if (first.notNull && firstRef !== null && firstRef !== undefined) {
    return `${first.expr} ${first.desc ? '<=' : '>='} ${firstRef} AND ${condition}`;
  }
  return condition;
}

function checkPaging(skip: number, limit: number): void {
  if (!Number.isSafeInteger(skip) || skip < 0 || !Number.isSafeInteger(limit) || limit < 1) {
    throw new AppError('INVALID_PAYLOAD', 'The page requested is not valid. Scroll again or reload the dataset.');
  }
}

export interface PgPageQuery extends PgQuery {
  columns: string[];
  /** Positions in each row of the sort keys (the next page's `after`). */
  keyIndexes: number[];
}

/** One page: after a keyset boundary (or from the start), then `skip` rows, `limit` rows. */
export function compilePage(
  dataset: PgDatasetDef,
  principal: Principal,
  view: PgView,
  start: PageStart,
  limit: number,
): PgPageQuery {
  requireRead(principal);
  checkPaging(start.skip, limit);
  const columns = visibleColumns(dataset, principal);
  const params = new Params();
  const keys = orderKeys(dataset, columns, view.sort);
  const conditions = whereConditions(dataset, columns, view, params);
  if (start.after) conditions.push(keysetCondition(keys, start.after, params));
  const limitRef = params.add(limit, 'integer');
  const offset = start.skip > 0 ? ` OFFSET ${params.add(start.skip, 'bigint')}` : '';
  return {
    sql: `SELECT ${selectList(columns)} FROM ${dataset.relation}${where(conditions)}${orderBy(keys)} LIMIT ${limitRef}${offset}`,
    params: params.values,
    columns: columns.map((c) => c.name),
    keyIndexes: keys.map((k) => k.index),
  };
}

/** The exact number of rows the person sees with these filters. */
export function compileCount(dataset: PgDatasetDef, principal: Principal, view: ViewRequest): PgQuery {
  requireRead(principal);
  const columns = visibleColumns(dataset, principal);
  const params = new Params();
  const conditions = whereConditions(dataset, columns, view, params);
  return { sql: `SELECT count(*) FROM ${dataset.relation}${where(conditions)}`, params: params.values };
}

/** The planner's estimate of that number: instant, shown as an estimate. */
export function compileEstimate(dataset: PgDatasetDef, principal: Principal, view: ViewRequest): PgQuery {
  const count = compileCount(dataset, principal, view);
  return { sql: count.sql.replace(/^SELECT count\(\*\)/, 'EXPLAIN (FORMAT JSON) SELECT 1'), params: count.params };
}

/**
 * Anchors for jumps far into the view: the sort keys of every `every`-th row, and the last
 * row's number (the exact count), in one pass over the person's rows. A jump to row N then
 * starts after the anchor below N and skips fewer than `every` rows.
 */
export function compileAnchors(
  dataset: PgDatasetDef,
  principal: Principal,
  view: PgView,
  every: number,
): PgQuery & { keys: number } {
  requireRead(principal);
  checkPaging(0, every);
  const columns = visibleColumns(dataset, principal);
  const params = new Params();
  const keys = orderKeys(dataset, columns, view.sort);
  const conditions = whereConditions(dataset, columns, view, params);
  const keyList = keys.map((k, i) => `CAST(${k.expr} AS text) AS k${i}`).join(', ');
  const outer = keys.map((_, i) => `k${i}`).join(', ');
  const everyRef = params.add(every, 'bigint');
  return {
    sql:
      `SELECT ${outer}, rn, last FROM (SELECT ${keyList}, row_number() OVER w AS rn, lead(true) OVER w IS NULL AS last` +
      ` FROM ${dataset.relation}${where(conditions)} WINDOW w AS (${orderBy(keys).trim()})) AS anchors` +
      ` WHERE rn % ${everyRef} = 0 OR last`,
    params: params.values,
    keys: keys.length,
  };
}

/** Rows per value of one column (as shown), top N: the chart. */
export function compileCounts(
  dataset: PgDatasetDef,
  principal: Principal,
  view: ViewRequest & { column: string; limit?: number },
): PgQuery {
  requireRead(principal);
  const columns = visibleColumns(dataset, principal);
  const col = column(columns, view.column);
  const limit = Math.min(Math.max(1, Math.trunc(view.limit ?? MAX_COUNT_BUCKETS)), MAX_COUNT_BUCKETS);
  const params = new Params();
  const conditions = whereConditions(dataset, columns, view, params);
  return {
    sql:
      `SELECT CAST(${col.expr} AS text) AS value, count(*) AS count FROM ${dataset.relation}${where(conditions)}` +
      ` GROUP BY 1 ORDER BY count DESC, value ASC NULLS LAST LIMIT ${params.add(limit, 'integer')}`,
    params: params.values,
  };
}

export interface PgExportQuery {
  /** `COPY (SELECT ...) TO STDOUT`: values are read from the transaction's settings. */
  copySql: string;
  /** `SELECT set_config('portico.p1', $1, true), ...` to run first, in the same transaction. */
  settings: PgQuery | null;
  columns: string[];
}

/** Every row of the view, in order, as COPY text (the fastest way out of PostgreSQL). */
export function compileExport(dataset: PgDatasetDef, principal: Principal, view: PgView): PgExportQuery {
  requireRead(principal);
  const columns = visibleColumns(dataset, principal);
  const params = new Params('settings');
  const keys = orderKeys(dataset, columns, view.sort);
  const conditions = whereConditions(dataset, columns, view, params);
  // Timestamps leave the server already in the form the CSV shows (no parsing per row in main),
  // under another name: ORDER BY a column's own name must still mean the column.
  const list = columns.map((c, i) => {
    const base = pgColumn(dataset, c.name).pgType;
    if (c.masked || (base !== 'timestamptz' && base !== 'timestamp'))
      return c.masked ? `${c.expr} AS ${quoteIdent(c.name)}` : c.expr;
    const utc = base === 'timestamptz' ? `${c.expr} AT TIME ZONE 'UTC'` : c.expr;
    return `to_char(${utc}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "shown_${i}"`;
  });
  const select = `SELECT ${list.length ? list.join(', ') : 'NULL AS "none"'} FROM ${dataset.relation}${where(conditions)}${orderBy(keys)}`;
  const values = params.values;
  return {
    copySql: `COPY (${select}) TO STDOUT`,
    settings: values.length
      ? {
          sql: `SELECT ${values.map((_, i) => `set_config('portico.p${i + 1}', $${i + 1}, true)`).join(', ')}`,
          params: values.map((v) => (v === null ? null : String(v))),
        }
      : null,
    columns: columns.map((c) => c.name),
  };
}

/** The planner's row estimate from `EXPLAIN (FORMAT JSON)` output. */
export function estimateFromPlan(plan: unknown): number {
  const rows = (plan as [{ Plan?: { 'Plan Rows'?: unknown } }] | undefined)?.[0]?.Plan?.['Plan Rows'];
  return typeof rows === 'number' && Number.isFinite(rows) && rows >= 0 ? Math.round(rows) : 0;
}
