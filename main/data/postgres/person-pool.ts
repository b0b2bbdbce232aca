/**
 * One person's small pool of connections to one team database, as their own database role:
 * read-only from the first statement on, with `statement_timeout` from
 * `data.queryTimeoutSeconds`, dates as ISO text in UTC, every value as text. Slow passes
 * (an exact count, the anchors of a jump) run one at a time: a newer one cancels the older
 * on the person's own backend (`pg_cancel_backend`), so that a changed filter never leaves
 * counts queueing ahead of the pages.
 */
import pg from 'pg';
import type { PgQuery } from './pg-query-compiler';
import type { PostgresSource } from './postgres-config';

const IDLE_CONNECTION_MS = 60_000;
const CONNECT_TIMEOUT_MS = 15_000;

/** Every value as PostgreSQL's text: keyset bounds must round-trip exactly. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** A background pass cancelled by a newer one (not a failure: it may run again). */
export class Superseded extends Error {}

/** pg-pool stops listening for errors on a client it lends: one lost meanwhile surfaces in its next query. */
function ignoreLentClientError(): void {}

/** How to connect as `user`: TLS as the policy says, read-only, time-limited. */
export function connectionConfig(
  source: PostgresSource,
  user: string,
  password: pg.ClientConfig['password'],
  queryMs: number,
): pg.ClientConfig {
  const seconds = Math.max(1, Math.ceil(queryMs / 1000));
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
    query_timeout: queryMs + CONNECT_TIMEOUT_MS,
    keepAlive: true,
  };
}

export class PersonPool {
  private readonly pool: pg.Pool;
  /** The one slow pass running, and whose it is (any object: a view). */
  private background: { pid: number | null; canceled: boolean; owner: object } | null = null;
  serverVersion: string | null = null;

  constructor(
    readonly user: string,
    config: pg.ClientConfig,
    maxConnections: number,
    onLost: (error: Error) => void,
  ) {
    this.pool = new pg.Pool({ ...config, max: maxConnections, idleTimeoutMillis: IDLE_CONNECTION_MS });
    // An idle connection that the server drops (restart, network) must not crash main.
    this.pool.on('error', onLost);
    this.pool.on('connect', (client) => {
      const version = (client as unknown as { connection?: { parameters?: Record<string, string> } }).connection?.parameters
        ?.server_version;
      if (version) this.serverVersion = version;
    });
  }

  run(query: PgQuery): Promise<(string | null)[][]> {
    return this.pool
      .query<(string | null)[]>({ text: query.sql, values: query.params, rowMode: 'array' })
      .then((result) => result.rows);
  }

  /** Runs a slow pass on its own connection; any older one is cancelled first. */
  async runBackground(query: PgQuery, owner: object): Promise<(string | null)[][]> {
    await this.cancelBackground();
    const slot: NonNullable<PersonPool['background']> = { pid: null, canceled: false, owner };
    this.background = slot;
    const client = await this.lend();
    try {
      if (slot.canceled) throw new Superseded('superseded');
      slot.pid = (client as unknown as { processID?: number }).processID ?? null;
      const result = await client.query<(string | null)[]>({ text: query.sql, values: query.params, rowMode: 'array' });
      return result.rows;
    } catch (error) {
      throw slot.canceled ? new Superseded('superseded', { cause: error }) : error;
    } finally {
      if (this.background === slot) this.background = null;
      client.giveBack();
    }
  }

  /** Whether a slow pass of another owner runs (it would compete with this owner's page). */
  busyForOther(owner: object): boolean {
    return this.background !== null && this.background.owner !== owner;
  }

  async cancelBackground(): Promise<void> {
    const previous = this.background;
    if (!previous || previous.canceled) return;
    previous.canceled = true;
    if (previous.pid !== null) await this.pool.query('SELECT pg_cancel_backend($1)', [previous.pid]).catch(() => undefined);
  }

  async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.lend();
    try {
      return await fn(client);
    } finally {
      client.giveBack();
    }
  }

  /** A connection of the pool, listened to while lent; `giveBack(true)` drops it instead of reusing it. */
  async lend(): Promise<pg.PoolClient & { giveBack(broken?: boolean): void }> {
    const client = await this.pool.connect();
    client.on('error', ignoreLentClientError);
    return Object.assign(client, {
      giveBack: (broken?: boolean) => {
        client.removeListener('error', ignoreLentClientError);
        client.release(broken ? true : undefined);
      },
    });
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
