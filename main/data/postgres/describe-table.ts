/**
 * A postgres dataset as one person may read it: the table's columns read as that person
 * (types, NOT NULL, and whether the database lets this login select each one), checked
 * against IT's configuration.
 */
import type pg from 'pg';
import { AppError } from '../../errors';
import { COLUMN_NAME } from '../data-config';
import { labelFor, quoteIdent } from '../dataset';
import type { PgColumnDef, PgDatasetDef } from './pg-query-compiler';
import { columnTypeOfPg, pgBaseType } from './pg-types';
import type { PostgresDatasetConfig } from './postgres-dataset';

/**
 * Reads the table's columns as the person: their types, NOT NULL, and whether the database
 * lets this login select each one. Configured columns the login may not select are left out
 * of their view (the database decides); configuration naming a column the table lacks, or
 * rules on one, leave the dataset out (a typo must not unmask anything).
 */
export async function describeTable(client: pg.ClientBase, config: PostgresDatasetConfig): Promise<PgDatasetDef> {
  const source = config.source;
  const result = await client.query<(string | null)[]>({
    text:
      'SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, has_column_privilege(c.oid, a.attnum, $3), has_schema_privilege(n.oid, $4)' +
      ' FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace' +
      ' JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid' +
      ' WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum',
    values: [source.schema, source.table, 'SELECT', 'USAGE'],
    rowMode: 'array',
  });
  const bool = (v: string | null | undefined) => v === 't' || v === 'true';
  const table = `${source.schema}.${source.table}`;
  if (result.rows.length === 0) {
    throw new AppError('DATA_UNAVAILABLE', `${config.name}: the database has no table ${table}. Ask IT to check the dataset.`);
  }
  if (!bool(result.rows[0]![4])) {
    throw new AppError(
      'DATA_ACCESS_DENIED',
      `The database does not let you read ${config.name}. Ask IT for access if you need it.`,
    );
  }
  const inTable = new Map<string, { type: string; notNull: boolean; granted: boolean }>();
  for (const [name, type, notNull, granted] of result.rows) {
    inTable.set(String(name), { type: String(type), notNull: bool(notNull), granted: bool(granted) });
  }
  const wanted =
    config.columns ?? [...inTable.keys()].filter((name) => COLUMN_NAME.test(name)).map((name) => ({ name, label: undefined }));
  for (const name of [
    ...(config.columns ?? []).map((c) => c.name),
    ...Object.keys(config.security.columns),
    ...(config.key ? [config.key] : []),
  ]) {
    if (!inTable.has(name))
      throw new AppError('DATA_UNAVAILABLE', `${config.name}: column ${name} is not in ${table}. Ask IT to check the dataset.`);
  }
  const columns: PgColumnDef[] = [];
  for (const c of wanted) {
    const found = inTable.get(c.name)!;
    const base = pgBaseType(found.type);
    if (!base) {
      if (config.columns)
        throw new AppError(
          'DATA_UNAVAILABLE',
          `${config.name}: column ${c.name} has type ${found.type}, which Portico cannot show.`,
        );
      continue;
    }
    if (!found.granted) continue;
    columns.push({
      name: c.name,
      label: c.label ?? labelFor(c.name),
      type: columnTypeOfPg(base),
      pgType: base,
      notNull: found.notNull,
    });
  }
  let chartColumns = config.chartColumns ?? [];
  if (!config.chartColumns) {
    // pg_stats shows only columns this login may read; few distinct values make a chart.
    const stats = await client.query<(string | null)[]>({
      text: 'SELECT attname, n_distinct FROM pg_catalog.pg_stats WHERE schemaname = $1 AND tablename = $2',
      values: [source.schema, source.table],
      rowMode: 'array',
    });
    const distinct = new Map(stats.rows.map(([name, n]) => [String(name), Number(n)]));
    chartColumns = columns
      .filter((c) => c.type === 'text' && (distinct.get(c.name) ?? Infinity) > 0 && (distinct.get(c.name) ?? Infinity) <= 50)
      .map((c) => c.name);
  }
  return {
    id: config.id,
    name: config.name,
    description: config.description,
    relation: `${quoteIdent(source.schema)}.${quoteIdent(source.table)}`,
    columns,
    key: config.key!,
    chartColumns,
    security: config.security,
  };
}
