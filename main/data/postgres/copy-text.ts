/**
 * A streaming parser of PostgreSQL's COPY text format (the default of `COPY ... TO STDOUT`):
 * rows end with `\n`, fields are separated by tabs, `\N` is NULL, and a backslash escapes
 * `\\ \t \n \r \b \f \v`. Chunks may cut a row (or a UTF-8 character) anywhere: the tail is
 * kept for the next chunk. Exports then go through the same CSV writer as local datasets
 * (one set of CSV and formula-guard rules).
 */
import { StringDecoder } from 'node:string_decoder';

const ESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' };

function unescapeField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

export class CopyTextParser {
  private readonly decoder = new StringDecoder('utf8');
  private tail = '';

  /** The complete rows in this chunk (fields as text or null). */
  push(chunk: Buffer): (string | null)[][] {
    const text = this.tail + this.decoder.write(chunk);
    const rows: (string | null)[][] = [];
    // One pass: fields end at a tab, rows at a newline; a backslash escapes the next character.
    let row: (string | null)[] = [];
    let rowStart = 0;
    let start = 0;
    let escaped = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) {
        escaped = true;
        i++;
      } else if (c === 9 || c === 10) {
        const field = text.slice(start, i);
        row.push(escaped ? unescapeField(field) : field);
        escaped = false;
        start = i + 1;
        if (c === 10) {
          rows.push(row);
          row = [];
          rowStart = start;
        }
      }
    }
    this.tail = text.slice(rowStart);
    return rows;
  }

  /** Call at the end of the stream: an unfinished row means the stream was cut. */
  end(): void {
    const rest = this.tail + this.decoder.end();
    if (rest.length) throw new Error('The COPY stream ended inside a row.');
  }
}
