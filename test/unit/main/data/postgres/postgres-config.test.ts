/** The `postgres` dataset kind in IT's policy: what is accepted and what is refused, with reasons. */
import { describe, expect, it } from 'vitest';
import { dataConfig } from '../../../../../main/data/data-config';
import { isLocalDataset } from '../../../../../main/data/data-service';

const source = {
  type: 'postgres',
  host: 'orders-db.postgres.database.azure.com',
  database: 'sales',
  schema: 'sales',
  table: 'orders',
  tls: { mode: 'verify-full', ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'] },
  auth: { method: 'password', username: '{email}' },
};
const dataset = { id: 'team-orders', name: 'Team orders', source, key: 'id' };
const issues = (input: unknown) => {
  const parsed = dataConfig.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
};

describe('postgres datasets in the policy', () => {
  it('accepts the doc’s dataset, with defaults: port 5432, 4 connections, the Entra scope', () => {
    const parsed = dataConfig.parse({ datasets: [dataset] });
    expect(parsed.datasets[0]!.source).toMatchObject({ type: 'postgres', port: 5432, maxConnections: 4 });
    expect(isLocalDataset(parsed.datasets[0]!)).toBe(false);
    const entra = dataConfig.parse({
      datasets: [{ ...dataset, source: { ...source, auth: { method: 'entra-token', provider: 'contoso' } } }],
    });
    expect(entra.datasets[0]!.source).toMatchObject({
      auth: { method: 'entra-token', scope: 'https://ossrdbms-aad.database.windows.net/.default', user: '{email}' },
    });
  });

  it('refuses plain connections beyond loopback, row scopes, a missing key, and any shared account field', () => {
    expect(issues({ datasets: [{ ...dataset, source: { ...source, tls: { mode: 'disable' } } }] }).join()).toMatch(
      /TLS can only be off for a server on this machine/,
    );
    expect(issues({ datasets: [{ ...dataset, source: { ...source, host: '127.0.0.1', tls: { mode: 'disable' } } }] })).toEqual(
      [],
    );
    expect(
      issues({
        datasets: [{ ...dataset, security: { rowScopes: [{ group: 'Sales-EMEA', column: 'region', values: ['EMEA'] }] } }],
      }).join(),
    ).toMatch(/decided by the database/);
    expect(issues({ datasets: [{ ...dataset, key: undefined }] }).join()).toMatch(/needs a unique "key"/);
    expect(issues({ datasets: [{ ...dataset, source: { ...source, password: 'shared' } }] }).length).toBeGreaterThan(0);
    expect(
      issues({ datasets: [{ ...dataset, source: { ...source, auth: { method: 'password', password: 'x' } } }] }).length,
    ).toBeGreaterThan(0);
    expect(issues({ datasets: [{ ...dataset, source: { ...source, table: 'orders; DROP' } }] }).length).toBeGreaterThan(0);
  });
});
