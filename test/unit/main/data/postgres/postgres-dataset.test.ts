/**
 * A postgres dataset through Portico's side (PostgresDataset), against a real PostgreSQL 15
 * set up with docs/team-data-postgres.md's SQL. The database is the enforcement point: each
 * person connects as themselves and sees exactly what psql shows them with the same login.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Permission } from '../../../../../preload/constants';
import { datasetSecurityConfig } from '../../../../../main/data/data-config';
import { DbCredentialStore } from '../../../../../main/data/postgres/credential-store';
import { postgresSourceConfig } from '../../../../../main/data/postgres/postgres-config';
import {
  PostgresDataset,
  type Person,
  type PostgresDatasetConfig,
  type PostgresDatasetDeps,
  type ViewInput,
} from '../../../../../main/data/postgres/postgres-dataset';
import type { SortKey } from '../../../../../main/data/query-builder';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeCsvExport } from '../../../../../main/data/export-file';
import { expectAppError, openTestVault, tempDir } from '../../../../unit/helpers';
import { NOBODY, PEOPLE, REGIONS, rowsIn, startTeamDb, teamOrdersConfig, type TeamDb } from './team-db';

const ROWS = 6000;
let db: TeamDb;
beforeAll(async () => {
  db = await startTeamDb(ROWS);
}, 60_000);
afterAll(async () => {
  await db?.pg.stop();
});

const READER: Permission[] = ['data.read', 'data.export'];

function person(name: string, permissions: Permission[] = READER): Person {
  return {
    userId: `local-${name}`,
    sessionId: `session-${name}-${Math.random()}`,
    principal: { username: name, email: `${name}@example.com`, roles: ['viewer'], groups: [], permissions },
  };
}

function datasetConfig(extra: Parameters<typeof teamOrdersConfig>[1] = {}, overrides: Partial<PostgresDatasetConfig> = {}) {
  const raw = teamOrdersConfig(db, extra);
  return {
    ...raw,
    source: postgresSourceConfig.parse(raw.source),
    security: datasetSecurityConfig.parse({}),
    chartColumns: undefined,
    ...overrides,
  } as PostgresDatasetConfig;
}

const logged: string[] = [];
async function openDataset(options: Partial<PostgresDatasetDeps> & { config?: PostgresDatasetConfig } = {}) {
  const { vault } = await openTestVault();
  const credentials = new DbCredentialStore(vault);
  const dataset = new PostgresDataset(options.config ?? datasetConfig(), {
    credentials,
    log: {
      info: (m, f) => logged.push(`${m} ${JSON.stringify(f ?? {})}`),
      error: (m, f) => logged.push(`${m} ${JSON.stringify(f ?? {})}`),
    },
    queryMs: 30_000,
    exportStepMs: 60_000,
    exportAllowed: true,
    ...options,
  });
  return { dataset, credentials, vault };
}

const view: ViewInput = { datasetId: 'team-orders', filters: [], search: '', sort: [] };

/** Every row this person sees, page by page as the grid asks. */
async function allRows(dataset: PostgresDataset, who: Person, sort: readonly SortKey[] = [], limit = 500) {
  const rows: unknown[][] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await dataset.page(who, { ...view, sort, offset, limit });
    rows.push(...page.rows);
    if (page.rows.length < limit)
      return { rows, columns: page.columns, total: page.total, totalIsEstimate: page.totalIsEstimate };
  }
}

describe('PostgresDataset: each person as themselves', () => {
  it('asks to connect first, tests the password at once, and keeps it only when the database accepts it', async () => {
    const { dataset, credentials } = await openDataset();
    const alice = person('alice');
    const before = await dataset.summary(alice);
    expect(before.connection).toMatchObject({ state: 'needs-credential', username: 'alice', method: 'password' });
    expect(before.columns).toEqual([]);
    await expectAppError(dataset.page(alice, { ...view, offset: 0, limit: 10 }), 'DATA_CONNECT_REQUIRED');

    await expectAppError(dataset.connect(alice, 'alice', 'not-her-password'), 'DATA_CREDENTIAL_REJECTED');
    expect(credentials.load(alice.userId, 'team-orders')).toBeNull();

    await dataset.connect(alice, 'alice', PEOPLE.alice.password);
    expect(credentials.load(alice.userId, 'team-orders')).toMatchObject({ username: 'alice' });
    const after = await dataset.summary(alice);
    expect(after.connection.state).toBe('connected');
    // The PII columns are not granted to her: left out of her view.
    expect(after.columns.map((c) => c.name)).toEqual(['id', 'ordered_at', 'region', 'status', 'amount']);
    expect(JSON.stringify(after)).not.toContain(PEOPLE.alice.password);
    expect(logged.join('\n')).not.toContain(PEOPLE.alice.password);
    await dataset.close();
  });

  it('shows two people only their own regions, the same rows psql gives them with their own login', async () => {
    const { dataset } = await openDataset();
    for (const name of ['alice', 'bob'] as const) {
      const who = person(name);
      await dataset.connect(who, name, PEOPLE[name].password);
      const seen = await allRows(dataset, who);
      expect(seen.rows).toHaveLength(rowsIn(PEOPLE[name].regions, ROWS));
      // The total is exact once the count is in, an estimate flagged as one until then.
      if (!seen.totalIsEstimate) expect(seen.total).toBe(rowsIn(PEOPLE[name].regions, ROWS));
      const regions = new Set(seen.rows.map((r) => r[seen.columns.indexOf('region')]));
      expect([...regions].sort()).toEqual([...PEOPLE[name].regions].sort());
      const psql = await db.pg.psql(name, PEOPLE[name].password, 'SELECT id FROM sales.orders ORDER BY id');
      expect(seen.rows.map((r) => r[0])).toEqual(psql.trim().split('\n').map(Number));
    }
    await dataset.close();
  });

  it("gives a person's kept credential, used directly, nothing more than Portico shows them", async () => {
    const { dataset, credentials } = await openDataset();
    const alice = person('alice');
    await dataset.connect(alice, 'alice', PEOPLE.alice.password);
    const kept = credentials.load(alice.userId, 'team-orders')!;
    const direct = await db.pg.connectAs(kept.username, kept.password);
    try {
      const all = await direct.query('SELECT id, region FROM sales.orders');
      expect(all.rowCount).toBe(rowsIn(['EMEA'], ROWS));
      expect(new Set(all.rows.map((r: { region: string }) => r.region))).toEqual(new Set(['EMEA']));
      await expect(direct.query('SELECT customer_email FROM sales.orders LIMIT 1')).rejects.toThrow(/permission denied/);
      await expect(direct.query("UPDATE sales.orders SET status = 'x'")).rejects.toThrow(/permission denied/);
    } finally {
      await direct.end();
    }
    await dataset.close();
  });

  it('pages by keyset in any sort order: every row once, in the same order as the database sorts them', async () => {
    const { dataset } = await openDataset();
    const carol = person('carol');
    await dataset.connect(carol, 'carol', PEOPLE.carol.password);
    for (const sort of [
      [{ column: 'ordered_at', direction: 'desc' as const }],
      [
        { column: 'region', direction: 'asc' as const },
        { column: 'amount', direction: 'desc' as const },
      ],
      [{ column: 'customer_name', direction: 'asc' as const }],
    ]) {
      const seen = await allRows(dataset, carol, sort, 700);
      const order = sort.map((s) => `${s.column} ${s.direction.toUpperCase()}`).join(', ');
      const direct = await db.pg.psql(
        'carol',
        PEOPLE.carol.password,
        `SELECT id FROM sales.orders ORDER BY ${order}, id ${sort[0]!.direction.toUpperCase()}`,
      );
      expect(seen.rows.map((r) => r[0])).toEqual(direct.trim().split('\n').map(Number));
    }
    await dataset.close();
  });

  it('jumps far into the view (OFFSET once, anchors after) and lands on the same rows as OFFSET would', async () => {
    const { dataset } = await openDataset();
    const carol = person('carol');
    await dataset.connect(carol, 'carol', PEOPLE.carol.password);
    const sort = [{ column: 'ordered_at', direction: 'asc' as const }];
    for (const offset of [4321, 5999, 2500, 100]) {
      const page = await dataset.page(carol, { ...view, sort, offset, limit: 50 });
      const direct = await db.pg.psql(
        'carol',
        PEOPLE.carol.password,
        `SELECT id FROM sales.orders ORDER BY ordered_at, id LIMIT 50 OFFSET ${offset}`,
      );
      expect(page.rows.map((r) => r[0])).toEqual(direct.trim().split('\n').filter(Boolean).map(Number));
      if (!page.totalIsEstimate) expect(page.total).toBe(ROWS);
    }
    await dataset.close();
  });

  it('filters and searches with bound values: injection attempts are plain text, unknown columns are refused', async () => {
    const { dataset } = await openDataset();
    const carol = person('carol');
    await dataset.connect(carol, 'carol', PEOPLE.carol.password);
    const page = (extra: object) => dataset.page(carol, { ...view, offset: 0, limit: 100, ...extra });
    for (const value of ["'; DROP TABLE sales.orders; --", "' OR '1'='1", '%', '_', '\\', "EMEA' OR 1=1 --"]) {
      expect((await page({ filters: [{ column: 'region', op: 'eq', value }] })).rows).toEqual([]);
      expect((await page({ search: value })).total).toBe(0);
    }
    expect((await page({ filters: [{ column: 'customer_name', op: 'contains', value: '=HYPERLINK' }] })).total).toBe(
      Math.floor(ROWS / 97),
    );
    expect((await page({ filters: [{ column: 'id', op: 'lte', value: 10.5 }] })).total).toBe(10);
    expect((await page({ filters: [{ column: 'ordered_at', op: 'eq', value: '2024-01-01' }] })).total).toBeGreaterThan(0);
    await expectAppError(page({ filters: [{ column: 'id', op: 'gte', value: 'one; DROP' }] }), 'INVALID_PAYLOAD');
    await expectAppError(page({ sort: [{ column: 'id"; DROP TABLE sales.orders; --', direction: 'asc' }] }), 'UNKNOWN_COLUMN');
    await expectAppError(page({ filters: [{ column: 'ctid', op: 'eq', value: '1' }] }), 'UNKNOWN_COLUMN');
    expect((await db.pg.sql<{ n: string }>('SELECT count(*) AS n FROM sales.orders'))[0]!.n).toBe(String(ROWS));
    await dataset.close();
  });

  it('refuses a column the database does not grant: left out of the view, and a request naming it fails cleanly', async () => {
    const { dataset } = await openDataset();
    const alice = person('alice');
    await dataset.connect(alice, 'alice', PEOPLE.alice.password);
    await expectAppError(
      dataset.page(alice, { ...view, offset: 0, limit: 10, sort: [{ column: 'customer_email', direction: 'asc' }] }),
      'UNKNOWN_COLUMN',
    );
    await expectAppError(dataset.counts(alice, { ...view, column: 'customer_name' }), 'UNKNOWN_COLUMN');
    // The grant goes away while she is connected: the database refuses, Portico says so.
    await dataset.page(alice, { ...view, offset: 0, limit: 10 });
    await db.pg.sql('REVOKE SELECT (amount) ON sales.orders FROM team_reader');
    try {
      await expectAppError(dataset.page(alice, { ...view, offset: 0, limit: 10, search: 'x' }), 'DATA_ACCESS_DENIED');
    } finally {
      await db.pg.sql('GRANT SELECT (amount) ON sales.orders TO team_reader');
    }
    await dataset.close();
  });

  it('answers someone with no entitlement at once with no rows', async () => {
    const { dataset } = await openDataset();
    const nobody = person(NOBODY.user);
    await dataset.connect(nobody, NOBODY.user, NOBODY.password);
    const page = await dataset.page(nobody, { ...view, offset: 0, limit: 100 });
    expect(page).toMatchObject({ rows: [], total: 0, totalIsEstimate: false });
    expect((await dataset.summary(nobody)).rowScope).toMatch(/no rows/);
    await dataset.close();
  });

  it('stops a query at statement_timeout with a clear message, and the next query works', async () => {
    // EMEA rows take 2 s each to read, the others none. A security_invoker view keeps row-level security.
    await db.pg.sql(`CREATE FUNCTION sales.slow(v text) RETURNS text LANGUAGE sql STABLE
        AS $$ SELECT CASE WHEN v = 'EMEA' THEN v || pg_sleep(2)::text ELSE v END $$;
      CREATE VIEW sales.slow_orders WITH (security_invoker = true) AS SELECT id, sales.slow(region) AS region FROM sales.orders;
      GRANT SELECT ON sales.slow_orders TO team_reader; GRANT EXECUTE ON FUNCTION sales.slow(text) TO team_reader;`);
    const config = datasetConfig({}, {});
    const slowConfig = {
      ...config,
      source: { ...config.source, table: 'slow_orders' },
      columns: [{ name: 'id' }, { name: 'region' }],
    } as PostgresDatasetConfig;
    const { dataset } = await openDataset({ config: slowConfig, queryMs: 1000 });
    const carol = person('carol');
    await dataset.connect(carol, 'carol', PEOPLE.carol.password);
    const error = await expectAppError(
      dataset.page(carol, { ...view, offset: 0, limit: 100, search: 'EMEA' }),
      'DATA_UNAVAILABLE',
    );
    expect(error.message).toMatch(/took too long/);
    // Rows 1 and 2 are AMER and APAC: the same connections answer at once.
    expect((await dataset.page(carol, { ...view, offset: 0, limit: 2 })).rows).toEqual([
      [1, 'AMER'],
      [2, 'APAC'],
    ]);
    await dataset.close();
  });

  it('says when the database goes down mid-session, and carries on once it is back, nothing lost', async () => {
    const { dataset, credentials } = await openDataset();
    const bob = person('bob');
    await dataset.connect(bob, 'bob', PEOPLE.bob.password);
    const first = await dataset.page(bob, { ...view, offset: 0, limit: 20 });
    await db.pg.pause();
    try {
      await expectAppError(dataset.page(bob, { ...view, offset: 20, limit: 20 }), 'DATA_SOURCE_UNREACHABLE');
      await expectAppError(dataset.page(bob, { ...view, offset: 20, limit: 20 }), 'DATA_SOURCE_UNREACHABLE');
      expect((await dataset.summary(bob)).connection.state).toBe('unreachable');
    } finally {
      await db.pg.start();
    }
    expect(credentials.load(bob.userId, 'team-orders')).not.toBeNull();
    const again = await dataset.page(bob, { ...view, offset: 0, limit: 20 });
    expect(again.rows).toEqual(first.rows);
    await dataset.close();
  });

  it('closes a session’s connections (pg_stat_activity), and forgetting the login asks for it again', async () => {
    const { dataset, credentials } = await openDataset();
    const bob = person('bob');
    await dataset.connect(bob, 'bob', PEOPLE.bob.password);
    await Promise.all([0, 100, 200].map((offset) => dataset.page(bob, { ...view, offset, limit: 100 })));
    expect(await db.pg.sessionsOf('bob')).toBeGreaterThan(0);
    await dataset.closeSession(bob.sessionId);
    await db.pg.waitForNoSessions('bob');
    expect(await dataset.forget(bob)).toBe(true);
    expect(credentials.load(bob.userId, 'team-orders')).toBeNull();
    await expectAppError(dataset.page(bob, { ...view, offset: 0, limit: 1 }), 'DATA_CONNECT_REQUIRED');
    await dataset.close();
  });

  it('exports only the rows row-level security gives, through COPY, in the view’s order', async () => {
    const { dataset } = await openDataset();
    const alice = person('alice');
    await dataset.connect(alice, 'alice', PEOPLE.alice.password);
    const sort = [{ column: 'ordered_at', direction: 'desc' as const }];
    const out = await dataset.openExport(alice, { ...view, sort, filters: [{ column: 'status', op: 'eq', value: 'won' }] });
    expect(out.columns).toEqual(['id', 'ordered_at', 'region', 'status', 'amount']);
    const rows: unknown[][] = [];
    for await (const batch of out.batches) rows.push(...batch);
    const direct = await db.pg.psql(
      'alice',
      PEOPLE.alice.password,
      "SELECT id FROM sales.orders WHERE status = 'won' ORDER BY ordered_at DESC, id DESC",
    );
    expect(rows.map((r) => r[0])).toEqual(direct.trim().split('\n').map(Number));
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['EMEA']));
    expect(typeof rows[0]![4]).toBe('number');
    await expectAppError(dataset.openExport(person('alice', ['data.read']), view), 'PERMISSION_DENIED');
    await dataset.close();
  });

  it('counts chart buckets within the person’s rows', async () => {
    const { dataset } = await openDataset();
    const bob = person('bob');
    await dataset.connect(bob, 'bob', PEOPLE.bob.password);
    const buckets = await dataset.counts(bob, { ...view, column: 'region' });
    expect(buckets.map((b) => b.value).sort()).toEqual(['AMER', 'APAC']);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(rowsIn(PEOPLE.bob.regions, ROWS));
    expect(REGIONS).toContain(buckets[0]!.value);
    await dataset.close();
  });
});

describe('PostgresDataset: row counts', () => {
  it('shows the planner’s estimate flagged as one until the exact count is in, then the exact count', async () => {
    const { dataset } = await openDataset();
    const bob = person('bob');
    await dataset.connect(bob, 'bob', PEOPLE.bob.password);
    const exact = rowsIn(PEOPLE.bob.regions, ROWS);
    const first = await dataset.page(bob, { ...view, offset: 0, limit: 10 });
    if (first.totalIsEstimate) expect(first.total).toBeGreaterThan(0);
    else expect(first.total).toBe(exact);
    // The count finishes in the background: a later page of the same view has it.
    let later = first;
    while (later.totalIsEstimate) later = await dataset.page(bob, { ...view, offset: 10, limit: 10 });
    expect(later.total).toBe(exact);
    await dataset.close();
  });
});

describe('PostgresDataset: an export when the database goes down', () => {
  it('fails with a clear message, leaves no file, and main carries on', async () => {
    // Row 4 (EMEA) takes 30 s to read: the export is mid-way when the server stops.
    await db.pg.sql(`CREATE FUNCTION sales.stall(i bigint, v text) RETURNS text LANGUAGE sql STABLE
        AS $$ SELECT CASE WHEN i = 4 THEN v || pg_sleep(30)::text ELSE v END $$;
      CREATE VIEW sales.stalling_orders WITH (security_invoker = true) AS SELECT id, sales.stall(id, region) AS region FROM sales.orders;
      GRANT SELECT ON sales.stalling_orders TO team_reader; GRANT EXECUTE ON FUNCTION sales.stall(bigint, text) TO team_reader;`);
    const config = datasetConfig();
    const stalling = {
      ...config,
      source: { ...config.source, table: 'stalling_orders' },
      columns: [{ name: 'id' }, { name: 'region' }],
    } as PostgresDatasetConfig;
    const { dataset } = await openDataset({ config: stalling });
    const carol = person('carol');
    await dataset.connect(carol, 'carol', PEOPLE.carol.password);
    const dir = await tempDir();
    const target = path.join(dir, 'orders.csv');
    const out = await dataset.openExport(carol, view);
    const writing = writeCsvExport(target, out.columns, out.batches);
    writing.catch(() => undefined);
    // Wait until the COPY sits in row 4's sleep, then stop the server.
    for (;;) {
      const rows = await db.pg.sql<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE usename = 'carol' AND wait_event = 'PgSleep'",
      );
      if (Number(rows[0]!.n) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await db.pg.pause();
    try {
      await expectAppError(writing, 'DATA_SOURCE_UNREACHABLE');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await db.pg.start();
    }
    // The next request works again on new connections.
    expect((await dataset.page(carol, { ...view, offset: 0, limit: 3 })).rows).toEqual([
      [1, 'AMER'],
      [2, 'APAC'],
      [3, 'LATAM'],
    ]);
    await dataset.close();
  });
});
