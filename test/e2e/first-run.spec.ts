/**
 * No self-made administrators. On a fresh install with single sign-on configured and local
 * accounts on (the README's full example), nobody at the keyboard and no script in the
 * signed-out window can create a local administrator: administrators come from the IdP's
 * groups. IT may allow one local bootstrap administrator explicitly.
 */
import { ENTRA_USERS } from '../idp/saml/simplesamlphp';
import { ADMIN, createFirstAdmin } from './support/local-flows';
import { expect, samlConfig, signInAtIdp, test } from './support/saml-idp';

const [alice] = ENTRA_USERS as [(typeof ENTRA_USERS)[0]];

test.describe('single sign-on configured, local accounts on', () => {
  test.use({
    porticoConfig: {},
    porticoPolicy: async ({ samlIdp }, use) => {
      await use(samlConfig(samlIdp));
    },
  });

  test('a fresh install offers no setup, at the screen or at IPC; administrators come from the IdP', async ({
    page,
    authWindows,
  }) => {
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Portico' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Create the administrator account' })).toHaveCount(0);

    // Typing a new name and password into the Portico account form is a failed sign-in, not setup.
    await expect(page.getByRole('heading', { level: 2, name: 'Sign in with a Portico account' })).toBeVisible();
    await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText('The username or password is incorrect');
    await expect(page.getByRole('heading', { name: 'Create the administrator account' })).toHaveCount(0);

    // A script in the signed-out window calling setup directly is refused, and nothing is created.
    const setup = await page.evaluate((admin) => (window as any).portico.createAdmin(admin), {
      username: ADMIN.username,
      displayName: ADMIN.displayName,
      password: ADMIN.password,
    });
    expect(setup).toMatchObject({ ok: false, code: 'SETUP_NOT_ALLOWED' });
    const session = await page.evaluate(() => (window as any).portico.getCurrentSession());
    expect(session).toEqual({ ok: true, value: null });
    const signIn = await page.evaluate((admin) => (window as any).portico.signInLocal(admin), {
      username: ADMIN.username,
      password: ADMIN.password,
    });
    // An unknown name (the first failure's back-off may answer first), never "go to setup".
    expect(signIn.ok).toBe(false);
    expect(['INVALID_CREDENTIALS', 'THROTTLED']).toContain(signIn.code);

    // The IdP's admin group makes the administrator.
    await page.getByRole('button', { name: 'Sign in with Corp Entra' }).click();
    await signInAtIdp(authWindows, alice.username, alice.password);
    await expect(page.getByRole('heading', { level: 1, name: 'Welcome, Alice Admin' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' })).toBeVisible();
  });
});

test.describe('single sign-on configured, and the policy allows a local bootstrap administrator', () => {
  test.use({
    porticoConfig: {},
    porticoPolicy: async ({ samlIdp }, use) => {
      await use({ ...samlConfig(samlIdp), localAccounts: { allowBootstrapAdmin: true } });
    },
  });

  test('the first launch asks for the administrator once; a second setup at IPC is refused', async ({ page }) => {
    await createFirstAdmin(page);
    const again = await page.evaluate(() =>
      (window as any).portico.createAdmin({ username: 'mallory', displayName: 'M', password: 'correct horse battery staple' }),
    );
    expect(again).toMatchObject({ ok: false, code: 'SETUP_ALREADY_DONE' });
  });
});
