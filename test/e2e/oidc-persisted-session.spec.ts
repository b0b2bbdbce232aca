/**
 * With `session.persistSession`, the session itself survives a restart, beside the kept OIDC
 * sign-in. It must not outlive what the IdP says: when the provider refuses the kept sign-in at
 * the next launch, the kept session ends too and the sign-in screen says why (real provider,
 * real renderer).
 */
import { expect, signInAtProvider, test as oidcTest } from './support/oidc-idp';

const test = oidcTest.extend({
  porticoPolicy: async ({ porticoPolicy }, use) => {
    await use({ ...porticoPolicy, session: { persistSession: true } });
  },
});

const SIGN_IN = { name: 'Sign in with Corp OIDC' };

test('the provider still vouching for the sign-in: the kept session carries on after a restart', async ({
  page,
  authWindows,
  portico,
}) => {
  await page.getByRole('button', SIGN_IN).click();
  await signInAtProvider(authWindows, 'bob', 'bob-password');
  await expect(page.getByRole('heading', { level: 1, name: /Welcome, Bob/ })).toBeVisible();

  const next = await portico.restart();
  await expect(next.getByRole('heading', { level: 1, name: /Welcome, Bob/ })).toBeVisible();
});

test('the provider refusing the kept sign-in at launch: the kept session ends and the sign-in screen says why', async ({
  page,
  authWindows,
  portico,
  oidcIdp,
}) => {
  await page.getByRole('button', SIGN_IN).click();
  await signInAtProvider(authWindows, 'bob', 'bob-password');
  await expect(page.getByRole('heading', { level: 1, name: /Welcome, Bob/ })).toBeVisible();
  const bob = oidcIdp.users.find((u) => u.username === 'bob')!;
  await oidcIdp.revokeGrants(bob.sub);

  const next = await portico.restart();
  await expect(next.getByRole('heading', { level: 1, name: 'Sign in to Portico' })).toBeVisible();
  await expect(next.getByRole('status').filter({ hasText: 'has ended (it was revoked or expired)' })).toBeVisible();
  // Nothing of the session is left for the window to use.
  const session = await next.evaluate(() =>
    (window as unknown as { portico: { getCurrentSession(): Promise<unknown> } }).portico.getCurrentSession(),
  );
  expect(session).toMatchObject({ ok: true, value: null });
});
