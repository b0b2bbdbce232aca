/** OIDC with Descope-style claims: project roles in `roles`, tenant roles in `tenants.<id>.roles`. */
import { expect, signInAtProvider, test } from './support/oidc-idp';

const SIGN_IN = { name: 'Sign in with Corp OIDC' };

test.use({ oidcStyle: 'descope' });

test('a project role (alice) and a tenant role (bob) both map to Portico roles', async ({ page, authWindows }) => {
  await page.getByRole('button', SIGN_IN).click();
  await signInAtProvider(authWindows, 'alice', 'alice-password');
  await expect(page.getByRole('list', { name: 'Your roles' }).getByRole('listitem')).toHaveText(['admin']);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await page.getByRole('button', SIGN_IN).click();
  await signInAtProvider(authWindows, 'bob', 'bob-password');
  await expect(page.getByRole('list', { name: 'Your roles' }).getByRole('listitem')).toHaveText(['viewer']);
});
