/**
 * PostgreSQL column types Portico shows, and how their text form becomes a cell.
 *
 * Every value arrives as PostgreSQL's text output (no type parsers run): the sort keys of a
 * page's last row are sent back, unchanged, as the next page's keyset bounds, so they must
 * round-trip exactly (microseconds, numeric digits). Sessions use DateStyle ISO, TimeZone UTC.
 */
import type { CellValue, ColumnType } from '../../../preload/contract';

/** The base types Portico casts parameters to: a closed list, never text from the server. */
export type PgBaseType =
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'numeric'
  | 'real'
  | 'double precision'
  | 'text'
  | 'uuid'
  | 'date'
  | 'timestamptz'
  | 'timestamp';

/** `format_type()` output -> base type, or null when Portico does not show the column. */
export function pgBaseType(formatted: string): PgBaseType | null {
  const t = formatted.toLowerCase();
  if (t === 'smallint' || t === 'integer' || t === 'bigint' || t === 'real' || t === 'double precision') return t;
  if (t === 'numeric' || t.startsWith('numeric(')) return 'numeric';
  if (t === 'text' || t === 'character varying' || t.startsWith('character varying(') || t === 'citext') return 'text';
  if (t === 'uuid') return 'uuid';
  if (t === 'date') return 'date';
  if (t === 'timestamp with time zone' || /^timestamp\(\d\) with time zone$/.test(t)) return 'timestamptz';
  if (t === 'timestamp without time zone' || /^timestamp\(\d\) without time zone$/.test(t)) return 'timestamp';
  return null;
}

export function columnTypeOfPg(base: PgBaseType): ColumnType {
  switch (base) {
    case 'smallint':
    case 'integer':
    case 'bigint':
      return 'integer';
    case 'numeric':
    case 'real':
    case 'double precision':
      return 'decimal';
    case 'date':
    case 'timestamptz':
    case 'timestamp':
      return 'date';
    case 'text':
    case 'uuid':
      return 'text';
  }
}

/** A cell as the data view shows it (the same forms as the DuckDB engine's). */
export function cellFromPg(text: string | null, type: ColumnType, base: PgBaseType | 'text'): CellValue {
  if (text === null) return null;
  switch (type) {
    case 'integer': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case 'decimal': {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'date':
      return base === 'date' ? text : isoTimestamp(text, base === 'timestamptz');
    case 'text':
      return text;
  }
}

/** `2024-01-01 00:00:17.123456+00` -> `2024-01-01T00:00:17.123Z` (UTC sessions). */
function isoTimestamp(text: string, withZone: boolean): string {
  const normalised = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(withZone ? normalised : `${normalised}Z`);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}
