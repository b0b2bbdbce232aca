/**
 * Smoke test of the OIDC provider harness: a real oidc-provider, a real Chromium login, and
 * openid-client (the library Portico's RP uses) as the judge of what comes back. If this fails,
 * the OIDC integration tests built on the harness cannot be trusted either.
 */
import * as oidc from 'openid-client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../host/chromium';
import { signInAtOidcProvider, waitForRequest } from '../../idp/oidc/browser-login';
import { listenOnLoopback, sendHtml, type LoopbackServer } from '../../idp/oidc/http-util';
import {
  DESCOPE_ROLES,
  DESCOPE_TENANTS,
  ENTRA_APP_ROLES,
  ENTRA_GROUP_IDS,
  ENTRA_OBJECT_IDS,
  ENTRA_TENANT_ID,
  entraOverageEndpoint,
  GOOGLE_HOSTED_DOMAIN,
  KEYCLOAK_CLIENT_ROLES,
  KEYCLOAK_REALM_ROLES,
  OIDC_TEST_CLIENT_ID,
  startOidcProvider,
  SIGN_OUT_LABEL,
  WRONG_PASSWORD_TEXT,
  type OidcTestProvider,
  type OidcTestUser,
  type StartOidcProviderOptions,
} from '../../idp/oidc/oidc-provider';

let browser: Browser;
/** Stands in for Portico's loopback listener: answers the redirect so the page settles. */
let loopback: LoopbackServer;

beforeAll(async () => {
  [browser, loopback] = await Promise.all([
    chromium.launch({ ...chromiumLaunchOptions(), headless: true }),
    listenOnLoopback((_req, res) => sendHtml(res, 200, '<!doctype html><title>Done</title><p>You can close this window.</p>')),
  ]);
}, 20_000);

afterAll(async () => {
  await browser?.close();
  await loopback?.close();
});

const SCOPE = 'openid email profile offline_access';

function callbackUrl(): string {
  return `${loopback.origin}/callback`;
}

async function rp(provider: OidcTestProvider): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(provider.issuer), provider.clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

interface SignIn {
  config: oidc.Configuration;
  tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  claims: Record<string, unknown>;
}

/** The authorization code flow as Portico runs it: PKCE S256, state, nonce; login form in `page` unless SSO. */
async function signIn(
  provider: OidcTestProvider,
  page: Page,
  user: OidcTestUser | null,
  params: Record<string, string> = {},
): Promise<SignIn> {
  const config = await rp(provider);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl(),
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    prompt: 'consent',
    ...params,
  });
  const redirected = waitForRequest(page, callbackUrl());
  // Not awaited: with an IdP session the redirect chain ends at the callback at once, and Chromium
  // may report the first navigation as "interrupted". Only the callback request matters.
  void page.goto(url.href).catch(() => undefined);
  if (user) await signInAtOidcProvider(page, user.username, user.password);
  const callback = new URL(await redirected);
  // The 'request' event comes before the navigation commits: let it finish, or the caller's next
  // goto on this page is "interrupted" by it.
  await page.waitForURL((url) => url.href.startsWith(callbackUrl()));
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { config, tokens, claims: tokens.claims() as Record<string, unknown> };
}

async function withPage<T>(work: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await work(await context.newPage());
  } finally {
    await context.close();
  }
}

function userNamed(provider: OidcTestProvider, username: string): OidcTestUser {
  const user = provider.users.find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username}`);
  return user;
}

function useProvider(options: StartOidcProviderOptions): () => OidcTestProvider {
  let provider: OidcTestProvider | undefined;
  beforeAll(async () => {
    provider = await startOidcProvider(options);
  });
  afterAll(async () => {
    expect(provider?.serverErrors).toEqual([]);
    await provider?.stop();
  });
  return () => {
    if (!provider) throw new Error('provider not started');
    return provider;
  };
}

describe('entra style (tenant issuer)', () => {
  const provider = useProvider({ style: 'entra', tenantId: ENTRA_TENANT_ID });

  it('serves discovery under the tenant path and signs ID tokens with RS256', async () => {
    const op = provider();
    expect(op.issuer).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${ENTRA_TENANT_ID}/v2\\.0$`));
    const metadata = (await rp(op)).serverMetadata();
    expect(metadata.issuer).toBe(op.issuer);
    expect(metadata.end_session_endpoint).toBe(op.endSessionEndpoint);
    expect(metadata.revocation_endpoint).toBe(op.revocationEndpoint);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.id_token_signing_alg_values_supported).toContain('RS256');
  });

  it('releases groups, app roles, tid and oid in the ID token and userinfo', async () => {
    const op = provider();
    const alice = userNamed(op, 'alice');
    const { config, tokens, claims } = await withPage((page) => signIn(op, page, alice));
    expect(claims).toMatchObject({
      iss: op.issuer,
      aud: OIDC_TEST_CLIENT_ID,
      sub: alice.sub,
      tid: ENTRA_TENANT_ID,
      oid: ENTRA_OBJECT_IDS.alice,
      preferred_username: 'alice@corp.test',
      email: 'alice@corp.test',
      groups: [ENTRA_GROUP_IDS.admins, ENTRA_GROUP_IDS.employees],
      roles: [ENTRA_APP_ROLES.admin],
    });
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, alice.sub);
    expect(userinfo).toMatchObject({ sub: alice.sub, groups: [ENTRA_GROUP_IDS.admins, ENTRA_GROUP_IDS.employees] });
  });

  it("sends olga's group overage pointer instead of groups", async () => {
    const op = provider();
    const { claims } = await withPage((page) => signIn(op, page, userNamed(op, 'olga')));
    expect(claims.groups).toBeUndefined();
    expect(claims.hasgroups).toBe(true);
    expect(claims._claim_names).toEqual({ groups: 'src1' });
    expect(claims._claim_sources).toEqual({ src1: { endpoint: entraOverageEndpoint(ENTRA_OBJECT_IDS.olga) } });
  });
});

describe('keycloak style (sign-out needs confirmation)', () => {
  const provider = useProvider({ style: 'keycloak', confirmLogout: true });

  it('releases realm_access and resource_access roles', async () => {
    const op = provider();
    const { claims } = await withPage((page) => signIn(op, page, userNamed(op, 'alice')));
    expect(claims.iss).toBe(op.issuer);
    expect(claims.realm_access).toEqual({ roles: [KEYCLOAK_REALM_ROLES.admin, KEYCLOAK_REALM_ROLES.defaults] });
    expect(claims.resource_access).toEqual({ [OIDC_TEST_CLIENT_ID]: { roles: [KEYCLOAK_CLIENT_ROLES.admin] } });
  });

  it('asks "Yes, sign me out" at end-session and ends the session once confirmed', async () => {
    const op = provider();
    const bob = userNamed(op, 'bob');
    await withPage(async (page) => {
      const { config } = await signIn(op, page, bob);
      const url = oidc.buildEndSessionUrl(config, {
        client_id: op.clientId,
        post_logout_redirect_uri: `${loopback.origin}/logout-callback`,
      });
      await page.goto(url.href);
      expect(await op.hasSession(bob.sub)).toBe(true);
      const back = waitForRequest(page, `${loopback.origin}/logout-callback`);
      await page.getByRole('button', { name: SIGN_OUT_LABEL }).click();
      await back;
      expect(await op.hasSession(bob.sub)).toBe(false);
    });
  });
});

describe('descope style', () => {
  const provider = useProvider({ style: 'descope' });

  it('releases project roles and tenant roles', async () => {
    const op = provider();
    const { claims } = await withPage((page) => signIn(op, page, userNamed(op, 'bob')));
    expect(claims.roles).toEqual([]);
    expect(claims.tenants).toEqual({ [DESCOPE_TENANTS.main]: { roles: [DESCOPE_ROLES.viewer] } });
  });
});

describe('google style', () => {
  const provider = useProvider({ style: 'google' });

  it('issues a refresh token for access_type=offline without offline_access, and only email/hd', async () => {
    const op = provider();
    const { tokens, claims } = await withPage((page) =>
      signIn(op, page, userNamed(op, 'alice'), { scope: 'openid email profile', access_type: 'offline' }),
    );
    expect(tokens.refresh_token).toBeTruthy();
    expect(claims).toMatchObject({ email: 'alice@corp.test', email_verified: true, hd: GOOGLE_HOSTED_DOMAIN });
    expect(claims.groups).toBeUndefined();
  });
});

describe('sessions and tokens (okta style)', () => {
  const provider = useProvider({ style: 'okta', idTokenTtlSeconds: 120 });

  it('refreshes with rotation, and revokeGrants makes the next refresh fail with invalid_grant', async () => {
    const op = provider();
    const alice = userNamed(op, 'alice');
    const { config, tokens } = await withPage((page) => signIn(op, page, alice));
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.claims()?.exp).toBe((tokens.claims()?.iat ?? 0) + 120);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(alice.sub);
    expect(op.stats.tokenRequests).toMatchObject({ authorization_code: 1, refresh_token: 1 });

    await op.revokeGrants(alice.sub);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('treats a reused (rotated-out) refresh token as theft: the whole grant is revoked', async () => {
    const op = provider();
    const { config, tokens } = await withPage((page) => signIn(op, page, userNamed(op, 'bob')));
    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, first.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('signs in again without the form while the IdP session lasts, and end-session ends it', async () => {
    const op = provider();
    const dave = userNamed(op, 'dave');
    await withPage(async (page) => {
      const { config, tokens } = await signIn(op, page, dave);
      expect(await op.hasSession(dave.sub)).toBe(true);
      // Single sign-on: no form this time (consent is granted silently).
      await signIn(op, page, null);

      const endSessionUrl = oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token ?? '',
        post_logout_redirect_uri: `${loopback.origin}/logout-callback`,
        state: 'bye',
      });
      const back = waitForRequest(page, `${loopback.origin}/logout-callback`);
      const endSessionsBefore = op.stats.endSessions;
      // The logout page submits itself: the first navigation is "interrupted" by that POST.
      void page.goto(endSessionUrl.href).catch(() => undefined);
      expect(new URL(await back).searchParams.get('state')).toBe('bye');
      expect(await op.hasSession(dave.sub)).toBe(false);
      expect(op.stats.endSessions).toBe(endSessionsBefore + 1);
      // offline_access tokens outlive the session (a client must revoke them itself).
      await expect(oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')).resolves.toBeTruthy();
    });
  });

  it('counts revocations at the revocation endpoint', async () => {
    const op = provider();
    const { config, tokens } = await withPage((page) => signIn(op, page, userNamed(op, 'alice')));
    await oidc.tokenRevocation(config, tokens.refresh_token ?? '');
    expect(op.stats.revocations).toBe(1);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('answers access_denied (with the state) when the user cancels at the login page', async () => {
    const op = provider();
    await withPage(async (page) => {
      const config = await rp(op);
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callbackUrl(),
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        state,
      });
      const redirected = waitForRequest(page, callbackUrl());
      await page.goto(url.href);
      await page.getByRole('link', { name: 'Cancel' }).click();
      const query = new URL(await redirected).searchParams;
      expect(query.get('error')).toBe('access_denied');
      expect(query.get('state')).toBe(state);
    });
  });

  it('shows "Invalid username or password." for a wrong password and keeps the form', async () => {
    const op = provider();
    await withPage(async (page) => {
      const config = await rp(op);
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callbackUrl(),
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        state: oidc.randomState(),
      });
      await page.goto(url.href);
      await signInAtOidcProvider(page, 'alice', 'wrong-password');
      await expect(page.getByText(WRONG_PASSWORD_TEXT).waitFor({ timeout: 5_000 })).resolves.toBeUndefined();
      expect(await page.locator('input[name="password"]').count()).toBe(1);
    });
  });
});
