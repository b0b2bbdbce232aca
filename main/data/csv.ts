/**
 * CSV for exports: RFC 4180 (fields with a comma, quote, CR or LF are quoted, quotes doubled,
 * CRLF line ends), and a guard against formula injection (OWASP "CSV Injection"): a text
 * cell starting with = + - @ tab or CR is prefixed with ' so that a spreadsheet shows it as
 * text instead of running it. Numbers are written as they are (a negative amount stays one).
 */
import type { Cell } from './worker-protocol';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly Cell[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
