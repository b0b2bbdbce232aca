/**
 * One postgres dataset, served to each signed-in person over their own connections, as their
 * own database role: the database's row-level security and column privileges decide.
 *
 *   - One small pool per person (per session), made on first use from their kept credential
 *     (or, for `entra-token`, a fresh access token per new connection); closed at sign-out,
 *     session timeout, a replaced or forgotten credential, and at quit.
 *   - Every connection starts read-only (`default_transaction_read_only`) with
 *     `statement_timeout` from `data.queryTimeoutSeconds`, ISO dates in UTC; every value
 *     arrives as text (nothing is parsed that the page does not need).
 *   - Rows stay in memory for the page that asked; nothing is written to disk but an export.
 */
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { CellValue, CountBucket, DataPage, DatasetSummary } from '../../../preload/contract';
import { AppError } from '../../errors';
import { COLUMN_NAME, type DatasetConfig } from '../data-config';
import type { DataLogger } from '../data-engine';
import { labelFor, quoteIdent } from '../dataset';
import type { Principal } from '../principal';
import type { DataFilter, SortKey } from '../query-builder';
import { CopyTextParser } from './copy-text';
import type { DbCredentialStore } from './credential-store';
import { describePgError, isLoginRefused, pgAppError } from './pg-errors';
import {
  compileAnchors,
  compileCount,
  compileCounts,
  compileEstimate,
  compileExport,
  compilePage,
  estimateFromPlan,
  visibleColumns,
  type PgColumnDef,
  type PgDatasetDef,
  type PgQuery,
  type PgView,
} from './pg-query-compiler';
import { cellFromPg, columnTypeOfPg, pgBaseType } from './pg-types';
import { fillUserTemplate, type PostgresSource } from './postgres-config';
import { ANCHOR_EVERY, anchorsFromRows, ViewPaging, type Anchors } from './view-paging';

/** Who asks: the principal (from the session, in main) and which Portico user and session. */
export interface Person {
  principal: Principal;
  /** The Portico user's stable id (local uuid, or provider:subject): credentials are kept under it. */
  userId: string;
  /** Pools belong to a session and end with it. */
  sessionId: string;
}

export type PostgresDatasetConfig = Omit<DatasetConfig, 'source'> & { source: PostgresSource };

/** Gets a database access token for a person signed in with Entra (the `entra-token` method). */
export interface DbTokenSource {
  accessToken(person: Person, providerId: string, scope: string): Promise<string>;
}

export interface PostgresDatasetDeps {
  credentials: Pick<DbCredentialStore, 'load' | 'save' | 'forget'>;
  tokens?: DbTokenSource | null;
  log: DataLogger;
  /** `data.queryTimeoutSeconds` in ms: the connections' statement_timeout. */
  queryMs: number;
  /** An export stops when no rows come for this long. */
  exportStepMs: number;
  /** `data.exportAllowed`. */
  exportAllowed: boolean;
}

/** How the person stands with this dataset, for the Connect form. */
export interface TeamConnection {
  method: 'password' | 'entra-token';
  state: 'connected' | 'needs-credential' | 'credential-rejected' | 'unreachable' | 'access-denied';
  /** The database user: the kept one, or the policy's prefill. Never a password. */
  username: string | null;
  message: string | null;
}

export interface TeamDatasetSummary extends DatasetSummary {
  connection: TeamConnection;
}

export interface TeamDataPage extends DataPage {
  /** The total is the planner's estimate (the exact count is still running or too slow). */
  totalIsEstimate: boolean;
}

export interface ViewInput {
  datasetId: string;
  filters: readonly DataFilter[];
  search: string;
  sort: readonly SortKey[];
}

interface PersonState {
  pool: pg.Pool;
  user: string;
  def: Promise<PgDatasetDef> | null;
  entitled: Promise<boolean> | null;
  views: Map<string, ViewPaging>;
  serverVersion: string | null;
  /** The one slow pass (a count or anchors) running for this person: a newer one cancels it. */
  background: { pid: number | null; canceled: boolean; view: ViewPaging } | null;
}

/** A background pass cancelled by a newer one (not a failure: it may run again). */
class Superseded extends Error {}

const VIEWS_PER_PERSON = 20;
/** An export hands rows on about this many bytes of COPY text at a time. */
const EXPORT_BATCH_BYTES = 64 * 1024;
const IDLE_CONNECTION_MS = 60_000;
const CONNECT_TIMEOUT_MS = 15_000;

/** Every value as PostgreSQL's text: keyset bounds must round-trip exactly. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export class PostgresDataset {
  private readonly people = new Map<string, PersonState>();
  private closed = false;

  constructor(
    readonly config: PostgresDatasetConfig,
    private readonly deps: PostgresDatasetDeps,
  ) {}

  get id(): string {
    return this.config.id;
  }

  /** The dataset as this person sees it, with where they stand (no connection is forced). */
  async summary(person: Person): Promise<TeamDatasetSummary> {
    const base = {
      id: this.config.id,
      name: this.config.name,
      description: this.config.description,
      rowScope: this.config.source.rowScope ?? null,
      canExport: this.deps.exportAllowed && person.principal.permissions.includes('data.export'),
      // Opened in the sense of issue 11: where this person stands is `connection`.
      status: 'ready' as const,
      error: null,
      kind: 'team' as const,
    };
    const method = this.config.source.auth.method;
    const empty = (state: TeamConnection['state'], message: string | null): TeamDatasetSummary => ({
      ...base,
      columns: [],
      chartColumns: [],
      connection: { method, state, username: this.usernameFor(person), message },
    });
    let state: PersonState;
    try {
      state = this.stateFor(person);
    } catch (error) {
      if (error instanceof AppError && error.code === 'DATA_CONNECT_REQUIRED') return empty('needs-credential', error.message);
      throw error;
    }
    try {
      const def = await this.describe(state);
      const entitled = await this.entitled(state);
      const columns = visibleColumns(def, person.principal);
      const visible = new Set(columns.map((c) => c.name));
      return {
        ...base,
        rowScope: entitled ? base.rowScope : 'no rows (the database grants you none in this dataset)',
        columns: columns.map((c) => ({ name: c.name, label: c.label, type: c.type, masked: c.masked })),
        chartColumns: def.chartColumns.filter((c) => visible.has(c)),
        connection: { method, state: 'connected', username: state.user, message: null },
      };
    } catch (error) {
      const appError = this.fail(error, person);
      const stateOf: Partial<Record<string, TeamConnection['state']>> = {
        DATA_CREDENTIAL_REJECTED: 'credential-rejected',
        DATA_SOURCE_UNREACHABLE: 'unreachable',
        DATA_ACCESS_DENIED: 'access-denied',
        DATA_CONNECT_REQUIRED: 'needs-credential',
      };
      return empty(stateOf[appError.code] ?? 'unreachable', appError.message);
    }
  }

  /**
   * Tests `username` / `password` at once (a connection that reads the table's description as
   * that login), then keeps them in the vault under this Portico user. A refused login keeps
   * nothing. The person's earlier connections are closed.
   */
  async connect(person: Person, username: string, password: string): Promise<void> {
    if (this.config.source.auth.method !== 'password') {
      throw new AppError(
        'INVALID_PAYLOAD',
        `${this.config.name} uses your Microsoft Entra sign-in: there is no password to enter.`,
      );
    }
    const client = new pg.Client(this.clientConfig(username, password));
    client.on('error', () => undefined); // reported through the awaited calls below
    try {
      await client.connect();
      await describeTable(client, this.config);
    } catch (error) {
      throw this.fail(error, person, false);
    } finally {
      await client.end().catch(() => undefined);
    }
    await this.closeState(person.sessionId);
    await this.deps.credentials.save(person.userId, this.config.id, { username, password, savedAt: Date.now() });
    this.deps.log.info('Database login kept for a team dataset', { dataset: this.config.id, username });
  }

  /** Forgets the kept login and closes the person's connections. */
  async forget(person: Person): Promise<boolean> {
    await this.closeState(person.sessionId);
    return this.deps.credentials.forget(person.userId, this.config.id);
  }

  async page(person: Person, input: ViewInput & { offset: number; limit: number }): Promise<TeamDataPage> {
    const state = this.stateFor(person);
    try {
      const def = await this.describe(state);
      if (!(await this.entitled(state))) {
        return {
          datasetId: this.id,
          columns: visibleColumns(def, person.principal).map((c) => c.name),
          rows: [],
          offset: input.offset,
          total: 0,
          totalIsEstimate: false,
        };
      }
      const view = this.viewFor(state, input);
      // Another view's slow pass would compete with this page: it stops now.
      if (state.background && state.background.view !== view) void this.cancelBackground(state);
      // Anchors still being read are not waited for: the page goes by OFFSET meanwhile.
      const anchors = view.readyAnchors;
      let start = view.startFor(input.offset, anchors);
      // A long jump with no anchors yet: one long OFFSET now, anchors for the next jumps.
      const jump = !start;
      start ??= view.nearest(input.offset, anchors);
      const query = compilePage(def, person.principal, input, start, input.limit);
      const rowsP = this.run(state, query);
      const estimate = view.knownCount === null ? this.estimate(state, def, person, input) : null;
      const [rows, estimated] = await Promise.all([rowsP, estimate]);
      // Only now the slower passes, so that they never hold up the page on a busy server.
      if (jump) void this.anchors(state, def, person, input, view).catch(() => undefined);

      const last = rows[rows.length - 1];
      if (last)
        view.remember(
          input.offset + rows.length,
          query.keyIndexes.map((i) => last[i] ?? null),
        );
      if (rows.length < input.limit && (rows.length > 0 || input.offset === 0)) {
        // The view ends on this page: its count is known exactly.
        view.knownCount = input.offset + rows.length;
      }
      const total = this.total(state, def, person, input, view, estimated);
      const columns = query.columns.map((name) => def.columns.find((c) => c.name === name)!);
      const shown = columnsShown(def, person.principal);
      return {
        datasetId: this.id,
        columns: query.columns,
        rows: rows.map((row) => row.map((cell, i) => toCell(cell, shown[i]!, columns[i]!))),
        offset: input.offset,
        total: total.value,
        totalIsEstimate: !total.exact,
      };
    } catch (error) {
      throw this.fail(error, person);
    }
  }

  async counts(person: Person, input: Omit<ViewInput, 'sort'> & { column: string }): Promise<CountBucket[]> {
    const state = this.stateFor(person);
    try {
      const def = await this.describe(state);
      if (!(await this.entitled(state))) return [];
      const rows = await this.run(state, compileCounts(def, person.principal, input));
      return rows.map(([value, count]) => ({ value: value ?? null, count: Number(count) }));
    } catch (error) {
      throw this.fail(error, person);
    }
  }

  /** Checks an export request (permission, columns) before the save dialog opens. */
  async checkExport(person: Person, input: ViewInput): Promise<void> {
    if (!this.deps.exportAllowed || !person.principal.permissions.includes('data.export')) {
      throw new AppError('PERMISSION_DENIED', 'Exporting is not allowed for your account. Ask IT if you need it.');
    }
    const state = this.stateFor(person);
    try {
      compileExport(await this.describe(state), person.principal, input);
    } catch (error) {
      throw this.fail(error, person);
    }
  }

  /**
   * Every row of the view, streamed with `COPY (...) TO STDOUT` on one of the person's
   * connections, in a read-only transaction without statement_timeout (an export takes as
   * long as it takes); it stops when no data comes for `exportStepMs`. Row-level security
   * applies to COPY like to any query.
   */
  async openExport(person: Person, input: ViewInput): Promise<{ columns: string[]; batches: AsyncIterable<CellValue[][]> }> {
    await this.checkExport(person, input);
    const state = this.stateFor(person);
    const def = await this.describe(state);
    const entitled = await this.entitled(state);
    const query = compileExport(def, person.principal, input);
    const shown = columnsShown(def, person.principal);
    const defs = query.columns.map((name) => def.columns.find((c) => c.name === name)!);
    // Dates and timestamps come formatted by the server (see compileExport): only numbers are converted.
    const numeric = defs.map((d, i) => !shown[i]!.masked && (d.type === 'integer' || d.type === 'decimal'));
    const convert = (row: (string | null)[]) =>
      row.map((cell, i) => (numeric[i] && cell !== null ? cellFromPg(cell, defs[i]!.type, defs[i]!.pgType) : cell));
    if (!entitled) return { columns: query.columns, batches: (async function* () {})() };
    // A count or anchors pass still running would only compete with the export.
    await this.cancelBackground(state);
    const client = await state.pool.connect().catch((error: unknown) => {
      throw this.fail(error, person);
    });
    const deps = this.deps;
    const fail = (error: unknown) => this.fail(error, person);
    client.on('error', ignoreHeldClientError);
    async function* batches(): AsyncGenerator<CellValue[][]> {
      let broken: unknown = null;
      try {
        await client.query('BEGIN READ ONLY');
        await client.query('SET LOCAL statement_timeout = 0');
        if (query.settings) await client.query(query.settings.sql, query.settings.params);
        const stream = client.query(copyTo(query.copySql));
        const parser = new CopyTextParser();
        const watch = stallWatch(stream, deps.exportStepMs);
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
      } catch (error) {
        broken = error;
        if (error instanceof StallError) {
          throw new AppError(
            'EXPORT_FAILED',
            `The export stopped: the database sent no rows for ${Math.round(deps.exportStepMs / 1000)} seconds. Narrow the filters or the search, then export again.`,
          );
        }
        const appError = fail(error);
        if (appError.code === 'DATA_UNAVAILABLE' || appError.code === 'INVALID_PAYLOAD') {
          throw new AppError('EXPORT_FAILED', 'The export could not read this dataset. Try again; if it keeps failing, tell IT.');
        }
        throw appError;
      } finally {
        // A connection whose COPY was cut is dropped, not reused mid-transaction.
        client.removeListener('error', ignoreHeldClientError);
        client.release(broken ? true : undefined);
      }
    }
    return { columns: query.columns, batches: batches() };
  }

  /** The server version from this person's open connection, if any (diagnostics). */
  serverVersionFor(sessionId: string): string | null {
    return this.people.get(sessionId)?.serverVersion ?? null;
  }

  /** Closes one session's connections (sign-out, timeout, lock). */
  async closeSession(sessionId: string): Promise<void> {
    await this.closeState(sessionId);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.people.keys()].map((id) => this.closeState(id)));
  }

  /** Open pools, by session (tests and diagnostics). */
  openSessions(): string[] {
    return [...this.people.keys()];
  }

  private usernameFor(person: Person): string | null {
    const auth = this.config.source.auth;
    if (auth.method === 'entra-token') return fillUserTemplate(auth.user, person.principal);
    const kept = this.deps.credentials.load(person.userId, this.config.id);
    if (kept) return kept.username;
    return auth.username ? fillUserTemplate(auth.username, person.principal) : null;
  }

  private clientConfig(user: string, password: pg.ClientConfig['password']): pg.ClientConfig {
    const source = this.config.source;
    const seconds = Math.max(1, Math.ceil(this.deps.queryMs / 1000));
    return {
      host: source.host,
      port: source.port,
      database: source.database,
      user,
      password,
      ssl: source.tls.mode === 'verify-full' ? { ca: source.tls.ca.join('\n'), rejectUnauthorized: true } : false,
      application_name: 'Portico',
      // Read-only and time-limited from the first statement on; dates as ISO text in UTC.
      options: `-c default_transaction_read_only=on -c statement_timeout=${seconds}s -c DateStyle=ISO -c TimeZone=UTC -c idle_in_transaction_session_timeout=${Math.max(seconds * 10, 60)}s`,
      types: TEXT_TYPES,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A server that stops answering mid-query: give up a little after statement_timeout.
      query_timeout: this.deps.queryMs + CONNECT_TIMEOUT_MS,
      keepAlive: true,
    };
  }

  /** The person's pool, made from their kept credential (or Entra token) on first use. */
  private stateFor(person: Person): PersonState {
    if (this.closed) throw new AppError('DATA_UNAVAILABLE', 'Portico is closing. Restart it to see data.');
    const existing = this.people.get(person.sessionId);
    if (existing) return existing;
    const auth = this.config.source.auth;
    let user: string;
    let password: pg.ClientConfig['password'];
    if (auth.method === 'password') {
      const kept = this.deps.credentials.load(person.userId, this.config.id);
      if (!kept) {
        throw new AppError(
          'DATA_CONNECT_REQUIRED',
          `Connect to ${this.config.name} with your own database login: Portico keeps none for you yet.`,
        );
      }
      user = kept.username;
      password = kept.password;
    } else {
      const filled = fillUserTemplate(auth.user, person.principal);
      const tokens = this.deps.tokens;
      if (!filled || !tokens) {
        throw new AppError(
          'DATA_CONNECT_REQUIRED',
          `${this.config.name} needs your Microsoft Entra sign-in. Sign out, then sign in with Microsoft Entra.`,
        );
      }
      user = filled;
      // Called for every new connection: a token fresh enough for it.
      password = () => tokens.accessToken(person, auth.provider, auth.scope);
    }
    const pool = new pg.Pool({
      ...this.clientConfig(user, password),
      max: this.config.source.maxConnections,
      idleTimeoutMillis: IDLE_CONNECTION_MS,
    });
    // An idle connection that the server drops (restart, network) must not crash main.
    pool.on('error', (error) =>
      this.deps.log.error('Team dataset connection lost', { dataset: this.id, ...describePgError(error) }),
    );
    const state: PersonState = {
      pool,
      user,
      def: null,
      entitled: null,
      views: new Map(),
      serverVersion: null,
      background: null,
    };
    pool.on('connect', (client) => {
      const version = (client as unknown as { connection?: { parameters?: Record<string, string> } }).connection?.parameters
        ?.server_version;
      if (version) state.serverVersion = version;
    });
    this.people.set(person.sessionId, state);
    return state;
  }

  private async closeState(sessionId: string): Promise<void> {
    const state = this.people.get(sessionId);
    if (!state) return;
    this.people.delete(sessionId);
    await state.pool.end().catch(() => undefined);
  }

  /** Maps a failure; a refused login closes the pool so that the next try reads the credential again. */
  private fail(error: unknown, person: Person, closeOnRefusal = true): AppError {
    const appError = pgAppError(error, this.config.name, { timeoutWords: `${Math.round(this.deps.queryMs / 1000)} seconds` });
    if (!(error instanceof AppError))
      this.deps.log.error('Team dataset query failed', { dataset: this.id, ...describePgError(error) });
    if (closeOnRefusal && (isLoginRefused(error) || appError.code === 'DATA_SOURCE_UNREACHABLE')) {
      void this.closeState(person.sessionId);
    }
    return appError;
  }

  private describe(state: PersonState): Promise<PgDatasetDef> {
    if (!state.def) {
      state.def = this.withClient(state, (client) => describeTable(client, this.config));
      state.def.catch(() => (state.def = null));
    }
    return state.def;
  }

  private entitled(state: PersonState): Promise<boolean> {
    const fn = this.config.source.entitledFunction;
    if (!fn) return Promise.resolve(true);
    if (!state.entitled) {
      const [schema, name] = fn.split('.') as [string, string];
      state.entitled = this.run(state, { sql: `SELECT ${quoteIdent(schema)}.${quoteIdent(name)}()`, params: [] }).then(
        (rows) => rows[0]?.[0] === 't' || rows[0]?.[0] === 'true',
      );
      state.entitled.catch(() => (state.entitled = null));
    }
    return state.entitled;
  }

  private viewFor(state: PersonState, input: ViewInput): ViewPaging {
    const key = JSON.stringify([input.filters, input.search, input.sort]);
    let view = state.views.get(key);
    if (view) state.views.delete(key);
    else view = new ViewPaging();
    state.views.set(key, view);
    while (state.views.size > VIEWS_PER_PERSON) state.views.delete(state.views.keys().next().value!);
    return view;
  }

  private anchors(state: PersonState, def: PgDatasetDef, person: Person, view: PgView, paging: ViewPaging): Promise<Anchors> {
    if (!paging.anchors) {
      const query = compileAnchors(def, person.principal, view, ANCHOR_EVERY);
      paging.anchors = this.runBackground(state, query, paging).then((rows) => {
        const anchors = anchorsFromRows(rows, query.keys);
        paging.knownCount = anchors.total;
        paging.readyAnchors = anchors;
        return anchors;
      });
      paging.anchors.catch(() => (paging.anchors = null));
    }
    return paging.anchors;
  }

  private estimate(state: PersonState, def: PgDatasetDef, person: Person, view: ViewInput): Promise<number> {
    return this.run(state, compileEstimate(def, person.principal, view)).then((rows) =>
      estimateFromPlan(JSON.parse(String(rows[0]?.[0] ?? 'null'))),
    );
  }

  /**
   * The view's total: exact when known; else the planner's estimate, flagged, and the exact
   * count starts in the background (once per view) for the next page to pick up. A count
   * that runs past statement_timeout leaves the estimate standing.
   */
  private total(
    state: PersonState,
    def: PgDatasetDef,
    person: Person,
    view: ViewInput,
    paging: ViewPaging,
    estimated: number | null,
  ): { value: number; exact: boolean } {
    if (paging.knownCount !== null) return { value: paging.knownCount, exact: true };
    if (!paging.exactCount) {
      paging.exactCount = this.runBackground(state, compileCount(def, person.principal, view), paging).then(
        (rows) => (paging.knownCount = Number(rows[0]?.[0] ?? 0)),
        (error: unknown) => {
          // Superseded by another view's pass: counted again when this view is back.
          if (error instanceof Superseded) paging.exactCount = null;
          return null;
        },
      );
    }
    return { value: estimated ?? 0, exact: false };
  }

  private run(state: PersonState, query: PgQuery): Promise<(string | null)[][]> {
    return state.pool
      .query<(string | null)[]>({ text: query.sql, values: query.params, rowMode: 'array' })
      .then((result) => result.rows);
  }

  /**
   * Runs a slow pass (exact count, anchors) on its own connection. Only one per person: a
   * newer one cancels the older (pg_cancel_backend on the person's own backend), so that
   * filters changed quickly never leave counts queueing ahead of the pages.
   */
  private async runBackground(state: PersonState, query: PgQuery, view: ViewPaging): Promise<(string | null)[][]> {
    await this.cancelBackground(state);
    const slot: NonNullable<PersonState['background']> = { pid: null, canceled: false, view };
    state.background = slot;
    const client = await state.pool.connect();
    client.on('error', ignoreHeldClientError);
    try {
      if (slot.canceled) throw new Superseded('superseded');
      slot.pid = (client as unknown as { processID?: number }).processID ?? null;
      const result = await client.query<(string | null)[]>({ text: query.sql, values: query.params, rowMode: 'array' });
      return result.rows;
    } catch (error) {
      throw slot.canceled ? new Superseded('superseded') : error;
    } finally {
      if (state.background === slot) state.background = null;
      client.removeListener('error', ignoreHeldClientError);
      client.release();
    }
  }

  private async cancelBackground(state: PersonState): Promise<void> {
    const previous = state.background;
    if (!previous || previous.canceled) return;
    previous.canceled = true;
    if (previous.pid !== null) {
      await state.pool.query('SELECT pg_cancel_backend($1)', [previous.pid]).catch(() => undefined);
    }
  }

  private async withClient<T>(state: PersonState, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await state.pool.connect();
    client.on('error', ignoreHeldClientError);
    try {
      return await fn(client);
    } finally {
      client.removeListener('error', ignoreHeldClientError);
      client.release();
    }
  }
}

/** How each column is shown (a masked one is text whatever its type), in select-list order. */
function columnsShown(def: PgDatasetDef, principal: Principal): { masked: boolean; type: PgColumnDef['type'] }[] {
  return visibleColumns(def, principal).map((c) => ({ masked: c.masked, type: c.type }));
}

function toCell(text: string | null, shown: { masked: boolean; type: PgColumnDef['type'] }, def: PgColumnDef): CellValue {
  if (shown.masked) return text;
  return cellFromPg(text, def.type, def.pgType);
}

class StallError extends Error {}

/** pg-pool stops listening for errors on a lent client: one lost meanwhile surfaces in its query. */
function ignoreHeldClientError(): void {}

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

/**
 * Reads the table's columns as the person: their types, NOT NULL, and whether the database
 * lets this login select each one. Configured columns the login may not select are left out
 * of their view (the database decides); configuration naming a column the table lacks, or
 * rules on one, leave the dataset out (a typo must not unmask anything).
 */
async function describeTable(client: pg.ClientBase, config: PostgresDatasetConfig): Promise<PgDatasetDef> {
  const source = config.source;
  const result = await client.query<(string | null)[]>({
    text:
      'SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, has_column_privilege(c.oid, a.attnum, $3), has_schema_privilege(n.oid, $4)' +
      ' FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace' +
      ' JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid' +
      ' WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum',
    values: [source.schema, source.table, 'SELECT', 'USAGE'],
    rowMode: 'array',
  });
  const bool = (v: string | null | undefined) => v === 't' || v === 'true';
  const table = `${source.schema}.${source.table}`;
  if (result.rows.length === 0) {
    throw new AppError('DATA_UNAVAILABLE', `${config.name}: the database has no table ${table}. Ask IT to check the dataset.`);
  }
  if (!bool(result.rows[0]![4])) {
    throw new AppError(
      'DATA_ACCESS_DENIED',
      `The database does not let you read ${config.name}. Ask IT for access if you need it.`,
    );
  }
  const inTable = new Map<string, { type: string; notNull: boolean; granted: boolean }>();
  for (const [name, type, notNull, granted] of result.rows) {
    inTable.set(String(name), { type: String(type), notNull: bool(notNull), granted: bool(granted) });
  }
  const wanted =
    config.columns ?? [...inTable.keys()].filter((name) => COLUMN_NAME.test(name)).map((name) => ({ name, label: undefined }));
  for (const name of [
    ...(config.columns ?? []).map((c) => c.name),
    ...Object.keys(config.security.columns),
    ...(config.key ? [config.key] : []),
  ]) {
    if (!inTable.has(name))
      throw new AppError('DATA_UNAVAILABLE', `${config.name}: column ${name} is not in ${table}. Ask IT to check the dataset.`);
  }
  const columns: PgColumnDef[] = [];
  for (const c of wanted) {
    const found = inTable.get(c.name)!;
    const base = pgBaseType(found.type);
    if (!base) {
      if (config.columns)
        throw new AppError(
          'DATA_UNAVAILABLE',
          `${config.name}: column ${c.name} has type ${found.type}, which Portico cannot show.`,
        );
      continue;
    }
    if (!found.granted) continue;
    columns.push({
      name: c.name,
      label: c.label ?? labelFor(c.name),
      type: columnTypeOfPg(base),
      pgType: base,
      notNull: found.notNull,
    });
  }
  let chartColumns = config.chartColumns ?? [];
  if (!config.chartColumns) {
    // pg_stats shows only columns this login may read; few distinct values make a chart.
    const stats = await client.query<(string | null)[]>({
      text: 'SELECT attname, n_distinct FROM pg_catalog.pg_stats WHERE schemaname = $1 AND tablename = $2',
      values: [source.schema, source.table],
      rowMode: 'array',
    });
    const distinct = new Map(stats.rows.map(([name, n]) => [String(name), Number(n)]));
    chartColumns = columns
      .filter((c) => c.type === 'text' && (distinct.get(c.name) ?? Infinity) > 0 && (distinct.get(c.name) ?? Infinity) <= 50)
      .map((c) => c.name);
  }
  return {
    id: config.id,
    name: config.name,
    description: config.description,
    relation: `${quoteIdent(source.schema)}.${quoteIdent(source.table)}`,
    columns,
    key: config.key!,
    chartColumns,
    security: config.security,
  };
}
