/**
 * Main's side of the DuckDB worker: starts it, matches answers to requests by id, restarts
 * it after a crash (requests in flight then fail with DATA_UNAVAILABLE, the next request
 * starts a new worker that replays `open`), and terminates it on `close()`.
 *
 * Where the worker's code is:
 *   - built app (electron-vite): this module is bundled into out/main/index.js, and the
 *     worker is its own entry beside it: out/main/duckdb-worker.js;
 *   - from TypeScript sources (vitest, `npx tsx`, the Playwright test host): this file ends
 *     in .ts, so the worker starts from main/data/duckdb-worker.ts through tsx's require
 *     hook (`tsx/cjs`), loaded by a two-line eval bootstrap. (`execArgv: ['--import', 'tsx']`
 *     does not reach a worker's entry module on Node 20: ERR_UNKNOWN_FILE_EXTENSION.)
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors';
import type { SqlParam } from './query-builder';
import type { Cell, SetupStep, WorkerRequest, WorkerResponse } from './worker-protocol';

export type { Cell, SetupStep };

export interface DataLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface QueryResult {
  columns: string[];
  types: string[];
  rows: Cell[][];
}

/** A streamed result: rows are pulled a batch at a time, so nothing holds them all. */
export interface RowStream {
  readonly columns: string[];
  /** The next rows (at most `maxRows`); `done` once the result is exhausted. */
  next(maxRows: number): Promise<{ rows: Cell[][]; done: boolean }>;
  /** Stops early and frees the worker's connection (no-op when done). */
  close(): Promise<void>;
}

/** DuckDB refused or failed a statement: the message is DuckDB's, for the log only. */
export class DataEngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataEngineError';
  }
}

/**
 * A query ran past its time limit: the worker interrupted it (the engine stays usable and the
 * next query runs as usual). For an export step, the export is over.
 */
export class QueryTimeoutError extends DataEngineError {
  constructor(message: string) {
    super(message);
    this.name = 'QueryTimeoutError';
  }
}

export interface QueryOptions {
  /**
   * Interrupt the query past this many milliseconds (waiting for a free connection counts);
   * it then fails with QueryTimeoutError. For a stream, the limit of its start and of each
   * `next()` separately. None: no limit.
   */
  timeoutMs?: number;
}

/** What `new Worker(...)` is given: a file, or (from sources) a bootstrap to evaluate. */
export interface WorkerScript {
  filename: string;
  eval: boolean;
}

/** See the module comment: the built .js beside this bundle, or the .ts through tsx. */
export function workerScript(): WorkerScript {
  if (/\.[cm]?ts$/.test(__filename)) {
    const tsx = createRequire(__filename).resolve('tsx/cjs');
    const file = path.join(__dirname, 'duckdb-worker.ts');
    return { filename: `require(${JSON.stringify(tsx)});\nrequire(${JSON.stringify(file)});`, eval: true };
  }
  return { filename: path.join(__dirname, 'duckdb-worker.js'), eval: false };
}

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type Answer = Extract<WorkerResponse, { ok: true }>;

interface OpenRequest {
  setup: SetupStep[];
  allowedPaths: string[];
  connections: number;
}

const unavailable = (message: string) => new AppError('DATA_UNAVAILABLE', message);

/** How long `close()` waits for the worker to stop its queries before terminating it anyway. */
const SHUTDOWN_WAIT_MS = 5000;

export class DataEngine {
  private worker: Worker | null = null;
  private ready: Promise<void> = Promise.resolve();
  /** Resolves when the last worker that failed has exited (a new one waits for it). */
  private previousExit: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;
  private openRequest: OpenRequest | null = null;
  /** The answer to the running worker's `open`. */
  private firstOpen: Promise<Answer> | null = null;
  /** Workers started after a crash (for logs and tests). */
  restarts = 0;

  constructor(
    private readonly log: DataLogger = { info: () => undefined, error: () => undefined },
    private readonly script: WorkerScript = workerScript(),
  ) {}

  /** Creates a database file and runs `statements` in it (used to generate the sample). */
  async generate(file: string, statements: string[]): Promise<void> {
    await this.request({ op: 'generate', file, statements });
  }

  /**
   * Opens the engine (replayed on every restart); its last steps lock external access.
   * Resolves with the steps that failed: key -> DuckDB's message.
   */
  async open(setup: SetupStep[], allowedPaths: string[], connections = 3): Promise<Map<string, string>> {
    if (this.openRequest) throw new Error('The data engine is already open.');
    this.openRequest = { setup, allowedPaths, connections };
    if (this.worker) {
      // A worker already runs (it generated the sample): open in it.
      const worker = this.worker;
      this.firstOpen = this.ready.then(() => this.post(worker, { op: 'open', setup, allowedPaths, connections }));
      this.ready = this.firstOpen.then(() => undefined);
      this.ready.catch(() => {
        if (this.worker === worker) this.retire(worker, null);
      });
    }
    await this.started();
    const answer = await this.firstOpen!;
    const failed = new Map<string, string>();
    for (const [key, error] of answer.rows) failed.set(String(key), String(error));
    return failed;
  }

  async query(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<QueryResult> {
    const answer = await this.request({ op: 'query', sql, params: [...params], timeoutMs: options.timeoutMs });
    return { columns: answer.columns, types: answer.types, rows: answer.rows };
  }

  /** A streamed query: `options.timeoutMs` limits its start and each `next()`, not the whole. */
  async stream(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<RowStream> {
    const timeoutMs = options.timeoutMs;
    const opened = await this.request({ op: 'stream-open', sql, params: [...params], timeoutMs });
    const stream = opened.stream!;
    let done = false;
    return {
      columns: opened.columns,
      next: async (maxRows) => {
        if (done) return { rows: [], done: true };
        const answer = await this.request({ op: 'stream-next', stream, maxRows, timeoutMs });
        done = answer.done;
        return { rows: answer.rows, done };
      },
      close: async () => {
        if (done) return;
        done = true;
        await this.request({ op: 'stream-close', stream }).catch(() => undefined);
      },
    };
  }

  /**
   * Makes the worker throw an uncaught error, as a bug in it would: it interrupts its
   * queries, reports the failure and exits; requests in flight fail with DATA_UNAVAILABLE and
   * the next request starts a new worker. For the crash-recovery tests.
   */
  async simulateCrash(): Promise<void> {
    await this.request({ op: 'simulate-crash' });
  }

  /** Stops every query, closes DuckDB, then ends the worker thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      const stopped = this.post(worker, { op: 'shutdown' }).catch(() => undefined);
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
    }
    this.failPending(unavailable('Portico closed the data engine.'));
    if (worker) await worker.terminate();
    await this.previousExit;
  }

  /** Starts a worker when none runs (first use, or after a crash) and waits until it is open. */
  private async started(): Promise<Worker> {
    if (this.closed) throw unavailable('The data engine is closed. Restart Portico.');
    if (!this.worker) {
      // Never two DuckDB instances on the same files: a failed worker exits first.
      await this.previousExit;
      if (this.closed) throw unavailable('The data engine is closed. Restart Portico.');
    }
    if (!this.worker) {
      const worker = this.spawn();
      this.worker = worker;
      const open = this.openRequest;
      this.firstOpen = open ? this.post(worker, { op: 'open', ...open }) : null;
      this.ready = this.firstOpen ? this.firstOpen.then(() => undefined) : Promise.resolve();
      // A worker that cannot open is dropped, so that the next request tries again.
      this.ready.catch(() => {
        if (this.worker === worker) this.retire(worker, null);
      });
    }
    const worker = this.worker;
    await this.ready;
    return worker;
  }

  private async request(request: Request): Promise<Answer> {
    const worker = await this.started();
    return this.post(worker, request);
  }

  private post(worker: Worker, request: Request): Promise<Answer> {
    const id = this.nextId++;
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id } as WorkerRequest);
    });
  }

  private spawn(): Worker {
    const worker = new Worker(this.script.filename, { eval: this.script.eval });
    let exited!: () => void;
    const exit = new Promise<void>((resolve) => (exited = resolve));
    worker.on('message', (message: WorkerResponse) => {
      if (message.id === -1 && !message.ok) {
        // The worker failed and exits once its queries are interrupted.
        this.log.error('Data engine worker failed; it restarts with the next request', { error: message.error });
        if (this.worker === worker) this.retire(worker, exit);
        return;
      }
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message);
      else waiter.reject(message.timedOut ? new QueryTimeoutError(message.error) : new DataEngineError(message.error));
    });
    worker.on('error', (error) => this.log.error('Data engine worker error', { error: error.message }));
    worker.on('exit', (code) => {
      exited();
      if (this.worker !== worker) return;
      this.log.error('Data engine worker exited; it restarts with the next request', { code });
      this.retire(worker, exit);
    });
    return worker;
  }

  /** Drops a failed worker: what was in flight fails, and the next request starts a new one. */
  private retire(worker: Worker, exit: Promise<void> | null): void {
    this.worker = null;
    if (!this.closed) this.restarts++;
    this.failPending(unavailable('The data engine stopped unexpectedly and is restarting. Try again.'));
    if (exit) this.previousExit = exit;
    else {
      this.previousExit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      void worker.terminate();
    }
  }

  private failPending(error: Error): void {
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiters) w.reject(error);
  }
}
