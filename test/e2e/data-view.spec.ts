/**
 * The data view as each default role meets it, checked on screen and in the IPC answers
 * themselves (what a devtools user would get): rows outside a user's scope and unmasked
 * personal data never leave main. Local accounts with groups play the IdP's users.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { seriousA11yViolations } from './support/axe';
import { ADMIN, createFirstAdmin, signIn, signOut } from './support/local-flows';

const ROWS = 20_000;
test.use({ porticoPolicy: { localAccounts: { backoffBaseMs: 0 }, data: { sample: { rows: ROWS } } } });

const PASSWORD = 'a long and private passphrase';
const VIEWER = { username: 'vic', displayName: 'Vic Viewer', roles: ['viewer'], groups: ['Sales-EMEA'] };
const ANALYST = { username: 'ann', displayName: 'Ann Analyst', roles: ['analyst'], groups: [] };
const MANAGER = { username: 'max', displayName: 'Max Manager', roles: ['manager'], groups: ['Sales-EMEA'] };
const DATASET = 'sample-orders';
const MASKED_EMAIL = /^[a-z0-9]\*\*\*@[a-z0-9.-]+$/;

async function createUsers(page: Page, users: (typeof VIEWER)[]) {
  for (const user of users) {
    const result = await page.evaluate((u) => (window as any).portico.createUser(u), { ...user, password: PASSWORD });
    expect(result).toMatchObject({ ok: true });
  }
}

/** One IPC page, as the renderer (or a devtools user) would ask for it. */
async function queryPage(page: Page, extra: Record<string, unknown> = {}) {
  return page.evaluate((payload) => (window as any).portico.queryData(payload), {
    datasetId: DATASET,
    offset: 0,
    limit: 500,
    ...extra,
  });
}

function column(result: { value: { columns: string[]; rows: unknown[][] } }, name: string): unknown[] {
  const index = result.value.columns.indexOf(name);
  expect(index, `column ${name}`).toBeGreaterThanOrEqual(0);
  return result.value.rows.map((row) => row[index]);
}

const grid = (page: Page) => page.getByRole('grid', { name: 'Sample orders' });
const cellsOf = (page: Page, colIndex: number) =>
  grid(page).locator(`.grid-data-row:not(.loading-row) [aria-colindex="${colIndex}"]`);

test('a viewer sees only their region, personal data masked, no margin and no export', async ({ page }) => {
  await createFirstAdmin(page);
  // Through the screen once, with the new Groups field.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
  const form = page.getByRole('form', { name: 'Create a user' });
  await form.getByLabel('Username', { exact: true }).fill(VIEWER.username);
  await form.getByLabel('Display name', { exact: true }).fill(VIEWER.displayName);
  await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await form.getByLabel('Groups').fill('Sales-EMEA');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('row', { name: /Vic Viewer/ })).toContainText('Sales-EMEA');
  await signOut(page);

  await signIn(page, VIEWER.username, PASSWORD);
  await expect(page.getByText('You see rows where region is EMEA.')).toBeVisible();
  await expect(page.getByText(/^[\d,.\s]+ rows$/)).toBeVisible();
  await expect(grid(page).getByRole('columnheader', { name: /Email/ })).toContainText('masked');
  await expect(grid(page).getByRole('columnheader', { name: /Margin/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Export CSV' })).toHaveCount(0);
  const regionCells = cellsOf(page, 3);
  await expect(regionCells.first()).toHaveText('EMEA');
  await expect.poll(async () => [...new Set(await regionCells.allTextContents())]).toEqual(['EMEA']);
  await expect(cellsOf(page, 6).first()).toHaveClass(/masked/);
  await expect(page.getByRole('list', { name: 'Rows by Region' }).getByRole('listitem')).toHaveCount(1);
  expect(await seriousA11yViolations(page)).toEqual([]);

  // The IPC answers themselves: no other region, no real email, no margin column.
  const first = await queryPage(page);
  expect(first.ok).toBe(true);
  expect(first.value.columns).not.toContain('margin');
  expect(new Set(column(first, 'region'))).toEqual(new Set(['EMEA']));
  for (const email of column(first, 'customer_email')) expect(email).toMatch(MASKED_EMAIL);
  const deep = await queryPage(page, {
    offset: Math.max(0, first.value.total - 500),
    sort: [{ column: 'amount', direction: 'desc' }],
  });
  expect(new Set(column(deep, 'region'))).toEqual(new Set(['EMEA']));
  const counts = await page.evaluate((id) => (window as any).portico.countData({ datasetId: id, column: 'region' }), DATASET);
  expect(counts.value.map((b: { value: string }) => b.value)).toEqual(['EMEA']);

  // Probing from the console: hidden columns are unknown, masked ones cannot be searched for real values.
  expect(await queryPage(page, { sort: [{ column: 'margin', direction: 'asc' }] })).toMatchObject({
    ok: false,
    code: 'UNKNOWN_COLUMN',
  });
  expect(await queryPage(page, { filters: [{ column: 'region', op: 'eq', value: 'AMER' }] })).toMatchObject({
    ok: true,
    value: { total: 0 },
  });
  const byRealDomain = await queryPage(page, { filters: [{ column: 'customer_email', op: 'contains', value: '.' }], search: '' });
  for (const email of column(byRealDomain, 'customer_email')) expect(email).toMatch(MASKED_EMAIL);
  expect(await page.evaluate((id) => (window as any).portico.exportData({ datasetId: id }), DATASET)).toMatchObject({
    ok: false,
    code: 'PERMISSION_DENIED',
  });
  for (const call of ['listUsers', 'getRoleMapping', 'getDiagnostics']) {
    expect(await page.evaluate((name) => (window as any).portico[name](), call)).toMatchObject({
      ok: false,
      code: 'PERMISSION_DENIED',
    });
  }
  expect(await page.evaluate(() => (window as any).portico.queryAudit({}))).toMatchObject({
    ok: false,
    code: 'PERMISSION_DENIED',
  });
});

test('an analyst sees every region masked and exports CSV; the audit log shows the export', async ({ page, portico }) => {
  await createFirstAdmin(page);
  await createUsers(page, [ANALYST]);
  await signOut(page);
  await signIn(page, ANALYST.username, PASSWORD);
  await expect(page.getByText('You see every row. Personal data is masked for your role.')).toBeVisible();
  await expect(page.getByText(`${ROWS.toLocaleString('en-US')} rows`)).toBeVisible();
  await expect(page.getByRole('list', { name: 'Rows by Region' }).getByRole('listitem')).toHaveCount(4);

  const all = await queryPage(page);
  expect(all.value.total).toBe(ROWS);
  expect(new Set(column(all, 'region')).size).toBeGreaterThan(1);
  for (const email of column(all, 'customer_email')) expect(email).toMatch(MASKED_EMAIL);

  // Export what is on screen: EMEA only, through the save dialog.
  await grid(page).getByLabel('Filter Region').fill('EMEA');
  await expect(page.getByText(/^[\d,]+ rows$/)).not.toHaveText(`${ROWS.toLocaleString('en-US')} rows`);
  const shown = Number((await page.getByText(/^[\d,]+ rows$/).textContent())!.replace(/\D/g, ''));
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await expect(page.getByRole('status')).toContainText(`Exported ${shown.toLocaleString('en-US')} rows to`);
  const [file] = await readdir(portico.exportsDir);
  const csv = (await readFile(path.join(portico.exportsDir, file!), 'utf8')).trim().split(/\r?\n/);
  expect(csv).toHaveLength(shown + 1);
  const header = csv[0]!.split(',');
  const emailAt = header.findIndex((h) => /email/i.test(h));
  const regionAt = header.findIndex((h) => /region/i.test(h));
  for (const line of csv.slice(1, 200)) {
    const cells = line.split(',');
    expect(cells[regionAt]).toBe('EMEA');
    expect(cells[emailAt]).toMatch(MASKED_EMAIL);
  }

  // A cancelled save dialog exports nothing and says nothing went wrong.
  portico.cancelNextSave();
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await expect(page.getByRole('button', { name: 'Export CSV' })).toBeEnabled();
  expect(await readdir(portico.exportsDir)).toHaveLength(1);
  await signOut(page);

  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Audit log' }).click();
  await expect(page.getByText(/Integrity verified: all \d+ records chain correctly/)).toBeVisible();
  const exportRow = page.getByRole('row').filter({ hasText: 'data.export' });
  await expect(exportRow).toHaveCount(1);
  await expect(exportRow).toContainText('ann');
  await expect(exportRow).toContainText(`rows: ${shown}`);
  await expect(page.getByRole('row').filter({ hasText: 'auth.sign-in' }).filter({ hasText: 'ann' })).toHaveCount(1);
  await page.getByLabel('User').fill('ann');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('row').filter({ hasText: ADMIN.username })).toHaveCount(0);
  expect(await seriousA11yViolations(page)).toEqual([]);
});

test('a manager sees their region with personal data and margins', async ({ page }) => {
  await createFirstAdmin(page);
  await createUsers(page, [MANAGER]);
  await signOut(page);
  await signIn(page, MANAGER.username, PASSWORD);
  await expect(page.getByText('You see rows where region is EMEA.')).toBeVisible();
  await expect(grid(page).getByRole('columnheader', { name: /Margin/ })).toBeVisible();
  await expect(grid(page).getByRole('columnheader', { name: /Email/ })).not.toContainText('masked');
  await expect(page.getByRole('button', { name: 'Export CSV' })).toBeVisible();
  const result = await queryPage(page);
  expect(new Set(column(result, 'region'))).toEqual(new Set(['EMEA']));
  for (const email of column(result, 'customer_email')) expect(email).toMatch(/^[a-z]+\.[a-z]+\d*@[a-z0-9.-]+$/);
  expect(result.value.columns).toContain('margin');
});

test('an admin sorts, filters, searches, scrolls to the last row and previews a role', async ({ page }) => {
  await createFirstAdmin(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Data', 'Users', 'Roles', 'Audit log', 'Diagnostics'])
    await expect(nav.getByRole('button', { name })).toBeVisible();

  // Sort by amount, descending: the first rows are in order.
  const amountHeader = grid(page).getByRole('columnheader', { name: /Amount/ });
  await amountHeader.getByRole('button').click();
  await expect(amountHeader).toHaveAttribute('aria-sort', 'ascending');
  await amountHeader.getByRole('button').click();
  await expect(amountHeader).toHaveAttribute('aria-sort', 'descending');
  const amountCol = Number(await amountHeader.getAttribute('aria-colindex'));
  await expect(cellsOf(page, amountCol).first()).toBeVisible();
  const amounts = (await cellsOf(page, amountCol).allTextContents()).slice(0, 10).map((t) => Number(t.replace(/[^\d.]/g, '')));
  expect(amounts).toEqual([...amounts].sort((a, b) => b - a));

  // A per-column filter and the search box both narrow the count.
  await grid(page).getByLabel('Filter Country').fill('Germany');
  await expect(page.getByText(`${ROWS.toLocaleString('en-US')} rows`)).toHaveCount(0);
  await expect(cellsOf(page, 4).first()).toHaveText('Germany');
  await expect.poll(async () => [...new Set(await cellsOf(page, 4).allTextContents())]).toEqual(['Germany']);
  const filtered = await page.getByText(/^[\d,]+ rows$/).textContent();
  await page.getByPlaceholder('Search').fill('zzzz-no-such-thing');
  await expect(page.getByText('0 rows')).toBeVisible();
  await expect(page.getByText('No rows match')).toBeVisible();
  await page.getByPlaceholder('Search').fill('');
  await expect(page.getByText(filtered!, { exact: true })).toBeVisible();
  await grid(page).getByLabel('Filter Quantity').fill('lots');
  await expect(grid(page).getByLabel('Filter Quantity')).toHaveAttribute('aria-invalid', 'true');
  await grid(page).getByLabel('Filter Quantity').fill('');
  await grid(page).getByLabel('Filter Country').fill('');

  // Scroll to the very end: the last row loads.
  await expect(page.getByText(`${ROWS.toLocaleString('en-US')} rows`)).toBeVisible();
  await grid(page).evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(grid(page).locator(`[aria-rowindex="${ROWS + 2}"]:not(.loading-row)`)).toBeVisible();

  // Preview as: a viewer in Sales-APAC.
  await nav.getByRole('button', { name: 'Roles' }).click();
  await page.getByLabel('Groups').fill('Sales-APAC');
  await page.getByRole('checkbox', { name: 'viewer' }).check();
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByText(/Rows where region is APAC/)).toBeVisible();
  await expect(page.getByText(/masked: Customer, Email/)).toBeVisible();
  expect(await seriousA11yViolations(page)).toEqual([]);
});

test('an admin changes a viewer’s groups and roles; the viewer’s next calls follow at once', async ({ page }) => {
  await createFirstAdmin(page);
  await createUsers(page, [VIEWER]);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
  await page.getByRole('button', { name: `Edit access for ${VIEWER.username}` }).click();
  const form = page.getByRole('form', { name: `Access for ${VIEWER.username}` });
  await form.getByLabel(`Groups for ${VIEWER.username}`).fill('Sales-APAC');
  await form.getByRole('checkbox', { name: 'manager' }).check();
  await form.getByRole('button', { name: 'Save access' }).click();
  await expect(page.getByRole('status')).toContainText(`Access for ${VIEWER.username} saved: viewer, manager.`);
  await expect(page.getByRole('row', { name: /Vic Viewer/ })).toContainText('Sales-APAC');
  expect(await seriousA11yViolations(page)).toEqual([]);

  // The last administrator keeps admin, from the screen and from the console.
  await page.getByRole('button', { name: `Edit access for ${ADMIN.username}` }).click();
  const own = page.getByRole('form', { name: `Access for ${ADMIN.username}` });
  await own.getByRole('checkbox', { name: 'admin' }).uncheck();
  await own.getByRole('checkbox', { name: 'viewer' }).check();
  await own.getByRole('button', { name: 'Save access' }).click();
  await expect(own.getByRole('alert')).toContainText('last active administrator');
  await signOut(page);

  await signIn(page, VIEWER.username, PASSWORD);
  await expect(page.getByText('You see rows where region is APAC.')).toBeVisible();
  const result = await queryPage(page);
  expect(new Set(column(result, 'region'))).toEqual(new Set(['APAC']));
  // Manager now: personal data unmasked.
  for (const email of column(result, 'customer_email')) expect(email).not.toMatch(MASKED_EMAIL);
  expect(
    await page.evaluate(
      (id) => (window as any).portico.setUserAccess({ userId: id, roles: ['admin'], groups: [] }),
      '00000000-0000-4000-8000-000000000000',
    ),
  ).toMatchObject({ ok: false, code: 'PERMISSION_DENIED' });
});

test.describe('datasets that cannot open, or take long', () => {
  // A FIFO as a CSV (refused at once), and a DuckDB file whose read stalls until the test
  // releases it (its write-ahead log is a FIFO): what a stalled network share does.
  const dir = path.join(tmpdir(), `portico-e2e-stall-${process.pid}-${Date.now()}`);
  const fifo = path.join(dir, 'exports.csv');
  const share = path.join(dir, 'deals.duckdb');
  test.use({
    porticoPolicy: {
      localAccounts: { backoffBaseMs: 0 },
      data: {
        sample: { rows: 2000 },
        openTimeoutSeconds: 600,
        datasets: [
          { id: 'exports', name: 'Nightly exports', source: { type: 'csv', path: fifo } },
          { id: 'share', name: 'Deals on the share', source: { type: 'duckdb', path: share, table: 'deals' } },
        ],
      },
    },
  });

  /** Lets DuckDB's blocked open of the log go on; `wait: false` only if a reader is already there. */
  async function release(wait = true): Promise<void> {
    for (let attempt = 0; wait || attempt < 1; attempt++) {
      try {
        await (await open(`${share}.wal`, constants.O_WRONLY | constants.O_NONBLOCK)).close();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  test.beforeAll(async () => {
    await mkdir(dir, { recursive: true });
    const db = await DuckDBInstance.create(share);
    const connection = await db.connect();
    await connection.run('CREATE TABLE deals AS SELECT range AS id, range * 10 AS value FROM range(5)');
    await connection.run('CHECKPOINT');
    connection.closeSync();
    db.closeSync();
    await promisify(execFile)('mkfifo', [fifo, `${share}.wal`]);
  });
  test.afterAll(async () => {
    await release(false);
    await rm(dir, { recursive: true, force: true });
  });

  test('the app starts while a dataset stalls, the data view waits for it; a FIFO is listed with why', async ({ page }) => {
    await createFirstAdmin(page);
    // Signed in while the engine is still at the stalled dataset: the data view says it is loading.
    await expect(page.getByText('Loading data…')).toBeVisible();
    const loading = await page.evaluate(() => (window as any).portico.listDatasets());
    expect(loading).toEqual({ ok: false, code: 'DATA_LOADING', message: 'The data is still loading; try again in a moment.' });
    // The other screens work meanwhile.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Users' })).toBeVisible();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Data' }).click();

    await release();
    // The screen asks again on its own.
    await expect(grid(page)).toBeVisible({ timeout: 30_000 });
    const picker = page.getByLabel('Dataset');
    await expect(picker.locator('option')).toHaveText(['Sample orders', 'Nightly exports (not available)', 'Deals on the share']);
    await picker.selectOption({ label: 'Nightly exports (not available)' });
    await expect(page.getByRole('alert')).toHaveText(
      'This dataset could not be opened. Its file is not a regular file (it is a pipe, a device or a folder). Ask IT to check its configuration.',
    );
    await picker.selectOption({ label: 'Deals on the share' });
    await expect(page.getByText('5 rows')).toBeVisible();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // What the window gets: the reason, no file path.
    const list = await page.evaluate(() => (window as any).portico.listDatasets());
    expect(list.value.map((d: { id: string; status: string }) => [d.id, d.status])).toEqual([
      [DATASET, 'ready'],
      ['exports', 'failed'],
      ['share', 'ready'],
    ]);
    expect(JSON.stringify(list)).not.toContain(dir);
  });
});
