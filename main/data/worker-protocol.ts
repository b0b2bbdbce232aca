/**
 * Messages between main and the DuckDB worker (main/data/duckdb-worker.ts). One request id
 * per message; every answer carries the id it answers. Errors come back as values.
 * Types only: nothing here is loaded at run time.
 */
import type { SqlParam } from './query-builder';

/** A JSON-safe cell: BIGINT as a number when safe (else a string), DATE/TIMESTAMP as ISO text. */
export type Cell = string | number | boolean | null;

/** One dataset's setup: its statements run in order; the first failure skips the rest. */
export interface SetupStep {
  key: string;
  statements: string[];
}

export type WorkerRequest =
  /** Creates a database file, runs `statements` in it and closes it (the sample generator). */
  | { id: number; op: 'generate'; file: string; statements: string[] }
  /**
   * Opens the in-memory engine: runs each setup step (ATTACH, tables, views; a step that
   * fails is skipped and reported as a row [key, error]), then allows only `allowedPaths`,
   * turns external access off and locks the configuration.
   */
  | { id: number; op: 'open'; setup: SetupStep[]; allowedPaths: string[]; connections: number }
  | { id: number; op: 'query'; sql: string; params: SqlParam[] }
  /** Starts a streamed query on its own connection; rows are then pulled with `stream-next`. */
  | { id: number; op: 'stream-open'; sql: string; params: SqlParam[] }
  | { id: number; op: 'stream-next'; stream: number; maxRows: number }
  | { id: number; op: 'stream-close'; stream: number }
  /** Interrupts and settles every query, then closes DuckDB: the thread may then be terminated. */
  | { id: number; op: 'shutdown' }
  /** Throws an uncaught error in the worker (the crash-recovery test; main never sends it otherwise). */
  | { id: number; op: 'simulate-crash' };

/** `id: -1` announces that the worker failed and is about to exit. */
export type WorkerResponse =
  | { id: number; ok: true; columns: string[]; types: string[]; rows: Cell[][]; done: boolean; stream?: number }
  | { id: number; ok: false; error: string };
