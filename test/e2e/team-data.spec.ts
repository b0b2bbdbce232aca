/**
 * Team data on PostgreSQL, as an employee meets it: a real PostgreSQL 15 set up with the SQL
 * of docs/team-data-postgres.md. The person connects with their own database login (asked
 * once, kept in the vault, never sent back to the window), browses and filters only the rows
 * the database gives them, and exports them; signing out closes their connections.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test as base } from './fixtures';
import { seriousA11yViolations } from './support/axe';
import { createFirstAdmin, signOut } from './support/local-flows';
import { PEOPLE, rowsIn, startTeamDb, teamOrdersConfig, type TeamDb } from '../unit/main/data/postgres/team-db';

const ROWS = 3000;

const test = base.extend<object, { teamDb: TeamDb }>({
  teamDb: [
    async ({}, use) => {
      const db = await startTeamDb(ROWS);
      await use(db);
      await db.pg.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  // Datasets come only from IT's machine policy; no local sample here.
  porticoPolicy: async ({ teamDb }, use) => {
    await use({
      localAccounts: { backoffBaseMs: 0 },
      data: { sample: { enabled: false }, datasets: [teamOrdersConfig(teamDb)] },
    });
  },
});

const grid = (page: Page) => page.getByRole('grid', { name: 'Team orders' });
const listDatasets = (page: Page) => page.evaluate(() => (window as any).portico.listDatasets());
const queryPage = (page: Page, extra: Record<string, unknown> = {}) =>
  page.evaluate((payload) => (window as any).portico.queryData(payload), {
    datasetId: 'team-orders',
    offset: 0,
    limit: 500,
    ...extra,
  });

test('a person connects to the team dataset with their own login, browses, filters and exports only their rows', async ({
  page,
  portico,
  teamDb,
}) => {
  await createFirstAdmin(page);
  const form = page.getByRole('form', { name: 'Connect to Team orders' });
  await expect(form).toBeVisible();
  // Prefilled from the policy's `{username}`; Alice's database login is her own.
  await expect(form.getByLabel('Database username')).toHaveValue('ada');
  await form.getByLabel('Database username').fill('alice');
  await form.getByLabel('Database password').fill('not-her-password');
  await form.getByRole('button', { name: 'Connect' }).click();
  await expect(form.getByRole('alert')).toContainText('refused your login');
  await expect(form.getByLabel('Database password')).toHaveValue('');
  expect(await seriousA11yViolations(page)).toEqual([]);

  await form.getByLabel('Database password').fill(PEOPLE.alice.password);
  await form.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByText('Connected to the team database as alice.')).toBeVisible();
  await expect(page.getByText('Orders of the regions you are entitled to.')).toBeVisible();
  expect(await seriousA11yViolations(page)).toEqual([]);

  // The grid shows her columns only (no PII grant) and her region only.
  await expect(grid(page).getByRole('columnheader', { name: /Region/ })).toBeVisible();
  await expect(grid(page).getByRole('columnheader', { name: /Customer email/ })).toHaveCount(0);
  const emea = rowsIn(['EMEA'], ROWS);
  await expect(page.getByText(new RegExp(`^(About )?${emea.toLocaleString('en-US')} rows`))).toBeVisible();
  const all = await queryPage(page);
  expect(all.ok).toBe(true);
  expect(new Set(all.value.rows.map((row: unknown[]) => row[all.value.columns.indexOf('region')]))).toEqual(new Set(['EMEA']));
  // The window never gets the password back, and cannot ask for a column the database refuses.
  expect(JSON.stringify(await listDatasets(page))).not.toContain(PEOPLE.alice.password);
  expect(await queryPage(page, { sort: [{ column: 'customer_email', direction: 'asc' }] })).toMatchObject({
    ok: false,
    code: 'UNKNOWN_COLUMN',
  });

  // Filter, then export what is on screen.
  await grid(page).getByLabel('Filter Status').fill('won');
  const won = Number(
    (await teamDb.pg.psql('alice', PEOPLE.alice.password, "SELECT count(*) FROM sales.orders WHERE status ILIKE '%won%'")).trim(),
  );
  await expect(page.getByText(new RegExp(`^(About )?${won.toLocaleString('en-US')} rows`))).toBeVisible();
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await expect(page.getByRole('status')).toContainText(`Exported ${won.toLocaleString('en-US')} rows to`);
  const [file] = await readdir(portico.exportsDir);
  const csv = (await readFile(path.join(portico.exportsDir, file!), 'utf8'))
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  expect(csv[0]).toBe('id,ordered_at,region,status,amount');
  expect(csv).toHaveLength(won + 1);
  for (const line of csv.slice(1)) expect(line.split(',').slice(2, 4)).toEqual(['EMEA', 'won']);

  // Signing out closes her connections to the database.
  expect(await teamDb.pg.sessionsOf('alice')).toBeGreaterThan(0);
  await signOut(page);
  await teamDb.pg.waitForNoSessions('alice');
});

test('Forget login asks for it again; the kept login survives a restart without being shown', async ({ page, portico }) => {
  await createFirstAdmin(page);
  const form = page.getByRole('form', { name: 'Connect to Team orders' });
  await form.getByLabel('Database username').fill('bob');
  await form.getByLabel('Database password').fill(PEOPLE.bob.password);
  await form.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByText('Connected to the team database as bob.')).toBeVisible();

  const restarted = await portico.restart();
  await restarted.getByLabel('Username', { exact: true }).fill('ada');
  await restarted.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await restarted.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(restarted.getByText('Connected to the team database as bob.')).toBeVisible();
  const regions = await queryPage(restarted);
  expect(new Set(regions.value.rows.map((row: unknown[]) => row[regions.value.columns.indexOf('region')]))).toEqual(
    new Set(['AMER', 'APAC']),
  );

  await restarted.getByRole('button', { name: 'Forget login' }).click();
  await expect(restarted.getByRole('form', { name: 'Connect to Team orders' })).toBeVisible();
  expect(await queryPage(restarted)).toMatchObject({ ok: false, code: 'DATA_CONNECT_REQUIRED' });
});
