/** OIDC with Keycloak-style claims: realm roles (`realm_access.roles`) decide Portico roles. */
import { expect, signInAtProvider, test } from './support/oidc-idp';

const SIGN_IN = { name: 'Sign in with Corp OIDC' };

test.use({ oidcStyle: 'keycloak' });

test('realm roles map to Portico roles', async ({ page, authWindows }) => {
  await page.getByRole('button', SIGN_IN).click();
  await signInAtProvider(authWindows, 'alice', 'alice-password');
  await expect(page.getByRole('list', { name: 'Your roles' }).getByRole('listitem')).toHaveText(['admin']);
});

test('a user with no Portico role is refused with what to ask for', async ({ page, authWindows }) => {
  await page.getByRole('button', SIGN_IN).click();
  await signInAtProvider(authWindows, 'dave', 'dave-password');
  await expect(page.getByRole('alert')).toContainText('none of your groups or roles gives access to Portico');
});

// Issue 15: switching accounts at the provider (the Keycloak preset sends prompt=login).

test('"Use another account": a refused account is switched without restarting', async ({ page, authWindows }) => {
  await page.getByRole('button', SIGN_IN).click();
  await signInAtProvider(authWindows, 'dave', 'dave-password');
  await expect(page.getByRole('alert')).toContainText('none of your');

  // The provider's session is Dave's: an ordinary sign-in is answered for him again, without asking.
  await page.getByRole('button', SIGN_IN).click();
  await expect.poll(() => authWindows.length).toBe(2);
  await expect(page.getByRole('button', SIGN_IN)).toBeEnabled();
  await expect(page.getByRole('alert')).toContainText('none of your');

  // "Use another account" sends prompt=login: the provider asks who is signing in.
  await page.getByRole('button', { name: 'Use another account with Corp OIDC' }).click();
  const window = await signInAtProvider(authWindows, 'alice', 'alice-password');
  expect(new URL(window.url()).pathname).toContain('/interaction/');
  await expect(page.getByRole('heading', { level: 1, name: /Welcome, Alice/ })).toBeVisible();
});
