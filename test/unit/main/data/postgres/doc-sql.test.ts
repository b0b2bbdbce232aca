/**
 * docs/team-data-postgres.md is what IT runs: its SQL, unchanged, on a real PostgreSQL 15.
 * The database alone decides, whichever client asks: each person's own login through psql
 * and through node-postgres sees only their regions, and the PII columns only with the grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docSqlBlocks, NOBODY, PEOPLE, rowsIn, startTeamDb, type TeamDb } from './team-db';

let db: TeamDb;
beforeAll(async () => {
  db = await startTeamDb(2000);
}, 60_000);
afterAll(async () => {
  await db?.pg.stop();
});

describe('the SQL in docs/team-data-postgres.md', () => {
  it('is found in the doc: every block runs here except the one that needs Azure', () => {
    const blocks = docSqlBlocks();
    expect(blocks.run.length).toBeGreaterThanOrEqual(6);
    expect(blocks.azureOnly).toHaveLength(1);
    expect(blocks.azureOnly[0]).toContain('pgaadauth_create_principal');
  });

  it('gives each person only their regions, through psql with their own password', async () => {
    for (const [name, person] of Object.entries(PEOPLE)) {
      const out = await db.pg.psql(name, person.password, 'SELECT region, count(*) FROM sales.orders GROUP BY 1 ORDER BY 1');
      const seen = out
        .trim()
        .split('\n')
        .map((line) => line.split('|'));
      expect(seen.map(([region]) => region)).toEqual([...person.regions].sort());
      for (const [region, count] of seen) expect(Number(count)).toBe(rowsIn([region!], db.rows));
    }
  });

  it('keeps the PII columns from readers without the grant, and gives them to PII readers', async () => {
    await expect(db.pg.psql('alice', PEOPLE.alice.password, 'SELECT customer_email FROM sales.orders LIMIT 1')).rejects.toThrow(
      /permission denied for table orders/,
    );
    const carol = await db.pg.psql('carol', PEOPLE.carol.password, 'SELECT customer_email FROM sales.orders WHERE id = 4');
    expect(carol.trim()).toBe('customer4@example.com');
  });

  it('shows a reader with no entitlement no rows, and says so through sees_any_rows()', async () => {
    const client = await db.pg.connectAs(NOBODY.user, NOBODY.password);
    try {
      expect((await client.query('SELECT count(*)::int AS n FROM sales.orders')).rows[0].n).toBe(0);
      expect((await client.query('SELECT portico_sec.sees_any_rows() AS yes')).rows[0].yes).toBe(false);
    } finally {
      await client.end();
    }
    const alice = await db.pg.connectAs('alice', PEOPLE.alice.password);
    try {
      expect((await alice.query('SELECT portico_sec.sees_any_rows() AS yes')).rows[0].yes).toBe(true);
      // The entitlement tables themselves are out of reach.
      await expect(alice.query('SELECT * FROM portico_sec.entitlements')).rejects.toThrow(/permission denied/);
    } finally {
      await alice.end();
    }
  });

  it('binds the table owner too (FORCE ROW LEVEL SECURITY) and refuses a wrong password', async () => {
    const forced = await db.pg.sql<{ f: boolean }>(
      "SELECT relforcerowsecurity AS f FROM pg_class WHERE oid = 'sales.orders'::regclass",
    );
    expect(forced[0]!.f).toBe(true);
    await expect(db.pg.psql('alice', 'not-her-password', 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  });
});
