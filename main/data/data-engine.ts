/**
 * Main's side of the DuckDB worker: starts it, matches answers to requests by id, restarts
 * it after a crash (requests in flight then fail with DATA_UNAVAILABLE, the next request
 * starts a new worker that replays the setup), and terminates it on `close()`.
 *
 * Opening is timed per dataset (`stepTimeoutMs`). A setup step that does not answer in time
 * is blocked in a read that may never return (a FIFO, a stalled network share), and a
 * blocked DuckDB call cannot be interrupted. Terminating its thread is no way out either: the
 * call's completion would then land in a torn-down thread and abort the whole process
 * (checked with @duckdb/node-api 1.5.6), and `terminate()` itself waits for the call. So the
 * worker is abandoned: it is asked to shut down (it does once the read returns, and is only
 * then terminated), unref'd, and a new worker replays the steps that opened and carries on
 * with the rest; the stalled dataset is reported as failed. A blocked call holds one of
 * libuv's four threadpool threads, which main needs for its own files, so after
 * MAX_ABANDONED_WORKERS such stalls the datasets not yet opened are not tried.
 *
 * Where the worker's code is:
 *   - built app (electron-vite): this module is bundled into out/main/index.js, and the
 *     worker is its own entry beside it: out/main/duckdb-worker.js;
 *   - from TypeScript sources (vitest, `npx tsx`, the Playwright test host): this file ends
 *     in .ts, so the worker starts from main/data/duckdb-worker.ts through tsx's require
 *     hook (`tsx/cjs`), loaded by a two-line eval bootstrap. (`execArgv: ['--import', 'tsx']`
 *     does not reach a worker's entry module on Node 20: ERR_UNKNOWN_FILE_EXTENSION.)
 */
import type { Logger } from '../platform';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors';
import type { SqlParam } from './query-builder';
import type { Cell, SetupFailure, SetupStep, WorkerRequest, WorkerResponse } from './worker-protocol';

export type { Cell, SetupFailure, SetupStep };

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

export interface OpenOptions {
  /** Page-query connections in the worker (exports each get their own). Default 3. */
  connections?: number;
  /** Each setup step's time limit in ms; a step past it is failed with kind `timeout`. None: no limit. */
  stepTimeoutMs?: number;
}

/** A setup step that did not open: the worker's reason, or it ran out of time (`timeout`) or was not tried (`skipped`). */
export type OpenFailure = SetupFailure | { kind: 'timeout' | 'skipped'; message: string };

interface OpenRequest {
  setup: SetupStep[];
  allowedPaths: string[];
  connections: number;
  stepTimeoutMs?: number;
}

interface Pending {
  worker: Worker;
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
}

const unavailable = (message: string) => new AppError('DATA_UNAVAILABLE', message);
const closedError = () => unavailable('The data engine is closed. Restart Portico.');

/** How long `close()` waits for the worker to stop its queries before leaving it to end on its own. */
const SHUTDOWN_WAIT_MS = 5000;
/** Workers given up on (each still holds a threadpool thread) before no further dataset is tried. */
export const MAX_ABANDONED_WORKERS = 2;
const TIMED_OUT = Symbol('timed out');

export class DataEngine {
  private worker: Worker | null = null;
  private ready: Promise<void> = Promise.resolve();
  /** Resolves when the last worker that failed has exited (a new one waits for it). */
  private previousExit: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private openRequest: OpenRequest | null = null;
  /** Setup steps that failed, by key: left out of every later (re)start. */
  private readonly failures = new Map<string, OpenFailure>();
  /** Setup steps that opened once: replayed by every new worker. */
  private readonly opened = new Set<string>();
  /** Workers started after a crash (for logs and tests). */
  restarts = 0;
  /** Workers given up on because a setup step stalled (for logs and tests). */
  abandoned = 0;

  constructor(
    private readonly log: Logger = { info: () => undefined, error: () => undefined },
    private readonly script: WorkerScript = workerScript(),
  ) {}

  /** Creates a database file and runs `statements` in it (used to generate the sample). */
  async generate(file: string, statements: string[]): Promise<void> {
    await this.request({ op: 'generate', file, statements });
  }

  /**
   * Opens the engine (replayed on every restart): each setup step within `stepTimeoutMs`,
   * then the lock-down. Resolves with the steps that did not open, by key.
   */
  async open(setup: SetupStep[], allowedPaths: string[], options: OpenOptions = {}): Promise<Map<string, OpenFailure>> {
    if (this.openRequest) throw new Error('The data engine is already open.');
    this.openRequest = { setup, allowedPaths, connections: options.connections ?? 3, stepTimeoutMs: options.stepTimeoutMs };
    // A worker already runs (it generated the sample): open in it.
    if (this.worker) this.ready = this.openIn(this.worker);
    await this.started();
    return new Map(this.failures);
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

  /**
   * Stops every query, closes DuckDB, then ends the worker thread; also while it is still
   * opening. A worker whose queries have not settled within SHUTDOWN_WAIT_MS (a stalled read)
   * is left to end on its own once they have (see the module comment).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    const stopped = worker ? this.shutDown(worker) : null;
    if (stopped) await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
    this.failPending(null, unavailable('Portico closed the data engine.'));
    await this.previousExit;
  }

  /** Starts a worker when none runs (first use, or after a crash) and waits until it is open. */
  private async started(): Promise<Worker> {
    if (this.closed) throw closedError();
    if (!this.worker) {
      // Never two DuckDB instances writing the same files: a failed worker exits first.
      await this.previousExit;
      if (this.closed) throw closedError();
    }
    if (!this.worker) {
      const worker = this.spawn();
      this.worker = worker;
      this.ready = this.openRequest ? this.openIn(worker) : Promise.resolve();
    }
    await this.ready;
    const worker = this.worker;
    if (!worker) throw unavailable('The data engine stopped unexpectedly and is restarting. Try again.');
    return worker;
  }

  /**
   * Runs the setup in `worker` and locks it; when a step stalls, carries on in a new worker
   * (see the module comment). A worker that fails otherwise is dropped, so that the next
   * request tries again.
   */
  private async openIn(first: Worker): Promise<void> {
    const request = this.openRequest!;
    let worker = first;
    for (;;) {
      let stalled: boolean;
      try {
        stalled = await this.runSetup(worker, request);
        if (!stalled)
          await this.post(worker, { op: 'lock', allowedPaths: request.allowedPaths, connections: request.connections });
      } catch (error) {
        if (this.worker === worker) this.retire(worker, null);
        throw error;
      }
      if (!stalled) return;
      this.abandon(worker);
      if (this.closed) throw closedError();
      worker = this.spawn();
      this.worker = worker;
    }
  }

  /** Runs the setup steps not known to fail; true when one stalled (it is then failed as `timeout`). */
  private async runSetup(worker: Worker, request: OpenRequest): Promise<boolean> {
    await this.post(worker, { op: 'open' });
    for (const step of request.setup) {
      if (this.failures.has(step.key)) continue;
      if (this.abandoned >= MAX_ABANDONED_WORKERS && !this.opened.has(step.key)) {
        this.failures.set(step.key, {
          kind: 'skipped',
          message: `Not tried: ${this.abandoned} datasets before it did not answer, and each still holds a thread.`,
        });
        continue;
      }
      // Says which dataset a slow or stalled start is waiting for.
      this.log.info('Opening dataset', { dataset: step.key });
      const answer = await this.postWithin(worker, { op: 'setup', ...step }, request.stepTimeoutMs);
      if (answer === TIMED_OUT) {
        this.failures.set(step.key, { kind: 'timeout', message: `No answer within ${request.stepTimeoutMs} ms.` });
        this.opened.delete(step.key);
        return true;
      }
      if (answer.setupFailure) this.failures.set(step.key, answer.setupFailure);
      else this.opened.add(step.key);
    }
    return false;
  }

  /**
   * Gives up on a worker stalled in a setup step: its requests fail, it is asked to shut down
   * and terminated once it has (never before: see the module comment), and it no longer keeps
   * the process alive.
   */
  private abandon(worker: Worker): void {
    this.abandoned++;
    if (this.worker === worker) this.worker = null;
    this.log.error('A dataset did not open in time; the data engine carries on in a new worker', {
      abandoned: this.abandoned,
    });
    this.failPending(worker, unavailable('The data engine stopped waiting for a dataset. Try again.'));
    void this.shutDown(worker);
  }

  /** Asks `worker` to shut down, terminates it once it has, and resolves then. */
  private shutDown(worker: Worker): Promise<void> {
    worker.unref();
    const id = this.nextId++;
    return new Promise<void>((resolve) => {
      const onMessage = (message: WorkerResponse) => {
        if (message.id !== id) return;
        worker.off('message', onMessage);
        void worker.terminate().then(() => resolve());
      };
      worker.on('message', onMessage);
      worker.once('exit', () => resolve());
      worker.postMessage({ op: 'shutdown', id } satisfies WorkerRequest);
    });
  }

  private async request(request: Request): Promise<Answer> {
    const worker = await this.started();
    return this.post(worker, request);
  }

  private post(worker: Worker, request: Request): Promise<Answer> {
    const id = this.nextId++;
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      worker.postMessage({ ...request, id } as WorkerRequest);
    });
  }

  /** `post`, or TIMED_OUT once `timeoutMs` has passed without an answer. */
  private postWithin(worker: Worker, request: Request, timeoutMs: number | undefined): Promise<Answer | typeof TIMED_OUT> {
    const answer = this.post(worker, request);
    if (!timeoutMs) return answer;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs)));
    return Promise.race([answer, expired]).finally(() => clearTimeout(timer));
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
    this.failPending(worker, unavailable('The data engine stopped unexpectedly and is restarting. Try again.'));
    if (exit) this.previousExit = exit;
    else {
      this.previousExit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      void worker.terminate();
    }
  }

  /** Fails the requests in flight on `worker` (all of them with null). */
  private failPending(worker: Worker | null, error: Error): void {
    for (const [id, waiter] of [...this.pending]) {
      if (worker && waiter.worker !== worker) continue;
      this.pending.delete(id);
      waiter.reject(error);
    }
  }
}
