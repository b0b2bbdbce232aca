/**
 * A real PostgreSQL cluster set up exactly as docs/team-data-postgres.md tells IT to: the
 * doc's SQL blocks run unchanged (the Azure-only ones, which need Azure's extension, are
 * left out and counted), then rows and passwords that the doc leaves to IT.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startPostgres, type PostgresCluster } from '../../../../peers/postgres';

export const DOC = path.join(__dirname, '../../../../../docs/team-data-postgres.md');

/** The doc's fenced SQL blocks in order, and those marked azure-only (not run here). */
export function docSqlBlocks(markdown = readFileSync(DOC, 'utf8')): { run: string[]; azureOnly: string[] } {
  const run: string[] = [];
  const azureOnly: string[] = [];
  const fence = /(<!-- azure-only[^>]*-->\s*)?```sql\n([\s\S]*?)```/g;
  for (const match of markdown.matchAll(fence)) (match[1] ? azureOnly : run).push(match[2]!);
  return { run, azureOnly };
}

/** The people of the doc, with the passwords the tests give them (IT's step after the SQL). */
export const PEOPLE = {
  alice: { password: 'alice-db-password', regions: ['EMEA'] },
  bob: { password: 'bob-db-password', regions: ['AMER', 'APAC'] },
  carol: { password: 'carol-db-password', regions: ['AMER', 'APAC', 'EMEA', 'LATAM'] },
} as const;

/** A reader with a login and no entitlement at all. */
export const NOBODY = { user: 'nobody', password: 'nobody-db-password' };

export const REGIONS = ['EMEA', 'AMER', 'APAC', 'LATAM'];

/** Rows of sales.orders: row g is in REGIONS[g % 4]; some names start like formulas. */
export function seedSql(rows: number): string {
  return `INSERT INTO sales.orders
    SELECT g,
      timestamptz '2024-01-01 00:00:00+00' + g * interval '17 seconds' + (g::bigint * 7919 % 1000) * interval '1 millisecond',
      (ARRAY['EMEA', 'AMER', 'APAC', 'LATAM'])[1 + g % 4],
      (ARRAY['open', 'won', 'lost'])[1 + g % 3],
      CASE WHEN g % 97 = 0 THEN '=HYPERLINK("x")' ELSE 'Customer ' || g END,
      'customer' || g || '@example.com',
      (g % 100000) / 100.0
    FROM generate_series(1, ${rows}) g;
    ANALYZE sales.orders;`;
}

export interface TeamDb {
  pg: PostgresCluster;
  rows: number;
}

/** Starts a cluster and runs the doc's SQL, then `rows` orders and the passwords. */
export async function startTeamDb(rows = 2000, options: { tls?: boolean } = {}): Promise<TeamDb> {
  const pg = await startPostgres({ tls: options.tls });
  try {
    for (const block of docSqlBlocks().run) await pg.sql(block);
    await pg.sql(seedSql(rows));
    for (const [name, person] of Object.entries(PEOPLE)) await pg.sql(`ALTER ROLE ${name} PASSWORD '${person.password}'`);
    await pg.sql(`CREATE ROLE ${NOBODY.user} LOGIN PASSWORD '${NOBODY.password}' IN ROLE team_reader`);
    return { pg, rows };
  } catch (error) {
    await pg.stop();
    throw error;
  }
}

/** How many of `rows` seeded orders fall in `regions`. */
export function rowsIn(regions: readonly string[], rows: number): number {
  let n = 0;
  for (let g = 1; g <= rows; g++) if (regions.includes(REGIONS[g % 4]!)) n++;
  return n;
}

/** The doc's dataset, as IT's policy would name it, pointing at this cluster (plain TCP on loopback). */
export function teamOrdersConfig(db: TeamDb, extra: { entitledFunction?: boolean; source?: Record<string, unknown> } = {}) {
  return {
    id: 'team-orders',
    name: 'Team orders',
    description: 'Orders of your regions',
    source: {
      type: 'postgres',
      host: db.pg.host,
      port: db.pg.port,
      database: 'postgres',
      schema: 'sales',
      table: 'orders',
      tls: db.pg.caPem ? { mode: 'verify-full', ca: [db.pg.caPem] } : { mode: 'disable' },
      auth: { method: 'password', username: '{username}' },
      rowScope: 'Orders of the regions you are entitled to.',
      ...(extra.entitledFunction === false ? {} : { entitledFunction: 'portico_sec.sees_any_rows' }),
      ...extra.source,
    },
    columns: [
      { name: 'id', label: 'Order' },
      { name: 'ordered_at', label: 'Ordered' },
      { name: 'region' },
      { name: 'status' },
      { name: 'customer_name' },
      { name: 'customer_email' },
      { name: 'amount' },
    ],
    key: 'id',
  };
}
