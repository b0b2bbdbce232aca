/** Session lifetime as the user sees it: idle timeout, absolute timeout, recent sign-in. */
import { expect, test } from './fixtures';
import { ADMIN, createFirstAdmin } from './support/local-flows';

test.beforeEach(({ portico }) => {
  // Skipped only under PORTICO_E2E_HOST=electron: main's clock can be moved only in the test host
  // (an injected port); the same timeouts are unit-tested with a fake clock (session-manager, app).
  test.skip(portico.clock === null, 'moves main’s clock: test host only');
});

test('an idle session ends in main, and the app returns to sign-in saying why', async ({ page, portico }) => {
  await createFirstAdmin(page);
  // Locked after 15 minutes (lock.spec.ts), signed out after 60 (session.idleMinutes).
  portico.clock!.advance(60 * 60_000 + 1000);
  const call = await page.evaluate(() => (window as any).portico.listUsers());
  expect(call).toMatchObject({ ok: false, code: 'SESSION_EXPIRED' });
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Portico' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('idle for too long');
});

test.describe('absolute timeout', () => {
  test.use({ porticoPolicy: { session: { idleMinutes: 24 * 60, absoluteHours: 1 } } });

  test('activity does not extend a session past its maximum length', async ({ page, portico }) => {
    await createFirstAdmin(page);
    for (let i = 0; i < 5; i++) {
      portico.clock!.advance(10 * 60_000);
      expect(await page.evaluate(() => (window as any).portico.listUsers())).toMatchObject({ ok: true });
    }
    portico.clock!.advance(10 * 60_000);
    const call = await page.evaluate(() => (window as any).portico.listUsers());
    expect(call).toMatchObject({ ok: false, code: 'SESSION_EXPIRED', message: expect.stringContaining('maximum length') });
  });
});

test.describe('recent sign-in', () => {
  test.use({
    porticoPolicy: {
      session: { lockAfterMinutes: 60, idleMinutes: 120, recentSignInMinutes: 15 },
      localAccounts: { backoffBaseMs: 0 },
    },
  });

  test('an admin action after 15 minutes asks for the password first, then goes through', async ({ page, portico }) => {
    await createFirstAdmin(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
    portico.clock!.advance(16 * 60_000);

    const refused = await page.evaluate(() =>
      (window as any).portico.createUser({
        username: 'bob',
        displayName: 'Bob',
        password: 'a long passphrase for him',
        roles: ['viewer'],
      }),
    );
    expect(refused).toMatchObject({ ok: false, code: 'RECENT_SIGN_IN_REQUIRED' });

    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Username', { exact: true }).fill('bob');
    await form.getByLabel('Display name', { exact: true }).fill('Bob');
    await form.getByLabel('Password', { exact: true }).fill('a long passphrase for him');
    await form.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('Current password').fill('not my password');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog.getByRole('alert')).toContainText('incorrect');
    await dialog.getByLabel('Current password').fill(ADMIN.password);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('status')).toContainText('User bob created.');
  });
});
