/**
 * Local accounts end to end, as an employee uses them: first-run admin, sign-in, wrong
 * password, lockout, sign-out, restart, tampered vault. Host-agnostic (see fixtures.ts).
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './fixtures';
import { seriousA11yViolations } from './support/axe';
import { ADMIN, createFirstAdmin, signIn, signOut } from './support/local-flows';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test('first run asks for the administrator, who is then signed in with the admin role', async ({ page }) => {
  expect(await seriousA11yViolations(page)).toEqual([]);
  await createFirstAdmin(page);
  await expect(page.getByText(`Signed in as ${ADMIN.username}`)).toBeVisible();
  await expect(page.getByRole('list', { name: 'Your roles' }).getByRole('listitem')).toHaveText(['admin']);
  expect(await seriousA11yViolations(page)).toEqual([]);
});

test('setup refuses a short or common password and mismatched confirmation, creating nothing', async ({ page }) => {
  await page.getByLabel('Username', { exact: true }).fill('ada');
  await page.getByLabel('Display name', { exact: true }).fill('Ada');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('alert')).toContainText('at least 12 characters');

  await page.getByLabel('Password', { exact: true }).fill('Password1234!');
  await page.getByLabel('Confirm password', { exact: true }).fill('Password1234!');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('alert')).toContainText('common passwords');

  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Confirm password', { exact: true }).fill(`${ADMIN.password}x`);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match');

  const info = await page.evaluate(() => (window as any).portico.getAppInfo());
  expect(info).toMatchObject({ ok: true, value: { status: { state: 'needs-setup' } } });
});

test.describe('without backoff', () => {
  test.use({ porticoPolicy: { localAccounts: { backoffBaseMs: 0 } } });

  test('sign-in: wrong password is refused with a clear message, then the right one works', async ({ page }) => {
    await createFirstAdmin(page);
    await signOut(page);
    await expect(page.getByRole('status')).toContainText('You have signed out.');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await signIn(page, ADMIN.username, 'not the right password');
    await expect(page.getByRole('alert')).toHaveText(/username or password is incorrect/);
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Unknown users get exactly the same answer.
    const unknown = await page.evaluate(() =>
      (window as any).portico.signInLocal({ username: 'nobody', password: 'whatever it is' }),
    );
    const known = await page.evaluate(() =>
      (window as any).portico.signInLocal({ username: 'ada', password: 'not the right one' }),
    );
    expect(unknown).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
    expect(known).toEqual(unknown);

    await signIn(page, 'ADA', ADMIN.password); // usernames are case-insensitive
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.displayName}` })).toBeVisible();
  });
});

test.describe('backoff', () => {
  // A longer backoff is stricter than the default: the person's own config.json may set it.
  test.use({ porticoConfig: { localAccounts: { backoffBaseMs: 20_000 } } });

  test('a failure makes the next attempt wait, and says how long', async ({ page }) => {
    await createFirstAdmin(page);
    await signOut(page);
    await signIn(page, ADMIN.username, 'not the right password');
    await expect(page.getByRole('alert')).toContainText('incorrect');
    await signIn(page, ADMIN.username, ADMIN.password);
    await expect(page.getByRole('alert')).toContainText(/Wait \d+ seconds? and try again/);
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Portico' })).toBeVisible();
  });
});

test.describe('lockout', () => {
  test.use({ porticoPolicy: { localAccounts: { maxFailures: 3, backoffBaseMs: 0, lockoutMinutes: 10 } } });

  test('repeated failures lock the account, even for the right password, until an admin resets it', async ({ page }) => {
    await createFirstAdmin(page);
    await signOut(page);
    for (let i = 0; i < 2; i++) {
      await signIn(page, ADMIN.username, `wrong password ${i}`);
      await expect(page.getByRole('alert')).toContainText('incorrect');
    }
    await signIn(page, ADMIN.username, 'wrong password 3');
    await expect(page.getByRole('alert')).toContainText('locked');
    await signIn(page, ADMIN.username, ADMIN.password);
    await expect(page.getByRole('alert')).toContainText('locked');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Portico' })).toBeVisible();
  });

  test('the failure count survives a restart', async ({ page, portico }) => {
    await createFirstAdmin(page);
    await signOut(page);
    await signIn(page, ADMIN.username, 'wrong password 1');
    await expect(page.getByRole('alert')).toContainText('incorrect');
    await signIn(page, ADMIN.username, 'wrong password 2');
    await expect(page.getByRole('alert')).toContainText('incorrect');
    const next = await portico.restart();
    await signIn(next, ADMIN.username, 'wrong password 3');
    await expect(next.getByRole('alert')).toContainText('locked');
  });
});

test('sign-out ends the session: channels that need one are refused afterwards', async ({ page }) => {
  await createFirstAdmin(page);
  const before = await page.evaluate(() => (window as any).portico.listUsers());
  expect(before.ok).toBe(true);
  await signOut(page);
  const after = await page.evaluate(() => (window as any).portico.listUsers());
  expect(after).toMatchObject({ ok: false, code: 'NOT_SIGNED_IN' });
  const current = await page.evaluate(() => (window as any).portico.getCurrentSession());
  expect(current).toEqual({ ok: true, value: null });
});

test('a mistyped sign-in from the console leaves the signed-in user signed in', async ({ page }) => {
  await createFirstAdmin(page);
  const attempt = await page.evaluate(() =>
    (window as any).portico.signInLocal({ username: 'ada', password: 'not the right password' }),
  );
  expect(attempt).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
  const current = await page.evaluate(() => (window as any).portico.getCurrentSession());
  expect(current).toMatchObject({ ok: true, value: { user: { username: ADMIN.username } } });
  expect(await page.evaluate(() => (window as any).portico.listUsers())).toMatchObject({ ok: true });
});

test('restart with the same user-data dir keeps the accounts', async ({ page, portico }) => {
  await createFirstAdmin(page);
  const next = await portico.restart();
  // Sessions are not persisted by default: the login screen, not setup.
  await signIn(next, ADMIN.username, ADMIN.password);
  await expect(next.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.displayName}` })).toBeVisible();
});

test('a tampered vault stops the app with a clear error and the file is kept as it was', async ({
  page,
  portico,
  userDataDir,
}) => {
  await createFirstAdmin(page);
  // Writes that follow a sign-in (the username remembered for the sign-in screen) land first.
  await portico.app()?.flush();
  const file = path.join(userDataDir, 'vault.bin');
  const bytes = await readFile(file);
  bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x01;
  await writeFile(file, bytes);
  const tampered = sha256(bytes);

  const next = await portico.restart();
  await expect(next.getByRole('heading', { level: 1 })).toHaveText('Portico’s vault failed its integrity check');
  await expect(next.getByRole('alert')).toContainText('has not changed or deleted it');
  expect(await seriousA11yViolations(next)).toEqual([]);
  // Nothing else works, and nothing wrote over the file.
  const attempt = await next.evaluate(() =>
    (window as any).portico.signInLocal({ username: 'ada', password: 'correct horse battery staple' }),
  );
  expect(attempt).toMatchObject({ ok: false, code: 'APP_UNAVAILABLE' });
  expect(sha256(await readFile(file))).toBe(tampered);
});

test.describe('invalid configuration', () => {
  test.use({ porticoConfig: { session: { idleMinutes: 'fifteen' }, unknownSetting: true } });

  test('fails closed with a screen that names the problem', async ({ page }) => {
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Portico’s configuration is invalid');
    await page.getByText('Technical details').click();
    await expect(page.locator('details pre')).toContainText('session.idleMinutes');
    const setup = await page.evaluate(() =>
      (window as any).portico.createAdmin({ username: 'ada', displayName: 'Ada', password: 'correct horse battery staple' }),
    );
    expect(setup).toMatchObject({ ok: false, code: 'APP_UNAVAILABLE' });
  });
});

test.describe('keyboard', () => {
  test.use({ porticoPolicy: { localAccounts: { backoffBaseMs: 0 } } });

  test('the whole sign-in works from the keyboard alone', async ({ page }) => {
    await createFirstAdmin(page);
    await page.getByRole('button', { name: 'Sign out' }).press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Portico' })).toBeVisible();
    // The username last used is filled in and focus starts in the password field; Shift+Tab goes
    // back to the username, Tab to the password again; Enter submits.
    await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(page.getByLabel('Username', { exact: true })).toBeFocused();
    await expect(page.getByLabel('Username', { exact: true })).toHaveValue(ADMIN.username);
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
    await page.keyboard.type('a wrong password');
    await page.keyboard.press('Enter');
    // The error is announced (role=alert) and focus lands where the user can act on it.
    await expect(page.getByRole('alert')).toContainText('incorrect');
    await page.getByLabel('Password', { exact: true }).focus();
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.displayName}` })).toBeVisible();
  });
});
