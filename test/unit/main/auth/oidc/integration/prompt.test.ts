/**
 * `prompt=consent` is sent only where a refresh token needs it. Microsoft Entra ID shows a consent
 * page at every sign-in when asked for it (and refuses where user consent is turned off); Google
 * gives a refresh token at the first sign-in only without it; OIDC Core 11 lets an OP require it
 * for offline_access (node-oidc-provider does): `promptConsent`, per provider, default per preset.
 *
 * The authorization request as the rogue OP received it, per preset; then a real OP that follows
 * OIDC Core 11 strictly, with and without `promptConsent`, Chromium doing the login.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_PRESETS, oidcProviderConfig } from '../../../../../../main/auth/oidc/oidc-config';
import { OidcRelyingParty } from '../../../../../../main/auth/oidc/oidc-relying-party';
import { chromiumLaunchOptions } from '../../../../../host/chromium';
import { signInAtOidcProvider, waitForRequest } from '../../../../../idp/oidc/browser-login';
import { KEYCLOAK_REALM_ROLES, startOidcProvider, type OidcTestProvider } from '../../../../../idp/oidc/oidc-provider';
import { authorize, REDIRECT_URI, rogueRp, useRogueOp, withAdminRole } from './support';

const rogue = useRogueOp({ idToken: withAdminRole });

/** The authorization request's query, as the OP got it. */
async function authorizationParams(extra: Parameters<typeof rogueRp>[1]): Promise<URLSearchParams> {
  await authorize(rogueRp(rogue(), extra));
  const request = rogue().requests.find((r) => r.path === '/authorize');
  return new URLSearchParams(request?.query ?? '');
}

describe('the authorization request', () => {
  for (const preset of OIDC_PRESETS.filter((p) => p !== 'google')) {
    it(`${preset}: asks for offline_access without prompt=consent`, async () => {
      const params = await authorizationParams({ preset });
      expect(params.get('scope')).toBe('openid email profile offline_access');
      expect(params.has('prompt')).toBe(false);
    });
  }

  it('google: prompt=consent with access_type=offline (its refresh token needs both)', async () => {
    const params = await authorizationParams({ preset: 'google' });
    expect(params.get('prompt')).toBe('consent');
    expect(params.get('access_type')).toBe('offline');
  });

  it('google with promptConsent false: access_type=offline only', async () => {
    const params = await authorizationParams({ preset: 'google', promptConsent: false });
    expect(params.has('prompt')).toBe(false);
    expect(params.get('access_type')).toBe('offline');
  });

  it('promptConsent true for another preset: prompt=consent', async () => {
    expect((await authorizationParams({ preset: 'generic', promptConsent: true })).get('prompt')).toBe('consent');
  });

  it('IT’s own authParams.prompt is kept, with consent added when promptConsent asks for it', async () => {
    expect((await authorizationParams({ authParams: { prompt: 'select_account' } })).get('prompt')).toBe('select_account');
    rogue().requests.splice(0);
    const both = await authorizationParams({ authParams: { prompt: 'select_account' }, promptConsent: true });
    expect(both.get('prompt')).toBe('select_account consent');
    rogue().requests.splice(0);
    expect((await authorizationParams({ authParams: { prompt: 'none' }, promptConsent: true })).get('prompt')).toBe('none');
  });

  it('no refresh token asked for (no offline_access scope): no consent, whatever promptConsent says', async () => {
    const params = await authorizationParams({ scopes: ['openid', 'email'], promptConsent: true });
    expect(params.has('prompt')).toBe(false);
  });

  it('the configuration default follows the preset', () => {
    const base = { id: 'x', displayName: 'X', issuer: 'https://idp.example.com', clientId: 'c' };
    expect(oidcProviderConfig.parse({ ...base, preset: 'entra' }).promptConsent).toBe(false);
    expect(oidcProviderConfig.parse({ ...base }).promptConsent).toBe(false);
    expect(oidcProviderConfig.parse({ ...base, preset: 'google' }).promptConsent).toBe(true);
    expect(oidcProviderConfig.parse({ ...base, preset: 'keycloak', promptConsent: true }).promptConsent).toBe(true);
  });
});

describe('an OP that issues refresh tokens only with prompt=consent (OIDC Core 11, oidc-provider as is)', () => {
  let browser: Browser;
  let provider: OidcTestProvider;

  beforeAll(async () => {
    [browser, provider] = await Promise.all([
      chromium.launch({ ...chromiumLaunchOptions(), headless: true }),
      startOidcProvider({ style: 'keycloak', offlineAccessNeedsConsent: true }),
    ]);
  }, 20_000);
  afterAll(async () => {
    await browser?.close();
    await provider?.stop();
  });

  async function signIn(promptConsent: boolean | undefined) {
    const rp = new OidcRelyingParty(
      oidcProviderConfig.parse({
        id: 'strict',
        displayName: 'Strict OP',
        preset: 'generic',
        issuer: provider.issuer,
        clientId: provider.clientId,
        roleClaims: ['realm_access.roles'],
        roleMapping: { [KEYCLOAK_REALM_ROLES.admin]: ['admin'] },
        ...(promptConsent === undefined ? {} : { promptConsent }),
      }),
    );
    const { url, checks } = await rp.startLogin(REDIRECT_URI);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const callback = waitForRequest(page, REDIRECT_URI, { timeoutMs: 15_000 });
      void page.goto(url).catch(() => undefined);
      await signInAtOidcProvider(page, 'alice', 'alice-password');
      return await rp.finishLogin(await callback, checks);
    } finally {
      await context.close();
    }
  }

  it('by default (generic preset): signed in, but no refresh token (the sign-in is not kept)', async () => {
    const tokens = await signIn(undefined);
    expect(tokens.claims.sub).toBeTruthy();
    expect(tokens.refreshToken).toBeNull();
  });

  it('with promptConsent: true, a refresh token', async () => {
    const tokens = await signIn(true);
    expect(tokens.refreshToken).toBeTruthy();
    expect(provider.serverErrors).toEqual([]);
  });
});
