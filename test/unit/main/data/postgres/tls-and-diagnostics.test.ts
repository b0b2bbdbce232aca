/**
 * A postgres dataset over TLS (verify-full against the policy's CA) and Diagnostics' check of
 * a postgres source without anyone's credential, against a real cluster serving TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataConfig, datasetSecurityConfig } from '../../../../../main/data/data-config';
import { checkDatasets, datasetFindings } from '../../../../../main/diagnostics/dataset-checks';
import { DbCredentialStore } from '../../../../../main/data/postgres/credential-store';
import { postgresSourceConfig } from '../../../../../main/data/postgres/postgres-config';
import { checkPostgresSource } from '../../../../../main/data/postgres/postgres-diagnostics';
import { PostgresDataset, type PostgresDatasetConfig } from '../../../../../main/data/postgres/postgres-dataset';
import { startPostgres, type PostgresCluster } from '../../../../peers/postgres';
import { expectAppError, openTestVault } from '../../../../unit/helpers';
import { PEOPLE, startTeamDb, teamOrdersConfig, type TeamDb } from './team-db';

let db: TeamDb;
let otherCa: PostgresCluster;
beforeAll(async () => {
  [db, otherCa] = await Promise.all([startTeamDb(500, { tls: true }), startPostgres({ tls: true })]);
}, 90_000);
afterAll(async () => {
  await Promise.all([db?.pg.stop(), otherCa?.stop()]);
});

function config(source: Record<string, unknown> = {}): PostgresDatasetConfig {
  const raw = teamOrdersConfig(db, { source });
  return {
    ...raw,
    source: postgresSourceConfig.parse(raw.source),
    security: datasetSecurityConfig.parse({}),
  } as PostgresDatasetConfig;
}

const alice = {
  userId: 'local-alice',
  sessionId: 'tls-session',
  principal: { username: 'alice', email: null, roles: ['viewer'], groups: [], permissions: ['data.read' as const] },
};

describe('TLS to a postgres dataset', () => {
  it('connects with verify-full against the policy CA, and refuses a server whose certificate another CA signed', async () => {
    const { vault } = await openTestVault();
    const good = new PostgresDataset(config(), {
      credentials: new DbCredentialStore(vault),
      log: { info: () => undefined, error: () => undefined },
      queryMs: 30_000,
      exportStepMs: 60_000,
      exportAllowed: false,
    });
    await good.connect(alice, 'alice', PEOPLE.alice.password);
    expect(
      (await good.page(alice, { datasetId: 'team-orders', filters: [], search: '', sort: [], offset: 0, limit: 5 })).rows,
    ).toHaveLength(5);
    await good.close();

    const wrongCa = new PostgresDataset(config({ tls: { mode: 'verify-full', ca: [otherCa.caPem] } }), {
      credentials: new DbCredentialStore(vault),
      log: { info: () => undefined, error: () => undefined },
      queryMs: 30_000,
      exportStepMs: 60_000,
      exportAllowed: false,
    });
    await expectAppError(wrongCa.connect(alice, 'alice', PEOPLE.alice.password), 'DATA_SOURCE_UNREACHABLE');
    await wrongCa.close();
  });

  it('refuses plain connections to anything but loopback in the policy', () => {
    const parsed = postgresSourceConfig.safeParse({
      ...teamOrdersConfig(db).source,
      host: 'db.example.com',
      tls: { mode: 'disable' },
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('TLS can only be off for a server on this machine');
  });
});

describe('Diagnostics of a postgres source (no credential used)', () => {
  it('reports reachable, TLS verified and its version', async () => {
    const check = await checkPostgresSource(config().source);
    expect(check).toMatchObject({ reachable: true, tls: 'verified', problem: null, serverVersion: null });
    expect(check.tlsVersion).toMatch(/^TLSv1\.[23]$/);
    // Nothing tried to log in.
    expect(await db.pg.readLog()).not.toMatch(/authentication failed/);
  });

  it('says when the certificate does not verify, and when nothing answers', async () => {
    const wrong = await checkPostgresSource(config({ tls: { mode: 'verify-full', ca: [otherCa.caPem] } }).source);
    expect(wrong).toMatchObject({ reachable: true, tls: 'failed' });
    expect(wrong.problem).toMatch(/TLS failed/);
    const closed = await checkPostgresSource(config({ port: 1 }).source, { timeoutMs: 2000 });
    expect(closed).toMatchObject({ reachable: false });
    expect(closed.problem).toMatch(/Cannot reach/);
  });
});

describe('Diagnostics report of the datasets', () => {
  it('says which kind each dataset is, and flags a team database whose TLS does not verify', async () => {
    const data = dataConfig.parse({
      sample: { enabled: true },
      datasets: [
        { id: 'deals', name: 'Deals', source: { type: 'csv', path: '/srv/deals.csv' } },
        teamOrdersConfig(db),
        {
          ...teamOrdersConfig(db, { source: { tls: { mode: 'verify-full', ca: [otherCa.caPem] } } }),
          id: 'wrong-ca',
          name: 'Wrong CA',
        },
      ],
    });
    const datasets = await checkDatasets(data, { timeoutMs: 5000 });
    expect(datasets.map((d) => [d.id, d.kind, d.source])).toEqual([
      ['sample-orders', 'local', 'sample'],
      ['deals', 'local', 'csv'],
      ['team-orders', 'team', 'postgres'],
      ['wrong-ca', 'team', 'postgres'],
    ]);
    expect(datasets[2]!.check).toMatchObject({ reachable: true, tls: 'verified' });
    expect(datasetFindings(datasets)).toEqual([expect.objectContaining({ severity: 'error', code: 'team-data-tls' })]);
  });
});
