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
  /**
   * `timeoutMs` (query, stream-open, stream-next): past it the worker interrupts the request's
   * connection and answers at once with `timedOut: true` (waiting for a connection counts).
   * Without it the request may run as long as it takes.
   */
  | { id: number; op: 'query'; sql: string; params: SqlParam[]; timeoutMs?: number }
  /** Starts a streamed query on its own connection; rows are then pulled with `stream-next`. */
  | { id: number; op: 'stream-open'; sql: string; params: SqlParam[]; timeoutMs?: number }
  /** A stream-next that times out also ends its stream (send `stream-close` all the same). */
  | { id: number; op: 'stream-next'; stream: number; maxRows: number; timeoutMs?: number }
  | { id: number; op: 'stream-close'; stream: number }
  /** Interrupts and settles every query, then closes DuckDB: the thread may then be terminated. */
  | { id: number; op: 'shutdown' }
  /** Throws an uncaught error in the worker (the crash-recovery test; main never sends it otherwise). */
  | { id: number; op: 'simulate-crash' };

/** `id: -1` announces that the worker failed and is about to exit. */
export type WorkerResponse =
  | { id: number; ok: true; columns: string[]; types: string[]; rows: Cell[][]; done: boolean; stream?: number }
  | { id: number; ok: false; error: string; timedOut?: true };
