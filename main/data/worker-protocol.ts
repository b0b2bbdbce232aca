/**
 * Messages between main and the DuckDB worker (main/data/duckdb-worker.ts). One request id
 * per message; every answer carries the id it answers. Errors come back as values.
 * Types only: nothing here is loaded at run time.
 */
import type { SqlParam } from './query-builder';

/** A JSON-safe cell: BIGINT as a number when safe (else a string), DATE/TIMESTAMP as ISO text. */
export type Cell = string | number | boolean | null;

/** One dataset's setup: its files are checked, then its statements run in order; the first failure skips the rest. */
export interface SetupStep {
  key: string;
  statements: string[];
  /** Files that must be regular files before DuckDB opens them (a FIFO would block it for good). */
  files?: string[];
}

/**
 * Why a setup step failed: its file is not a regular file, is missing, or may not be read
 * (checked before DuckDB opens it), or DuckDB refused a statement (`message` is DuckDB's).
 */
export interface SetupFailure {
  kind: 'not-a-file' | 'missing' | 'no-access' | 'engine';
  message: string;
}

export type WorkerRequest =
  /** Creates a database file, runs `statements` in it and closes it (the sample generator). */
  | { id: number; op: 'generate'; file: string; statements: string[] }
  /** Creates the in-memory engine that the setup steps fill. */
  | { id: number; op: 'open' }
  /** Runs one setup step (ATTACH, a table, a view); a failure is answered as `setupFailure`. */
  | ({ id: number; op: 'setup' } & SetupStep)
  /**
   * Ends the setup: allows only `allowedPaths`, turns external access off, locks the
   * configuration, and opens the page-query connections.
   */
  | { id: number; op: 'lock'; allowedPaths: string[]; connections: number }
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
  /**
   * Interrupts every query and waits until DuckDB has settled them all (however long a stalled
   * read takes), then closes DuckDB: once answered, the thread may be terminated.
   */
  | { id: number; op: 'shutdown' }
  /** Throws an uncaught error in the worker (the crash-recovery test; main never sends it otherwise). */
  | { id: number; op: 'simulate-crash' };

/** `id: -1` announces that the worker failed and is about to exit. */
export type WorkerResponse =
  | {
      id: number;
      ok: true;
      columns: string[];
      types: string[];
      rows: Cell[][];
      done: boolean;
      stream?: number;
      setupFailure?: SetupFailure;
    }
  | { id: number; ok: false; error: string; timedOut?: true };
