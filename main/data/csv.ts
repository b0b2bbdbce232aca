/**
 * CSV for exports: RFC 4180 (fields with a comma, quote, CR or LF are quoted, quotes doubled,
 * CRLF line ends), and a guard against formula injection (OWASP "CSV Injection"): a text
 * cell that a spreadsheet would read as a formula is prefixed with ' so that it shows as
 * text instead of running. Numbers are written as they are (a negative amount stays one).
 *
 * Spreadsheets skip leading blanks before deciding, and read full-width (and small) forms of
 * = + - @ as the ASCII signs, so the guard looks past any run of blanks (spaces, tabs, line
 * breaks, no-break and typographic spaces, zero-width characters, a byte order mark) at the
 * first visible character. A cell starting with a tab or CR is prefixed whatever follows.
 */
import type { Cell } from './worker-protocol';

/** JS `\s` covers the Unicode spaces, NBSP and BOM; the zero-width ones are added. */
const BLANKS = '[\\s\\u180E\\u200B-\\u200D\\u2060]*';
/** = + - @ in ASCII, full-width (U+FF1D, U+FF0B, U+FF0D, U+FF20) and small forms (U+FE62, U+FE63, U+FE66, U+FE6B). */
const TRIGGERS = '[=+\\-@\\uFF1D\\uFF0B\\uFF0D\\uFF20\\uFE62\\uFE63\\uFE66\\uFE6B]';
const FORMULA_START = new RegExp(`^(?:[\\t\\r]|${BLANKS}${TRIGGERS})`);
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
