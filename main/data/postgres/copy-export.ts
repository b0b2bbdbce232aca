/**
 * An export's rows out of PostgreSQL: `COPY (...) TO STDOUT` on one of the person's
 * connections, in a read-only transaction without statement_timeout (an export takes as long
 * as it takes), parsed and handed on in batches; it stops when no data comes for `stepMs`.
 * Row-level security applies to COPY like to any query.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { CellValue } from '../../../preload/contract';
import { CopyTextParser } from './copy-text';
import type { PgExportQuery } from './pg-query-compiler';

/** An export hands rows on about this many bytes of COPY text at a time. */
const EXPORT_BATCH_BYTES = 64 * 1024;

export async function* copyRows(
  client: pg.PoolClient,
  query: PgExportQuery,
  convert: (row: (string | null)[]) => CellValue[],
  stepMs: number,
): AsyncGenerator<CellValue[][]> {
  await client.query('BEGIN READ ONLY');
  await client.query('SET LOCAL statement_timeout = 0');
  if (query.settings) await client.query(query.settings.sql, query.settings.params);
  const stream = client.query(copyTo(query.copySql));
  const parser = new CopyTextParser();
  const watch = stallWatch(stream, stepMs);
  try {
    // PostgreSQL sends one message per row: rows are parsed and handed on in batches.
    let pending: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      watch.seen();
      pending.push(chunk);
      bytes += chunk.length;
      if (bytes < EXPORT_BATCH_BYTES) continue;
      const rows = parser.push(Buffer.concat(pending, bytes));
      pending = [];
      bytes = 0;
      yield rows.map(convert);
    }
    if (bytes) yield parser.push(Buffer.concat(pending, bytes)).map(convert);
    parser.end();
  } finally {
    watch.stop();
  }
  await client.query('COMMIT');
}

export class StallError extends Error {}

/**
 * Ends `stream` with a StallError when no chunk came for `ms` (an export's per-step limit). A
 * coarse tick compares a counter, so that a row costs no timer work.
 */
function stallWatch(stream: { destroy(error: Error): void }, ms: number): { seen(): void; stop(): void } {
  let chunks = 0;
  let lastChunks = -1;
  let quietSince = Date.now();
  const tick = setInterval(
    () => {
      if (chunks !== lastChunks) {
        lastChunks = chunks;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= ms) {
        clearInterval(tick);
        stream.destroy(new StallError('stalled'));
      }
    },
    Math.max(10, Math.min(1000, Math.floor(ms / 4))),
  );
  tick.unref();
  return {
    seen: () => void chunks++,
    stop: () => clearInterval(tick),
  };
}
