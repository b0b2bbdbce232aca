/**
 * The data engine's worker thread: DuckDB (@duckdb/node-api) off the main thread.
 *
 * Main sends `WorkerRequest`s; each is answered once with a `WorkerResponse` carrying its id,
 * errors as values. Page queries share a small pool of connections (several may run at
 * once); every streamed export has a connection of its own, so a long export never holds
 * one that pages need. Rows leave as arrays of JSON-safe cells.
 *
 * Built as its own entry (electron.vite.config.ts: out/main/duckdb-worker.js); in tests it
 * runs from this .ts file through tsx. It imports nothing from Portico at run time.
 *
 * A worker thread must never end while DuckDB still runs a query for it: the query's
 * completion would then land in a torn-down thread and abort the whole process (checked with
 * @duckdb/node-api 1.5: "terminate called after throwing an instance of 'Napi::Error'").
 * So an uncaught error here interrupts every query, waits for them to settle, and only then
 * exits (main restarts the worker), and `shutdown` does the same before main terminates it.
 *
 * Opening runs as `open`, one `setup` per dataset, then `lock`, so that main can time each
 * dataset: a read that never returns (a FIFO, a stalled network share) blocks the DuckDB call
 * for good and cannot be interrupted, so main gives up on the whole worker and opens the rest
 * in a new one (data-engine.ts). Each dataset's files are checked with stat() first: anything
 * but a regular file is refused before DuckDB opens it.
 *
 * Time limits (`timeoutMs` on a request): past it the request's connection is interrupted
 * (`DuckDBConnection.interrupt()`, which stops the query within moments and leaves the
 * connection usable) and the answer, `timedOut: true`, leaves at once. The work itself is still
 * tracked until DuckDB has settled it, and only then does its connection serve another request
 * or close: the thread never ends, and no connection closes, under a running query.
 * An interrupted `fetchChunk` on a streamed result does not throw: it returns an empty chunk,
 * as at the end of the rows (checked with @duckdb/node-api 1.5.6). So a stream that was
 * interrupted (time limit, shutdown) is never reported as complete: an export would be cut short.
 */
import { stat } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import {
  DOUBLE,
  DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBResult,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Cell, SetupFailure, SetupStep, WorkerRequest, WorkerResponse } from './worker-protocol';

if (!parentPort) throw new Error('duckdb-worker must run as a worker thread');
const port = parentPort;

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_DATE_MS = 8.64e15;

function isoFromMicros(micros: bigint, fallback: string): string {
  const ms = Number(micros / 1000n);
  return Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : fallback;
}

/** DuckDB value -> JSON-safe cell. */
function toCell(value: DuckDBValue): Cell {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
    return isoFromMicros(value.micros, value.toString());
  }
  return String(value);
}

/**
 * Parameter types: the API's own guess, except for a whole number beyond BIGINT, which it
 * would bind as BIGINT and fail ("bigint out of int64 range"); it goes as the DOUBLE it is.
 */
function bindTypes(params: readonly Cell[]): DuckDBType[] {
  const types = params.map((p) => (typeof p === 'number' && Number.isInteger(p) && Math.abs(p) >= 2 ** 63 ? DOUBLE : undefined));
  return types as DuckDBType[];
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A request that ran past its `timeoutMs`: answered with `timedOut: true`. */
class TimedOut extends Error {
  constructor(ms: number) {
    super(`The query ran longer than ${ms} ms and was interrupted.`);
    this.name = 'TimedOut';
  }
}

/** Interrupts `connection` when `signal` aborts, until the returned function is called. */
function interruptOnAbort(connection: DuckDBConnection, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => undefined;
  const interrupt = () => {
    try {
      connection.interrupt();
    } catch {
      // Already closed.
    }
  };
  signal.addEventListener('abort', interrupt, { once: true });
  return () => signal.removeEventListener('abort', interrupt);
}

class ConnectionPool {
  private readonly free: DuckDBConnection[] = [];
  private readonly waiting: ((connection: DuckDBConnection) => void)[] = [];

  constructor(connections: DuckDBConnection[]) {
    this.free.push(...connections);
  }

  /** Runs `fn` on a free connection; `signal` gives up waiting for one, or interrupts it. */
  async use<T>(fn: (connection: DuckDBConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const connection = this.free.pop() ?? (await this.wait(signal));
    const release = interruptOnAbort(connection, signal);
    try {
      signal?.throwIfAborted();
      return await fn(connection);
    } finally {
      // Only once the query has settled: the connection then serves the next request.
      release();
      const next = this.waiting.shift();
      if (next) next(connection);
      else this.free.push(connection);
    }
  }

  private wait(signal: AbortSignal | undefined): Promise<DuckDBConnection> {
    return new Promise<DuckDBConnection>((resolve, reject) => {
      signal?.throwIfAborted();
      const give = (connection: DuckDBConnection) => {
        signal?.removeEventListener('abort', abandon);
        resolve(connection);
      };
      const abandon = () => {
        const index = this.waiting.indexOf(give);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal!.reason as Error);
      };
      this.waiting.push(give);
      signal?.addEventListener('abort', abandon, { once: true });
    });
  }
}

interface Stream {
  connection: DuckDBConnection;
  result: DuckDBResult;
  columns: string[];
  types: string[];
  /** The fetch running on it, if any: the connection closes only once that has settled. */
  busy: Promise<void> | null;
}

let instance: DuckDBInstance | null = null;
/** The connection the setup steps run on (the first of the pool once locked). */
let setupConnection: DuckDBConnection | null = null;
let pool: ConnectionPool | null = null;
let connections: DuckDBConnection[] = [];
const streams = new Map<number, Stream>();
/** Every open export connection, opening or streaming (all are interrupted on stop). */
const streamConnections = new Set<DuckDBConnection>();
/** Requests being handled: all must settle before the thread may end. */
const inflight = new Set<Promise<unknown>>();
let stopping = false;

/** Keeps `work` among the requests in flight until it settles. */
function track(work: Promise<unknown>): void {
  inflight.add(work);
  void work.finally(() => inflight.delete(work)).catch(() => undefined);
}

/**
 * Runs a request's work within its time limit. At the limit the signal aborts (the connection
 * serving the request is interrupted, a wait for one is given up) and this rejects with
 * TimedOut at once, without waiting for DuckDB; the work stays tracked until it settles.
 */
async function limited<T>(timeoutMs: number | undefined, work: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  if (!timeoutMs || timeoutMs <= 0) return work();
  const controller = new AbortController();
  const running = work(controller.signal);
  track(running);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimedOut(timeoutMs);
      reject(error);
      controller.abort(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Interrupts every running query and waits until all requests have settled, or `maxWaitMs`
 * has passed. An interrupt does not end a call blocked in a read (a FIFO, a stalled share):
 * without a bound, that wait lasts until the read returns.
 */
async function stopAll(maxWaitMs?: number): Promise<void> {
  stopping = true;
  for (const connection of new Set([...(setupConnection ? [setupConnection] : []), ...connections, ...streamConnections])) {
    try {
      connection.interrupt();
    } catch {
      // Already closed.
    }
  }
  const settled = Promise.allSettled([...inflight]);
  if (maxWaitMs === undefined) await settled;
  else await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, maxWaitMs))]);
}

function fatal(error: unknown): void {
  if (stopping) return;
  const message = error instanceof Error ? error.message : String(error);
  port.postMessage({ id: -1, ok: false, error: `Data engine worker failed: ${message}` } satisfies WorkerResponse);
  void stopAll(5000).finally(() => process.exit(1));
}
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

function engine(): { instance: DuckDBInstance; pool: ConnectionPool } {
  if (!instance || !pool) throw new Error('The data engine is not open.');
  return { instance, pool };
}

async function generate(file: string, statements: string[]): Promise<void> {
  const db = await DuckDBInstance.create(file);
  const connection = await db.connect();
  try {
    for (const sql of statements) await connection.run(sql);
    await connection.run('CHECKPOINT');
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

/** Creates the in-memory engine the setup steps fill. */
async function open(): Promise<void> {
  if (instance) throw new Error('The data engine is already open.');
  const db = await DuckDBInstance.create(':memory:');
  setupConnection = await db.connect();
  instance = db;
}

/** Refuses anything but a regular file before DuckDB opens it: a FIFO would block the read for good. */
async function checkFile(file: string): Promise<SetupFailure | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? null : { kind: 'not-a-file', message: `${file} is not a regular file.` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing', message: `${file} does not exist.` };
    if (code === 'EACCES' || code === 'EPERM') return { kind: 'no-access', message: `${file} may not be read.` };
    return { kind: 'engine', message: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs one dataset's setup: null when it opened, else why not. */
async function setup(step: SetupStep): Promise<SetupFailure | null> {
  const connection = setupConnection;
  if (!connection || pool) throw new Error('The data engine is not being set up.');
  for (const file of step.files ?? []) {
    const problem = await checkFile(file);
    if (problem) return problem;
  }
  try {
    for (const sql of step.statements) {
      // Shutting down meanwhile: do not start a read that may never return.
      if (stopping) throw new Error('The data engine is stopping.');
      await connection.run(sql);
    }
    return null;
  } catch (error) {
    return { kind: 'engine', message: error instanceof Error ? error.message : String(error) };
  }
}

/** Ends the setup. */
async function lock(allowedPaths: string[], count: number): Promise<void> {
  const connection = setupConnection;
  if (!instance || !connection || pool) throw new Error('The data engine is not being set up.');
  // Lock down: after this no query can read or write any other file, load an extension,
  // or change these settings back, whatever SQL reaches the engine.
  await connection.run(`SET allowed_paths = [${allowedPaths.map(quoteLiteral).join(', ')}]`);
  await connection.run('SET autoinstall_known_extensions = false');
  await connection.run('SET autoload_known_extensions = false');
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
  const all = [connection];
  for (let i = 1; i < count; i++) all.push(await instance.connect());
  connections = all;
  pool = new ConnectionPool(all);
}

async function query(request: Extract<WorkerRequest, { op: 'query' }>): Promise<WorkerResponse> {
  const { pool } = engine();
  return limited(request.timeoutMs, (signal) =>
    pool.use(async (connection) => {
      const reader = await connection.runAndReadAll(request.sql, request.params, bindTypes(request.params));
      // Timed out meanwhile: the answer has gone, the rows are not needed.
      signal?.throwIfAborted();
      return {
        id: request.id,
        ok: true,
        columns: reader.columnNames(),
        types: reader.columnTypes().map((t) => t.toString()),
        rows: reader.getRows().map((row) => row.map(toCell)),
        done: true,
      };
    }, signal),
  );
}

async function streamOpen(request: Extract<WorkerRequest, { op: 'stream-open' }>): Promise<WorkerResponse> {
  const { instance } = engine();
  return limited(request.timeoutMs, async (signal) => {
    const connection = await instance.connect();
    streamConnections.add(connection);
    const release = interruptOnAbort(connection, signal);
    try {
      signal?.throwIfAborted();
      const result = await connection.stream(request.sql, request.params, bindTypes(request.params));
      // Timed out meanwhile: nobody will pull these rows.
      signal?.throwIfAborted();
      if (stopping) throw new Error('The data engine is stopping.');
      const stream: Stream = {
        connection,
        result,
        columns: result.columnNames(),
        types: result.columnTypes().map((t) => t.toString()),
        busy: null,
      };
      streams.set(request.id, stream);
      return {
        id: request.id,
        ok: true,
        columns: stream.columns,
        types: stream.types,
        rows: [],
        done: false,
        stream: request.id,
      };
    } catch (error) {
      streamConnections.delete(connection);
      connection.closeSync();
      throw error;
    } finally {
      release();
    }
  });
}

/** Forgets a stream and closes its connection, once any fetch running on it has settled. */
function closeStream(id: number): void {
  const stream = streams.get(id);
  if (!stream) return;
  streams.delete(id);
  const close = () => {
    streamConnections.delete(stream.connection);
    try {
      stream.connection.closeSync();
    } catch {
      // Already closed.
    }
  };
  if (stream.busy) void stream.busy.then(close);
  else close();
}

async function fetchRows(
  stream: Stream,
  maxRows: number,
  signal: AbortSignal | undefined,
): Promise<{ rows: Cell[][]; done: boolean }> {
  const release = interruptOnAbort(stream.connection, signal);
  try {
    const rows: Cell[][] = [];
    while (rows.length < maxRows) {
      const chunk = await stream.result.fetchChunk();
      // An interrupted fetch looks like the end of the rows: it must not pass for it.
      signal?.throwIfAborted();
      if (stopping) throw new Error('The data engine is stopping.');
      if (!chunk || chunk.rowCount === 0) return { rows, done: true };
      for (const row of chunk.getRows()) rows.push(row.map(toCell));
    }
    return { rows, done: false };
  } finally {
    release();
  }
}

async function streamNext(request: Extract<WorkerRequest, { op: 'stream-next' }>): Promise<WorkerResponse> {
  const stream = streams.get(request.stream);
  if (!stream) throw new Error('This export is no longer running.');
  if (stream.busy) throw new Error('This export is already fetching rows.');
  const { rows, done } = await limited(request.timeoutMs, (signal) => {
    const step = fetchRows(stream, request.maxRows, signal);
    stream.busy = step.then(
      () => undefined,
      () => undefined,
    );
    void stream.busy.then(() => (stream.busy = null));
    // Finished, failed or timed out: the stream ends (its connection closes once settled).
    void step.then(
      (batch) => batch.done && closeStream(request.stream),
      () => closeStream(request.stream),
    );
    return step;
  });
  return { id: request.id, ok: true, columns: stream.columns, types: stream.types, rows, done };
}

/**
 * Ends cleanly: nothing runs in DuckDB once this answers, so main may terminate the thread.
 * It waits for every request to settle, however long: closing DuckDB, or ending the thread,
 * under a call still running would abort the whole process once that call returns.
 */
async function shutdown(): Promise<void> {
  await stopAll();
  for (const id of [...streams.keys()]) closeStream(id);
  for (const connection of new Set([...(setupConnection ? [setupConnection] : []), ...connections])) connection.closeSync();
  connections = [];
  setupConnection = null;
  pool = null;
  instance?.closeSync();
  instance = null;
}

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  const empty = { id: request.id, ok: true as const, columns: [], types: [], rows: [], done: true };
  switch (request.op) {
    case 'shutdown':
      await shutdown();
      return empty;
    case 'simulate-crash':
      // An uncaught error, as a bug here would throw: exercises the path above (tests).
      setTimeout(() => {
        throw new Error('simulated crash');
      });
      return empty;
    case 'generate':
      await generate(request.file, request.statements);
      return empty;
    case 'open':
      await open();
      return empty;
    case 'setup': {
      const failure = await setup(request);
      return failure ? { ...empty, setupFailure: failure } : empty;
    }
    case 'lock':
      await lock(request.allowedPaths, Math.max(1, request.connections));
      return empty;
    case 'query':
      return query(request);
    case 'stream-open':
      return streamOpen(request);
    case 'stream-next':
      return streamNext(request);
    case 'stream-close':
      closeStream(request.stream);
      return empty;
  }
}

port.on('message', (request: WorkerRequest) => {
  if (stopping && request.op !== 'shutdown') {
    port.postMessage({ id: request.id, ok: false, error: 'The data engine is stopping.' } satisfies WorkerResponse);
    return;
  }
  const work = handle(request);
  if (request.op !== 'shutdown') track(work);
  work.then(
    (response) => port.postMessage(response),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        ...(error instanceof TimedOut ? { timedOut: true } : {}),
      } satisfies WorkerResponse),
  );
});
