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
 */
import { parentPort } from 'node:worker_threads';
import {
  DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBResult,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Cell, SetupStep, WorkerRequest, WorkerResponse } from './worker-protocol';

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

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

class ConnectionPool {
  private readonly free: DuckDBConnection[] = [];
  private readonly waiting: ((connection: DuckDBConnection) => void)[] = [];

  constructor(connections: DuckDBConnection[]) {
    this.free.push(...connections);
  }

  async use<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = this.free.pop() ?? (await new Promise<DuckDBConnection>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(connection);
    } finally {
      const next = this.waiting.shift();
      if (next) next(connection);
      else this.free.push(connection);
    }
  }
}

interface Stream {
  connection: DuckDBConnection;
  result: DuckDBResult;
  columns: string[];
  types: string[];
}

let instance: DuckDBInstance | null = null;
let pool: ConnectionPool | null = null;
let connections: DuckDBConnection[] = [];
const streams = new Map<number, Stream>();
/** Requests being handled: all must settle before the thread may end. */
const inflight = new Set<Promise<unknown>>();
let stopping = false;

/** Interrupts every running query and waits (bounded) until all requests have settled. */
async function stopAll(): Promise<void> {
  stopping = true;
  for (const connection of [...connections, ...[...streams.values()].map((s) => s.connection)]) {
    try {
      connection.interrupt();
    } catch {
      // Already closed.
    }
  }
  const settled = Promise.allSettled([...inflight]);
  await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 5000))]);
}

function fatal(error: unknown): void {
  if (stopping) return;
  const message = error instanceof Error ? error.message : String(error);
  port.postMessage({ id: -1, ok: false, error: `Data engine worker failed: ${message}` } satisfies WorkerResponse);
  void stopAll().finally(() => process.exit(1));
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

/** Returns the failed steps as [key, error] rows. */
async function open(setup: SetupStep[], allowedPaths: string[], count: number): Promise<Cell[][]> {
  if (instance) throw new Error('The data engine is already open.');
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const failed: Cell[][] = [];
  for (const step of setup) {
    try {
      for (const sql of step.statements) await connection.run(sql);
    } catch (error) {
      failed.push([step.key, error instanceof Error ? error.message : String(error)]);
    }
  }
  // Lock down: after this no query can read or write any other file, load an extension,
  // or change these settings back, whatever SQL reaches the engine.
  await connection.run(`SET allowed_paths = [${allowedPaths.map(quoteLiteral).join(', ')}]`);
  await connection.run('SET autoinstall_known_extensions = false');
  await connection.run('SET autoload_known_extensions = false');
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
  const all = [connection];
  for (let i = 1; i < count; i++) all.push(await db.connect());
  instance = db;
  connections = all;
  pool = new ConnectionPool(all);
  return failed;
}

async function query(request: Extract<WorkerRequest, { op: 'query' }>): Promise<WorkerResponse> {
  return engine().pool.use(async (connection) => {
    const reader = await connection.runAndReadAll(request.sql, request.params);
    return {
      id: request.id,
      ok: true,
      columns: reader.columnNames(),
      types: reader.columnTypes().map((t) => t.toString()),
      rows: reader.getRows().map((row) => row.map(toCell)),
      done: true,
    };
  });
}

async function streamOpen(request: Extract<WorkerRequest, { op: 'stream-open' }>): Promise<WorkerResponse> {
  const connection = await engine().instance.connect();
  try {
    const result = await connection.stream(request.sql, request.params);
    const stream = { connection, result, columns: result.columnNames(), types: result.columnTypes().map((t) => t.toString()) };
    streams.set(request.id, stream);
    return { id: request.id, ok: true, columns: stream.columns, types: stream.types, rows: [], done: false, stream: request.id };
  } catch (error) {
    connection.closeSync();
    throw error;
  }
}

function closeStream(id: number): void {
  const stream = streams.get(id);
  if (!stream) return;
  streams.delete(id);
  stream.connection.closeSync();
}

async function streamNext(request: Extract<WorkerRequest, { op: 'stream-next' }>): Promise<WorkerResponse> {
  const stream = streams.get(request.stream);
  if (!stream) throw new Error('This export is no longer running.');
  const rows: Cell[][] = [];
  let done = false;
  while (rows.length < request.maxRows) {
    const chunk = await stream.result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) {
      done = true;
      break;
    }
    for (const row of chunk.getRows()) rows.push(row.map(toCell));
  }
  if (done) closeStream(request.stream);
  return { id: request.id, ok: true, columns: stream.columns, types: stream.types, rows, done };
}

/** Ends cleanly: nothing runs in DuckDB once this answers, so main may terminate the thread. */
async function shutdown(): Promise<void> {
  await stopAll();
  for (const id of [...streams.keys()]) closeStream(id);
  for (const connection of connections) connection.closeSync();
  connections = [];
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
      return {
        ...empty,
        columns: ['key', 'error'],
        rows: await open(request.setup, request.allowedPaths, Math.max(1, request.connections)),
      };
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
  if (request.op !== 'shutdown') {
    inflight.add(work);
    void work.finally(() => inflight.delete(work)).catch(() => undefined);
  }
  work.then(
    (response) => port.postMessage(response),
    (error: unknown) =>
      port.postMessage({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
