/**
 * A dataset as the query builder sees it once opened: the SQL relation it reads (built from
 * trusted configuration), its allow-listed columns with their types, and its security.
 */
import type { ColumnType } from '../../preload/contract';
import type { DatasetSecurity } from './data-config';

export interface DatasetColumnDef {
  name: string;
  label: string;
  type: ColumnType;
}

export interface DatasetDef {
  id: string;
  name: string;
  description: string;
  /** SQL naming the relation, e.g. `"sample"."main"."orders"`; built only from configuration. */
  relation: string;
  /** The allow-list: the only columns a request may name, in display order. */
  columns: readonly DatasetColumnDef[];
  /** A unique column used as the last sort key, or null. */
  key: string | null;
  /** The relation is a table with DuckDB's `rowid` (not a view): pages can be cut on it. */
  rowid?: boolean;
  /** Columns offered to the chart (subject to each user's column rules). */
  chartColumns: readonly string[];
  security: DatasetSecurity;
}

/** An SQL identifier in double quotes (a quote inside is doubled). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** An SQL string literal in single quotes: only for trusted text such as configured paths. */
export function quoteLiteral(text: string): string {
  if (text.includes('\u0000')) throw new Error('NUL in SQL literal');
  return `'${text.replaceAll("'", "''")}'`;
}

/** The data view's type for a DuckDB column type, or null when Portico does not show it. */
export function columnTypeOf(duckdbType: string): ColumnType | null {
  const t = duckdbType.toUpperCase();
  if (t === 'VARCHAR' || t.startsWith('VARCHAR(') || t === 'UUID' || t.startsWith('ENUM(')) return 'text';
  if (/^(U?TINYINT|U?SMALLINT|U?INTEGER|U?BIGINT|U?HUGEINT)$/.test(t)) return 'integer';
  if (t === 'DOUBLE' || t === 'FLOAT' || t.startsWith('DECIMAL')) return 'decimal';
  if (t === 'DATE' || t.startsWith('TIMESTAMP')) return 'date';
  return null;
}

/** `customer_email` -> `Customer email`. */
export function labelFor(name: string): string {
  const words = name.replace(/_+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}
