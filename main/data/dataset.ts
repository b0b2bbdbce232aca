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
  /** The source's DuckDB type (e.g. `INTEGER`, `DECIMAL(12,2)`): number filters must fit it. */
  sqlType?: string;
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

interface NumberRange {
  /** What the type holds, in words: "whole numbers from 0 to 255". */
  words: string;
  fits(n: number): boolean;
}

const INTEGER_BITS: Record<string, number> = { TINYINT: 8, SMALLINT: 16, INTEGER: 32, BIGINT: 64, HUGEINT: 128 };
const FLOAT_MAX = 3.4028234663852886e38;

/** 1234567.5 as "1,234,567.5", from its digits (a DECIMAL(38,0) bound has no exact double). */
function groupDigits(digits: string): string {
  const [whole, fraction] = digits.split('.') as [string, string | undefined];
  return `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/** The values a numeric DuckDB type holds; null for DOUBLE (any finite number) and other types. */
function numberRange(sqlType: string): NumberRange | null {
  const t = sqlType.toUpperCase().trim();
  const integer = /^(U?)(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.exec(t);
  if (integer) {
    const bits = INTEGER_BITS[integer[2]!]!;
    const unsigned = integer[1] === 'U';
    const min = unsigned ? 0n : -(2n ** BigInt(bits - 1));
    const above = unsigned ? 2n ** BigInt(bits) : 2n ** BigInt(bits - 1);
    // `above` is a power of two, so exact as a double (the largest BIGINT, 2^63 - 1, has none).
    return {
      words: `whole numbers from ${min.toLocaleString('en-US')} to ${(above - 1n).toLocaleString('en-US')}`,
      fits: (n) => n >= Number(min) && n < Number(above),
    };
  }
  const decimal = /^DECIMAL(?:\((\d+)\s*,\s*(\d+)\))?$/.exec(t);
  if (decimal) {
    const [width, scale] = decimal[1] ? [Number(decimal[1]), Number(decimal[2])] : [18, 3];
    const largest = groupDigits(`${'9'.repeat(width - scale) || '0'}${scale ? `.${'9'.repeat(scale)}` : ''}`);
    const limit = 10 ** (width - scale);
    return { words: `numbers from -${largest} to ${largest}`, fits: (n) => n > -limit && n < limit };
  }
  if (t === 'FLOAT' || t === 'REAL' || t === 'FLOAT4') {
    return { words: 'numbers from -3.4e38 to 3.4e38', fits: (n) => Math.abs(n) <= FLOAT_MAX };
  }
  return null;
}

/** Whether `n` is within the range of the DuckDB type `sqlType` (a fraction is fine: it is compared, not stored). */
export function numberFitsType(sqlType: string, n: number): boolean {
  return Number.isFinite(n) && (numberRange(sqlType)?.fits(n) ?? true);
}

/** What a numeric type holds, in words: "whole numbers from 0 to 255", "numbers from -999.99 to 999.99". */
export function describeNumberType(sqlType: string): string {
  return numberRange(sqlType)?.words ?? 'numbers';
}
