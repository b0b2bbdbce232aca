/**
 * Positive controls against a real OP (oidc-provider, Keycloak claim style) with Chromium doing
 * the login, so the refusals elsewhere are known not to refuse everything: Portico's relying
 * party, a whole window-mode sign-in (ChromiumAuthSurface stands in for the auth window), refresh
 * rotation and the IdP revoking the grant. Plus mix-up between this OP (which sends RFC 9207
 * `iss`) and a rogue OP.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolesFromClaims } from '../../../../../../main/auth/oidc/oidc-claims';
import { oidcProviderConfig } from '../../../../../../main/auth/oidc/oidc-config';
import { OidcRelyingParty } from '../../../../../../main/auth/oidc/oidc-relying-party';
import { SsoService } from '../../../../../../main/auth/sso-service';
import type { AuthSurface, CallbackRequest } from '../../../../../../main/platform';
import { chromiumLaunchOptions } from '../../../../../host/chromium';
import { signInAtOidcProvider, waitForRequest } from '../../../../../idp/oidc/browser-login';
import {
  KEYCLOAK_CLIENT_ROLES,
  KEYCLOAK_REALM_ROLES,
  startOidcProvider,
  type OidcTestProvider,
  type OidcTestUser,
} from '../../../../../idp/oidc/oidc-provider';
import { startRogueOp, type RogueOp } from '../../../../../idp/oidc/rogue-op';
import { authorize, expectRefusal, REDIRECT_URI, rogueRp, silentLog, testTokenStore, tokenRequests } from './support';

let browser: Browser;
let provider: OidcTestProvider;
let rogue: RogueOp;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [browser, provider, rogue] = await Promise.all([
    chromium.launch({ ...chromiumLaunchOptions(), headless: true }),
    startOidcProvider({ style: 'keycloak' }),
    startRogueOp(),
  ]);
}, 20_000);

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  await Promise.all([provider?.stop(), rogue?.stop()]);
});

function config() {
  return oidcProviderConfig.parse({
    id: 'keycloak',
    displayName: 'Corp Keycloak',
    preset: 'keycloak',
    issuer: provider.issuer,
    clientId: provider.clientId,
    // alice has the realm role portico-admin; bob only the client role viewer (resource_access.portico-desktop).
    roleMapping: { [KEYCLOAK_REALM_ROLES.admin]: ['admin'], [KEYCLOAK_CLIENT_ROLES.viewer]: ['viewer'] },
  });
}

function user(name: string): OidcTestUser {
  const found = provider.users.find((u) => u.username === name);
  if (!found) throw new Error(`no user ${name}`);
  return found;
}

async function newPage() {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

/**
 * The authorization URL in Chromium, the login form filled in, and the callback request caught
 * (nothing listens at the window-mode redirect URI; the browser's error page does not matter).
 */
async function loginInChromium(url: string, who: OidcTestUser, callbackUrl = REDIRECT_URI): Promise<string> {
  const page = await newPage();
  const redirected = waitForRequest(page, callbackUrl, { timeoutMs: 15_000 });
  void page.goto(url).catch(() => undefined);
  await signInAtOidcProvider(page, who.username, who.password);
  return redirected;
}

/** Stands in for ChromiumAuthSurface / the Electron auth window: the provider's login page in Chromium. */
class ChromiumAuthSurface implements AuthSurface {
  readonly opened: string[] = [];
  constructor(private readonly who: OidcTestUser) {}
  async open(options: Parameters<AuthSurface['open']>[0]): Promise<CallbackRequest> {
    this.opened.push(options.url);
    return { method: 'GET', url: await loginInChromium(options.url, this.who, options.callbackUrl), body: null };
  }
  async clearPartition(): Promise<void> {}
}

describe('real OP (oidc-provider, Keycloak style), Chromium login', () => {
  it('OidcRelyingParty: alice signs in, the ID token is validated, realm role mapped to admin', async () => {
    const rp = new OidcRelyingParty(config());
    const { url, checks } = await rp.startLogin(REDIRECT_URI);
    const callback = await loginInChromium(url, user('alice'));
    // oidc-provider sends RFC 9207 iss with every authorization response.
    expect(new URL(callback).searchParams.get('iss')).toBe(provider.issuer);
    const tokens = await rp.finishLogin(callback, checks);
    expect(tokens.claims).toMatchObject({ sub: user('alice').sub, iss: provider.issuer, aud: provider.clientId });
    expect(tokens.refreshToken).toBeTruthy();
    expect(rolesFromClaims(tokens.claims, config(), 'Alice')).toEqual(['admin']);
    // Replaying the same answer is refused before the token endpoint.
    const exchanges = provider.stats.tokenRequests.authorization_code ?? 0;
    await expectRefusal(rp.finishLogin(callback, checks), 'OIDC_STATE');
    expect(provider.stats.tokenRequests.authorization_code ?? 0).toBe(exchanges);
    expect(provider.serverErrors).toEqual([]);
  });

  it('a whole window-mode sign-in, a rotating refresh at the next launch, then the IdP revokes the grant', async () => {
    const setup = await testTokenStore();
    const launch = () => {
      const sso = new SsoService({
        saml: [],
        oidc: [config()],
        surface: new ChromiumAuthSurface(user('bob')),
        browser: null,
        oidcStore: setup.store,
        log: silentLog,
      });
      return sso;
    };
    const first = launch();
    const identity = await first.signIn('keycloak');
    await first.flush();
    first.stopRefresh();
    expect(identity).toMatchObject({ providerId: 'keycloak', subject: user('bob').sub, username: user('bob').email });
    expect(identity.roles).toEqual(['viewer']);
    const kept = setup.store.load();
    expect(kept?.refreshToken).toBeTruthy();

    const second = launch();
    const restored = await second.restore();
    second.stopRefresh();
    expect(restored).toMatchObject({ identity: { subject: user('bob').sub, roles: ['viewer'] } });
    const rotated = setup.store.load();
    expect(rotated?.refreshToken).toBeTruthy();
    expect(rotated?.refreshToken).not.toBe(kept?.refreshToken);

    await provider.revokeGrants(user('bob').sub);
    const third = launch();
    expect(await third.restore()).toEqual({
      notice: 'Your sign-in with Corp Keycloak has ended (it was revoked or expired). Sign in again.',
      signIn: { providerId: 'keycloak', sub: user('bob').sub },
    });
    third.stopRefresh();
    expect(setup.store.load()).toBeNull();
    expect(provider.serverErrors).toEqual([]);
  });

  it('mix-up: the real OP’s answer (with its iss) in the rogue OP’s flow, and the rogue’s answer (no iss) in the real OP’s flow: OIDC_ISSUER', async () => {
    const realRp = new OidcRelyingParty(config());
    const real = await realRp.startLogin(REDIRECT_URI);
    const realCallback = await loginInChromium(real.url, user('alice'));

    const rogueFlow = rogueRp(rogue);
    const rogueAttempt = await authorize(rogueFlow);
    const misdelivered = new URL(realCallback);
    misdelivered.searchParams.set('state', rogueAttempt.checks.state);
    const error = await expectRefusal(rogueFlow.finishLogin(misdelivered.href, rogueAttempt.checks), 'OIDC_ISSUER');
    expect(error.detail).toMatch(/"iss" \(issuer\) response parameter value/);
    expect(tokenRequests(rogue)).toHaveLength(0);

    // The other way: the real OP advertises iss, the rogue's answer has none.
    const exchanges = provider.stats.tokenRequests.authorization_code ?? 0;
    const fromRogue = new URL(rogueAttempt.callback);
    fromRogue.searchParams.set('state', real.checks.state);
    const missing = await expectRefusal(realRp.finishLogin(fromRogue.href, real.checks), 'OIDC_ISSUER');
    expect(missing.detail).toMatch(/"iss" \(issuer\) missing/);
    expect(provider.stats.tokenRequests.authorization_code ?? 0).toBe(exchanges);
  });
});
