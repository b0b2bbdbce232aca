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
import type { CellValue, CountBucket, DataPage, DatasetSummary } from '../../../preload/contract';
import { AppError } from '../../errors';
import type { DatasetConfig } from '../data-config';
import type { Logger } from '../../platform';
import { quoteIdent } from '../dataset';
import type { Principal } from '../principal';
import type { DataFilter, SortKey } from '../query-builder';
import { copyRows, StallError } from './copy-export';
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
import { cellFromPg } from './pg-types';
import { describeTable } from './describe-table';
import { connectionConfig, PersonPool, Superseded } from './person-pool';
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
  log: Logger;
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
  pool: PersonPool;
  def: Promise<PgDatasetDef> | null;
  entitled: Promise<boolean> | null;
  views: Map<string, ViewPaging>;
}

const VIEWS_PER_PERSON = 20;

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
        connection: { method, state: 'connected', username: state.pool.user, message: null },
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
    const client = new pg.Client(connectionConfig(this.config.source, username, password, this.deps.queryMs));
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
      if (state.pool.busyForOther(view)) void state.pool.cancelBackground();
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
    await state.pool.cancelBackground();
    const client = await state.pool.lend().catch((error: unknown) => {
      throw this.fail(error, person);
    });
    const stepMs = this.deps.exportStepMs;
    const fail = (error: unknown) => this.fail(error, person);
    async function* batches(): AsyncGenerator<CellValue[][]> {
      let broken = false;
      try {
        yield* copyRows(client, query, convert, stepMs);
      } catch (error) {
        broken = true;
        if (error instanceof StallError) {
          throw new AppError(
            'EXPORT_FAILED',
            `The export stopped: the database sent no rows for ${Math.round(stepMs / 1000)} seconds. Narrow the filters or the search, then export again.`,
          );
        }
        const appError = fail(error);
        if (appError.code === 'DATA_UNAVAILABLE' || appError.code === 'INVALID_PAYLOAD') {
          throw new AppError('EXPORT_FAILED', 'The export could not read this dataset. Try again; if it keeps failing, tell IT.');
        }
        throw appError;
      } finally {
        // A connection whose COPY was cut is dropped, not reused mid-transaction.
        client.giveBack(broken);
      }
    }
    return { columns: query.columns, batches: batches() };
  }

  /** The server version from this person's open connection, if any (diagnostics). */
  serverVersionFor(sessionId: string): string | null {
    return this.people.get(sessionId)?.pool.serverVersion ?? null;
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
    const pool = new PersonPool(
      user,
      connectionConfig(this.config.source, user, password, this.deps.queryMs),
      this.config.source.maxConnections,
      (error) => this.deps.log.error('Team dataset connection lost', { dataset: this.id, ...describePgError(error) }),
    );
    const state: PersonState = { pool, def: null, entitled: null, views: new Map() };
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
      state.def = state.pool.withClient((client) => describeTable(client, this.config));
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
      paging.anchors = state.pool.runBackground(query, paging).then((rows) => {
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
      paging.exactCount = state.pool.runBackground(compileCount(def, person.principal, view), paging).then(
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
    return state.pool.run(query);
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
