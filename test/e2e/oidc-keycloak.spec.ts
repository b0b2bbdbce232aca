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
