/** The admin users screen, and what roles allow, checked at the IPC level too. */
import { expect, test } from './fixtures';
import { seriousA11yViolations } from './support/axe';
import { ADMIN, createFirstAdmin, signIn, signOut } from './support/local-flows';

// No backoff between attempts here: these tests retype passwords on purpose (backoff has its own tests).
// No backoff between failed sign-ins: a looser setting, so it comes from IT's policy.
test.use({ porticoPolicy: { localAccounts: { backoffBaseMs: 0 } } });

const VIEWER = { username: 'vic', displayName: 'Vic Viewer', password: 'a viewer with a long passphrase' };

async function createViewer(page: import('@playwright/test').Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Users' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Create a user' });
  await form.getByLabel('Username', { exact: true }).fill(VIEWER.username);
  await form.getByLabel('Display name', { exact: true }).fill(VIEWER.displayName);
  await form.getByLabel('Password', { exact: true }).fill(VIEWER.password);
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toContainText(`User ${VIEWER.username} created.`);
}

test('an admin creates a viewer, who signs in without admin screens or channels', async ({ page }) => {
  await createFirstAdmin(page);
  await createViewer(page);
  await expect(page.getByRole('row', { name: new RegExp(VIEWER.displayName) })).toContainText('viewer');
  expect(await seriousA11yViolations(page)).toEqual([]);
  await signOut(page);

  await signIn(page, VIEWER.username, VIEWER.password);
  await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${VIEWER.displayName}` })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Users' })).toHaveCount(0);
  // A viewer calling admin channels from the console is refused in main.
  const list = await page.evaluate(() => (window as any).portico.listUsers());
  expect(list).toMatchObject({ ok: false, code: 'PERMISSION_DENIED' });
  const create = await page.evaluate(() =>
    (window as any).portico.createUser({
      username: 'mallory',
      displayName: 'M',
      password: 'another long passphrase',
      roles: ['admin'],
    }),
  );
  expect(create).toMatchObject({ ok: false, code: 'PERMISSION_DENIED' });
});

test('a disabled user cannot sign in; enabling and a password reset restore access', async ({ page }) => {
  await createFirstAdmin(page);
  await createViewer(page);
  await page.getByRole('button', { name: `Disable ${VIEWER.username}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(VIEWER.displayName) })).toContainText('Disabled');
  await signOut(page);

  await signIn(page, VIEWER.username, VIEWER.password);
  await expect(page.getByRole('alert')).toContainText('disabled');

  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
  await page.getByRole('button', { name: `Enable ${VIEWER.username}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(VIEWER.displayName) })).toContainText('Active');
  await page.getByRole('button', { name: `Reset password for ${VIEWER.username}` }).click();
  await page.getByLabel(`New password for ${VIEWER.username}`).fill('a brand new viewer passphrase');
  await page.getByRole('button', { name: 'Save password' }).click();
  await expect(page.getByRole('status')).toContainText(`Password for ${VIEWER.username} reset.`);
  await signOut(page);

  await signIn(page, VIEWER.username, VIEWER.password);
  await expect(page.getByRole('alert')).toContainText('incorrect');
  await signIn(page, VIEWER.username, 'a brand new viewer passphrase');
  // The reset's password is temporary: the viewer chooses their own before anything opens.
  await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  await page.getByLabel('New password', { exact: true }).fill('the viewer’s own passphrase');
  await page.getByLabel('Type it again', { exact: true }).fill('the viewer’s own passphrase');
  await page.getByRole('button', { name: 'Save password and continue' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${VIEWER.displayName}` })).toBeVisible();
});

test('user data renders as text: markup in a display name runs nothing', async ({ page }) => {
  await createFirstAdmin(page);
  const evil = '<img src=x onerror="window.__pwned=1">';
  const created = await page.evaluate(
    (name) =>
      (window as any).portico.createUser({
        username: 'eve',
        displayName: name,
        password: 'a long passphrase of her own',
        roles: ['viewer'],
      }),
    evil,
  );
  expect(created.ok).toBe(true);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
  await expect(page.getByRole('cell', { name: evil })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});
