/**
 * Writes an export: batches of rows as CSV into a temporary file beside the target, renamed
 * over it once complete (a failed or cut export leaves no half-written file), with a BOM so
 * that spreadsheet apps read UTF-8. Whatever the data source, rows go through one CSV writer
 * (csv.ts: RFC 4180 and the formula guard). Never more than one batch in memory.
 */
import { randomBytes } from 'node:crypto';
import { open as openFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CellValue } from '../../preload/contract';
import { csvRow } from './csv';

export interface ExportWritten {
  rows: number;
  fileName: string;
}

/** Why writing failed: the file system (with the OS code), or the source of the rows. */
export class ExportWriteError extends Error {
  constructor(
    readonly fsCode: string | null,
    readonly rows: number,
    options: { cause: unknown },
  ) {
    super(`export write failed (${fsCode ?? 'unknown'})`, options);
    this.name = 'ExportWriteError';
  }
}

/**
 * Streams `batches` to `filePath`. An error from `batches` is rethrown as it is (the source
 * says what went wrong); a file-system error becomes ExportWriteError.
 */
export async function writeCsvExport(
  filePath: string,
  columns: readonly string[],
  batches: AsyncIterable<readonly (readonly CellValue[])[]>,
): Promise<ExportWritten> {
  const target = path.resolve(filePath);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let rows = 0;
  let file;
  let fromSource = false;
  try {
    file = await openFile(temp, 'wx', 0o600);
    await file.write(`\uFEFF${csvRow(columns)}`);
    const iterator = batches[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<readonly (readonly CellValue[])[]>;
      try {
        next = await iterator.next();
      } catch (error) {
        fromSource = true;
        throw error;
      }
      if (next.done) break;
      if (next.value.length) await file.write(next.value.map(csvRow).join(''));
      rows += next.value.length;
    }
    await file.sync();
    await file.close();
    file = undefined;
    await rename(temp, target);
    return { rows, fileName: path.basename(target) };
  } catch (error) {
    await file?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    if (fromSource) throw error;
    throw new ExportWriteError((error as NodeJS.ErrnoException | null)?.code ?? null, rows, { cause: error });
  }
}

/** A file-system error in words, for the person: "the disk is full". */
export function describeFsError(code: string | null): string {
  if (code === 'EACCES' || code === 'EPERM') return 'Portico may not write there';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'ENOENT') return 'the folder does not exist';
  return 'the file could not be written';
}
