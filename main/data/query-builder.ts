/**
 * The pure query builder: (dataset, principal, request) -> { sql, params }.
 *
 * Row and column security is applied here, in main, before any row leaves the engine:
 *   - only allow-listed columns may be named, and a hidden column is unknown (UNKNOWN_COLUMN);
 *   - a masked column is replaced by its masked expression everywhere: in the output and in
 *     filters, sorting, search and counts, so a filter cannot be used as an oracle for the
 *     value it hides;
 *   - the user's row scope is ANDed into every query; no scope means no rows (fail closed).
 * User input never becomes SQL text: column names are looked up in the allow-list (the SQL
 * uses the dataset's own spelling), and every value is a bound parameter. LIKE wildcards in
 * user text are escaped so that `%` and `_` match themselves.
 */
import type { ColumnType, DatasetSummary } from '../../preload/contract';
import { AppError } from '../errors';
import type { ColumnRule, RowScope } from './data-config';
import { describeNumberType, numberFitsType, quoteIdent, type DatasetDef } from './dataset';
import type { Principal } from './principal';

export type SqlParam = string | number | boolean | null;

export interface SqlQuery {
  sql: string;
  params: SqlParam[];
}

export interface DataFilter {
  column: string;
  op: 'contains' | 'eq' | 'gte' | 'lte';
  value: string | number;
}

export interface SortKey {
  column: string;
  direction: 'asc' | 'desc';
}

export interface ViewRequest {
  filters: readonly DataFilter[];
  search: string;
}

export interface PageRequest extends ViewRequest {
  sort: readonly SortKey[];
  offset: number;
  limit: number;
}

export interface CountsRequest extends ViewRequest {
  column: string;
  /** Top N buckets; at most MAX_COUNT_BUCKETS. */
  limit?: number;
}

export interface ExportRequest extends ViewRequest {
  sort: readonly SortKey[];
}

export const MAX_COUNT_BUCKETS = 50;

/** One column as this principal may see it. */
export interface VisibleColumn {
  name: string;
  label: string;
  /** The type as shown: a masked column is text. */
  type: ColumnType;
  masked: boolean;
  /** The SQL for the value as shown (the masked expression when masked). */
  expr: string;
  /** The source's DuckDB type when shown as it is (number filters must fit it). */
  sqlType?: string;
}

export interface Access {
  columns: VisibleColumn[];
  /** SQL condition limiting rows (null: every row), and its parameters. */
  rows: SqlQuery | null;
  /** The row limit in words, for DatasetSummary.rowScope; null when every row is visible. */
  rowScope: string | null;
}

/** Looks a dataset up by id; unknown ids are UNKNOWN_DATASET. */
export function findDataset(datasets: ReadonlyMap<string, DatasetDef>, id: string): DatasetDef {
  const dataset = datasets.get(id);
  if (!dataset) throw new AppError('UNKNOWN_DATASET', 'This dataset does not exist (any more). Pick another one from the list.');
  return dataset;
}

function hasAny<T>(granted: readonly T[], wanted: readonly T[]): boolean {
  return wanted.some((w) => granted.includes(w));
}

function isVisible(rule: ColumnRule | undefined, principal: Principal): boolean {
  if (!rule?.hidden) return true;
  const to = rule.visibleTo;
  return !!to && (hasAny(principal.roles, to.roles) || hasAny(principal.permissions, to.permissions));
}

/** SQL of the masked value. The patterns are constants; the column is an allow-listed name. */
function maskExpr(kind: NonNullable<ColumnRule['mask']>, column: string): string {
  const text = `CAST(${column} AS VARCHAR)`;
  switch (kind) {
    case 'email': // jane.doe@example.com -> j***@example.com
      return `regexp_replace(${text}, '^([^@])[^@]*', '\\1***')`;
    case 'name': // Jane Doe -> J*** D***
      return `regexp_replace(${text}, '(\\S)\\S*', '\\1***', 'g')`;
    case 'full':
      return `CASE WHEN ${column} IS NULL THEN NULL ELSE '***' END`;
  }
}

function allowsAllRows(dataset: DatasetDef, principal: Principal): boolean {
  return hasAny(principal.roles, dataset.security.allRowsRoles);
}

function formatValues(values: readonly (string | number)[]): string {
  return values.map(String).join(' or ');
}

/** Which columns and rows this principal may see in this dataset. */
export function resolveAccess(dataset: DatasetDef, principal: Principal): Access {
  const columns: VisibleColumn[] = [];
  for (const column of dataset.columns) {
    const rule = dataset.security.columns[column.name];
    if (!isVisible(rule, principal)) continue;
    const ident = quoteIdent(column.name);
    const masked = !!rule?.mask && !principal.permissions.includes(rule.unmaskedWith);
    columns.push({
      name: column.name,
      label: column.label,
      type: masked ? 'text' : column.type,
      masked,
      expr: masked ? maskExpr(rule!.mask!, ident) : ident,
      ...(!masked && column.sqlType ? { sqlType: column.sqlType } : {}),
    });
  }

  // Without data.read nothing is readable (the IPC channel refuses first; this is the backstop).
  if (!principal.permissions.includes('data.read')) return { columns, rows: { sql: 'FALSE', params: [] }, rowScope: 'no rows' };
  if (allowsAllRows(dataset, principal)) return { columns, rows: null, rowScope: null };

  // Group scopes on the same column merge into one IN list; attribute scopes stand alone.
  const byColumn = new Map<string, (string | number)[]>();
  const attributes: { column: string; attribute: 'username' | 'email'; value: string }[] = [];
  for (const scope of dataset.security.rowScopes as readonly RowScope[]) {
    if ('group' in scope) {
      if (!principal.groups.includes(scope.group)) continue;
      const values = byColumn.get(scope.column) ?? [];
      for (const v of scope.values) if (!values.includes(v)) values.push(v);
      byColumn.set(scope.column, values);
    } else {
      const value = scope.attribute === 'email' ? principal.email : principal.username;
      if (!value) continue; // No such attribute: this scope grants nothing.
      attributes.push({ column: scope.column, attribute: scope.attribute, value });
    }
  }

  const conditions: string[] = [];
  const params: SqlParam[] = [];
  const words: string[] = [];
  for (const [column, values] of byColumn) {
    conditions.push(`${quoteIdent(column)} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
    words.push(`${column} is ${formatValues(values)}`);
  }
  for (const a of attributes) {
    conditions.push(`lower(CAST(${quoteIdent(a.column)} AS VARCHAR)) = lower(?)`);
    params.push(a.value);
    words.push(`${a.column} is your ${a.attribute}`);
  }
  if (conditions.length === 0) {
    // Fail closed: not an all-rows role and no scope matched.
    return { columns, rows: { sql: 'FALSE', params: [] }, rowScope: 'no rows (your groups grant none in this dataset)' };
  }
  return {
    columns,
    rows: { sql: conditions.length === 1 ? conditions[0]! : `(${conditions.join(' OR ')})`, params },
    rowScope: words.join(', or '),
  };
}

function column(access: Access, name: string): VisibleColumn {
  const found = access.columns.find((c) => c.name === name);
  if (!found) throw new AppError('UNKNOWN_COLUMN', 'This column does not exist or is not available to you. Reload the dataset.');
  return found;
}

/** `%`, `_` and the escape character itself match literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const DATE_VALUE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER_VALUE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A number filter's value. It must fit the column's type: DuckDB would otherwise fail the
 * query (a value past BIGINT cannot even be bound), which is the user's typing, not a fault.
 */
function numberValue(value: string | number, col: VisibleColumn): number {
  let n = typeof value === 'number' ? value : NaN;
  if (typeof value === 'string' && NUMBER_VALUE.test(value.trim())) n = Number(value.trim());
  if (!Number.isFinite(n)) {
    throw new AppError('INVALID_PAYLOAD', `${col.label} holds numbers: enter a number to filter it.`, {
      fields: { filters: `${col.label} holds numbers.` },
    });
  }
  if (col.sqlType && !numberFitsType(col.sqlType, n)) {
    const holds = `${col.label} holds ${describeNumberType(col.sqlType)}`;
    throw new AppError('INVALID_PAYLOAD', `${holds}: ${String(value).trim()} is out of range. Change the filter.`, {
      fields: { filters: `${holds}.` },
    });
  }
  return n;
}

function dateValue(value: string | number, col: VisibleColumn): string {
  const text = String(value).trim();
  if (DATE_VALUE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))) return text;
  throw new AppError('INVALID_PAYLOAD', `${col.label} holds dates: enter a date as YYYY-MM-DD.`, {
    fields: { filters: `${col.label} holds dates (YYYY-MM-DD).` },
  });
}

function filterCondition(col: VisibleColumn, filter: DataFilter, params: SqlParam[]): string {
  if (filter.op === 'contains') {
    params.push(`%${escapeLike(String(filter.value))}%`);
    const text = col.type === 'text' ? col.expr : `CAST(${col.expr} AS VARCHAR)`;
    return `${text} ILIKE ? ESCAPE '\\'`;
  }
  const op = filter.op === 'eq' ? '=' : filter.op === 'gte' ? '>=' : '<=';
  switch (col.type) {
    case 'text':
      params.push(String(filter.value));
      return `${col.expr} ${op} ?`;
    case 'integer':
    case 'decimal':
      params.push(numberValue(filter.value, col));
      return `${col.expr} ${op} ?`;
    case 'date':
      params.push(dateValue(filter.value, col));
      return `CAST(${col.expr} AS DATE) ${op} CAST(? AS DATE)`;
  }
}

/** The WHERE clause: row scope AND filters AND search. */
function whereClause(access: Access, request: ViewRequest, params: SqlParam[]): string {
  const conditions: string[] = [];
  if (access.rows) {
    conditions.push(access.rows.sql);
    params.push(...access.rows.params);
  }
  for (const filter of request.filters) conditions.push(filterCondition(column(access, filter.column), filter, params));
  const search = request.search.trim();
  if (search) {
    const text = access.columns.filter((c) => c.type === 'text');
    if (text.length === 0) conditions.push('FALSE');
    else {
      const pattern = `%${escapeLike(search)}%`;
      conditions.push(`(${text.map((c) => `${c.expr} ILIKE ? ESCAPE '\\'`).join(' OR ')})`);
      for (let i = 0; i < text.length; i++) params.push(pattern);
    }
  }
  return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
}

function selectList(access: Access): string {
  if (access.columns.length === 0) return 'NULL AS "none"';
  return access.columns.map((c) => (c.masked ? `${c.expr} AS ${quoteIdent(c.name)}` : c.expr)).join(', ');
}

/** ORDER BY the requested keys, then a tiebreak so that pages never overlap or skip rows. */
function orderBy(dataset: DatasetDef, access: Access, sort: readonly SortKey[]): string {
  const keys: string[] = [];
  const used = new Set<string>();
  for (const s of sort) {
    const col = column(access, s.column);
    if (used.has(col.name)) continue;
    used.add(col.name);
    keys.push(`${col.expr} ${s.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`);
  }
  // The dataset's unique key when this user sees it; else every visible column (rows equal
  // in all of them look the same, so their order cannot matter). A hidden key is never used:
  // even its order is not to be revealed.
  const key = dataset.key ? access.columns.find((c) => c.name === dataset.key && !c.masked) : undefined;
  const tiebreak = key ? [key] : access.columns;
  for (const col of tiebreak) if (!used.has(col.name)) keys.push(`${col.expr} ASC NULLS LAST`);
  return keys.length ? ` ORDER BY ${keys.join(', ')}` : '';
}

function checkPaging(offset: number, limit: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 1) {
    throw new AppError('INVALID_PAYLOAD', 'The page requested is not valid. Scroll again or reload the dataset.');
  }
}

/**
 * One page of rows. Masked values are computed for the page's rows only, never for every
 * matching row before the cut. On a table the page is cut on `rowid` first (filter, sort
 * and OFFSET on the sort keys alone), then only those rows are read whole: at offset
 * 500,000 of 1,000,000 that is about 40 ms instead of 100 ms for the plain query. On a view
 * (Parquet) the inner query cuts the page from the raw shown columns, the outer one masks.
 */
export function buildPageQuery(
  dataset: DatasetDef,
  principal: Principal,
  request: PageRequest,
): SqlQuery & { columns: string[] } {
  checkPaging(request.offset, request.limit);
  const access = resolveAccess(dataset, principal);
  const params: SqlParam[] = [];
  const where = whereClause(access, request, params);
  const order = orderBy(dataset, access, request.sort);
  params.push(request.limit, request.offset);
  const columns = access.columns.map((c) => c.name);
  const cut = `FROM ${dataset.relation}${where}${order} LIMIT ? OFFSET ?`;
  if (dataset.rowid) {
    return {
      sql: `SELECT ${selectList(access)} FROM ${dataset.relation} WHERE rowid IN (SELECT rowid ${cut})${order}`,
      params,
      columns,
    };
  }
  const raw = access.columns.length ? access.columns.map((c) => quoteIdent(c.name)).join(', ') : 'NULL AS "none"';
  return { sql: `SELECT ${selectList(access)} FROM (SELECT ${raw} ${cut}) AS page${order}`, params, columns };
}

/** The number of rows matching the filters and search within this principal's scope. */
export function buildCountQuery(dataset: DatasetDef, principal: Principal, request: ViewRequest): SqlQuery {
  const access = resolveAccess(dataset, principal);
  const params: SqlParam[] = [];
  const where = whereClause(access, request, params);
  return { sql: `SELECT count(*) AS total FROM ${dataset.relation}${where}`, params };
}

/** Rows per value of one column (as shown: masked values are counted masked), top N. */
export function buildCountsQuery(dataset: DatasetDef, principal: Principal, request: CountsRequest): SqlQuery {
  const access = resolveAccess(dataset, principal);
  const col = column(access, request.column);
  const limit = Math.min(Math.max(1, Math.trunc(request.limit ?? MAX_COUNT_BUCKETS)), MAX_COUNT_BUCKETS);
  const params: SqlParam[] = [];
  const where = whereClause(access, request, params);
  params.push(limit);
  return {
    sql:
      `SELECT CAST(${col.expr} AS VARCHAR) AS value, count(*) AS count FROM ${dataset.relation}${where}` +
      ` GROUP BY 1 ORDER BY count DESC, value ASC NULLS LAST LIMIT ?`,
    params,
  };
}

/** Every matching row, in the requested order, for a CSV export. */
export function buildExportQuery(
  dataset: DatasetDef,
  principal: Principal,
  request: ExportRequest,
): SqlQuery & { columns: string[] } {
  const access = resolveAccess(dataset, principal);
  const params: SqlParam[] = [];
  const where = whereClause(access, request, params);
  return {
    sql: `SELECT ${selectList(access)} FROM ${dataset.relation}${where}${orderBy(dataset, access, request.sort)}`,
    params,
    columns: access.columns.map((c) => c.name),
  };
}

/** The dataset as this principal sees it (contract type). */
export function summarizeDataset(dataset: DatasetDef, principal: Principal, options: { exportAllowed: boolean }): DatasetSummary {
  const access = resolveAccess(dataset, principal);
  const visible = new Map(access.columns.map((c) => [c.name, c]));
  return {
    id: dataset.id,
    name: dataset.name,
    description: dataset.description,
    columns: access.columns.map((c) => ({ name: c.name, label: c.label, type: c.type, masked: c.masked })),
    rowScope: access.rowScope,
    canExport: options.exportAllowed && principal.permissions.includes('data.export'),
    chartColumns: dataset.chartColumns.filter((name) => visible.has(name)),
    status: 'ready',
    error: null,
  };
}
