/**
 * IT's machine policy, as employees and admins meet it: what it turns off, what it locks
 * (in the UI and at the IPC level), and that Portico refuses to run on a broken policy or
 * on weak key storage the policy does not allow. The policy is a real file read through
 * PORTICO_POLICY, with the same loader as /etc/portico/policy.json.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ENTRA_USERS } from '../idp/saml/simplesamlphp';
import { writeConfig } from '../host/test-host';
import { seriousA11yViolations } from './support/axe';
import { ADMIN, createFirstAdmin, signIn } from './support/local-flows';
import { expect, samlConfig, signInAtIdp, test } from './support/saml-idp';

const [alice] = ENTRA_USERS as [(typeof ENTRA_USERS)[0]];
const CLIENT_SECRET = 'policy-client-secret-7f3a9c';
/** Nothing listens on port 9 (discard) here: the check fails fast with "connection refused". */
const UNREACHABLE_ISSUER = 'http://127.0.0.1:9/tenant';

test.describe('a policy that sets the IdP and turns local accounts off', () => {
  // The policy is the only source of providers (the user's own settings have none); it needs
  // the IdP's address, known once the IdP runs.
  test.use({
    porticoConfig: {},
    porticoPolicy: async ({ samlIdp }, use) => {
      await use({ ...samlConfig(samlIdp), localAccounts: { enabled: false } });
    },
  });
  test('employees see only single sign-on; the admin finds the mapping locked in the UI and at IPC', async ({
    page,
    authWindows,
  }) => {
    await expect(page.getByRole('button', { name: 'Sign in with Corp Entra' })).toBeVisible();
    await expect(page.getByLabel('Password', { exact: true })).toHaveCount(0);
    // Local sign-in is refused in main too, not only hidden.
    const local = await page.evaluate(() =>
      (window as any).portico.signInLocal({ username: 'ada', password: 'whatever password' }),
    );
    expect(local).toMatchObject({ ok: false, code: 'PERMISSION_DENIED' });

    await page.getByRole('button', { name: 'Sign in with Corp Entra' }).click();
    await signInAtIdp(authWindows, alice.username, alice.password);
    await expect(page.getByRole('heading', { level: 1, name: 'Welcome, Alice Admin' })).toBeVisible();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Roles' }).click();
    await expect(page.getByText('Set by your administrator: this mapping cannot be changed here.')).toBeVisible();
    await expect(page.getByRole('button', { name: /Save Corp Entra mapping/ })).toHaveCount(0);
    await expect(page.getByLabel('Group 1')).toBeDisabled();
    expect(await seriousA11yViolations(page)).toEqual([]);

    const change = await page.evaluate(() =>
      (window as any).portico.setRoleMapping({ providerId: 'corp', mapping: { Everyone: ['admin'] } }),
    );
    expect(change).toMatchObject({ ok: false, code: 'SETTING_LOCKED' });
    const mapping = await page.evaluate(() => (window as any).portico.getRoleMapping());
    expect(mapping.value.providers[0]).toMatchObject({ providerId: 'corp', locked: true });
    expect(Object.keys(mapping.value.providers[0].mapping)).not.toContain('Everyone');

    // Diagnostics lists what the policy locks.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Diagnostics' }).click();
    const locked = page.getByRole('list', { name: 'Set by your administrator' });
    await expect(locked).toContainText('localAccounts.enabled');
    await expect(locked).toContainText('providers.saml');
  });
});

test.describe('no policy on this machine', () => {
  test.use({ porticoPolicy: null, porticoConfig: {} });

  test('nothing is locked and local accounts work', async ({ page }) => {
    await createFirstAdmin(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Diagnostics' }).click();
    await expect(page.getByText('No machine policy is in force')).toBeVisible();
  });
});

test.describe('an invalid policy', () => {
  test.use({ porticoPolicy: { session: { idleMinutes: 'forever' }, localAccounts: { enabeld: false } } });

  test('stops Portico with a screen naming the file and each wrong key', async ({ page }) => {
    await expect(
      page.getByRole('heading', { level: 1, name: 'Your administrator’s policy for Portico is invalid' }),
    ).toBeVisible();
    await page.getByText('Technical details').click();
    const details = page.locator('details pre');
    await expect(details).toContainText('machine-policy.json');
    await expect(details).toContainText('session.idleMinutes');
    await expect(details).toContainText('localAccounts.enabeld');
    // Fail closed: no way in, and every channel answers with the reason.
    await expect(page.getByRole('button', { name: /Sign in/ })).toHaveCount(0);
    expect(await page.evaluate(() => (window as any).portico.getCurrentSession())).toMatchObject({
      ok: false,
      code: 'APP_UNAVAILABLE',
    });
  });
});

test.describe('weak key storage (Linux without a keyring)', () => {
  test.use({ keyStorage: 'basic-text-stand-in', porticoPolicy: null, porticoConfig: {} });

  test('is refused by default, with what to do', async ({ page }) => {
    await expect(page.getByRole('heading', { level: 1, name: 'Secure storage is not available' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('ask IT to allow weaker storage');
  });

  test.describe('when the policy allows it', () => {
    test.use({ porticoPolicy: { security: { allowWeakKeyStorage: true } } });

    test('Portico starts', async ({ page }) => {
      await createFirstAdmin(page);
    });
  });
});

test.describe('diagnostics', () => {
  // IT has a policy that sets nothing yet.
  test.use({ porticoPolicy: {}, porticoConfig: {} });

  test('shows findings and exports a support bundle with no secret in it', async ({ page, portico }) => {
    await createFirstAdmin(page);
    // IT then adds a provider that insists on a client secret (and cannot be reached).
    await portico.writePolicy({
      providers: {
        oidc: [
          {
            id: 'insist',
            displayName: 'Insists On Secret',
            issuer: UNREACHABLE_ISSUER,
            clientId: 'portico',
            clientSecret: CLIENT_SECRET,
          },
        ],
      },
    });
    const restarted = await portico.restart();
    await signIn(restarted, ADMIN.username, ADMIN.password);
    await restarted.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Diagnostics' }).click();
    const findings = restarted.getByRole('region', { name: 'Findings' });
    await expect(findings).toContainText('oidc-client-secret');
    await expect(findings).toContainText('provider-unreachable');
    await restarted.getByText('Full report').click();
    await expect(restarted.locator('pre.report')).toContainText('"insist"');
    await expect(restarted.locator('pre.report')).not.toContainText(CLIENT_SECRET);
    expect(await seriousA11yViolations(restarted)).toEqual([]);

    await restarted.getByRole('button', { name: 'Export support bundle' }).click();
    await expect(restarted.getByRole('status')).toContainText('Support bundle saved as portico-support-');
    const [bundle] = await readdir(portico.exportsDir);
    const text = await readFile(path.join(portico.exportsDir, bundle!), 'utf8');
    expect(text).toContain('Insists On Secret');
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(ADMIN.password);
  });
});

test.describe('a person’s own config.json', () => {
  test.use({ porticoPolicy: null, porticoConfig: {} });

  test('cannot grant a role more permissions: Portico stops on a screen naming the key', async ({
    page,
    portico,
    userDataDir,
  }) => {
    await createFirstAdmin(page);
    // A viewer on this profile edits their own settings to make viewers administrators, and restarts.
    await writeConfig(userDataDir, {
      access: {
        rolePermissions: {
          viewer: ['data.read', 'data.read.pii', 'data.export', 'admin.users', 'admin.roles', 'admin.audit', 'admin.settings'],
        },
      },
    });
    const restarted = await portico.restart();
    await expect(restarted.getByRole('heading', { level: 1, name: 'Portico’s configuration is invalid' })).toBeVisible();
    await expect(restarted.getByRole('alert')).toContainText('access.rolePermissions.viewer');
    await expect(restarted.getByRole('alert')).toContainText('only IT can set');
    await restarted.getByText('Technical details').click();
    await expect(restarted.locator('details pre')).toContainText(path.join(userDataDir, 'config.json'));
    // Fail closed: no way in.
    await expect(restarted.getByRole('button', { name: /Sign in/ })).toHaveCount(0);
    expect(await restarted.evaluate(() => (window as any).portico.getCurrentSession())).toMatchObject({
      ok: false,
      code: 'APP_UNAVAILABLE',
    });
    expect(await seriousA11yViolations(restarted)).toEqual([]);
  });
});
