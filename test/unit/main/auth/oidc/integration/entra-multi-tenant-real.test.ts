/**
 * Multi-tenant Microsoft Entra ID against a real OP: oidc-provider as one Entra tenant (issuer
 * `<origin>/<tenant>/v2.0`, `tid` in its tokens), with Entra's `/organizations/v2.0` and
 * `/common/v2.0` discovery in front (the tenant's document, issuer `<origin>/{tenantid}/v2.0`).
 * Chromium does the login. Sign-in, refresh at the next launch and by the relying party,
 * allowedTenants, and the template refused for another preset.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { oidcProviderConfig } from '../../../../../../main/auth/oidc/oidc-config';
import { OidcRelyingParty } from '../../../../../../main/auth/oidc/oidc-relying-party';
import { SsoService } from '../../../../../../main/auth/sso-service';
import { AppError } from '../../../../../../main/errors';
import type { AuthSurface, CallbackRequest } from '../../../../../../main/platform';
import { chromiumLaunchOptions } from '../../../../../host/chromium';
import { signInAtOidcProvider, waitForRequest } from '../../../../../idp/oidc/browser-login';
import {
  ENTRA_APP_ROLES,
  ENTRA_TENANT_ID,
  startOidcProvider,
  type OidcTestProvider,
  type OidcTestUser,
} from '../../../../../idp/oidc/oidc-provider';
import { expectRefusal, REDIRECT_URI, silentLog, testTokenStore } from './support';

const OTHER_TENANT = 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6';

let browser: Browser;
let provider: OidcTestProvider;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [browser, provider] = await Promise.all([
    chromium.launch({ ...chromiumLaunchOptions(), headless: true }),
    startOidcProvider({ style: 'entra', tenantId: ENTRA_TENANT_ID, multiTenantDiscovery: true }),
  ]);
}, 20_000);

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  await provider?.stop();
});

function config(extra: Partial<z.input<typeof oidcProviderConfig>> = {}) {
  return oidcProviderConfig.parse({
    id: 'entra',
    displayName: 'Microsoft Entra ID',
    preset: 'entra',
    issuer: provider.multiTenantIssuer('organizations'),
    clientId: provider.clientId,
    roleMapping: { [ENTRA_APP_ROLES.admin]: ['admin'], [ENTRA_APP_ROLES.viewer]: ['viewer'] },
    ...extra,
  });
}

function user(name: string): OidcTestUser {
  const found = provider.users.find((u) => u.username === name);
  if (!found) throw new Error(`no user ${name}`);
  return found;
}

async function loginInChromium(url: string, who: OidcTestUser, callbackUrl = REDIRECT_URI): Promise<string> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const redirected = waitForRequest(page, callbackUrl, { timeoutMs: 15_000 });
  void page.goto(url).catch(() => undefined);
  await signInAtOidcProvider(page, who.username, who.password);
  return redirected;
}

/** The auth window: the provider's login page in Chromium. */
class ChromiumAuthSurface implements AuthSurface {
  constructor(private readonly who: OidcTestUser) {}
  async open(options: Parameters<AuthSurface['open']>[0]): Promise<CallbackRequest> {
    return { method: 'GET', url: await loginInChromium(options.url, this.who, options.callbackUrl), body: null };
  }
  async clearPartition(): Promise<void> {}
}

function launch(store: Awaited<ReturnType<typeof testTokenStore>>['store'], who: OidcTestUser, extra = {}): SsoService {
  return new SsoService({
    saml: [],
    oidc: [config(extra)],
    surface: new ChromiumAuthSurface(who),
    browser: null,
    oidcStore: store,
    log: silentLog,
  });
}

describe('real OP behind Entra’s multi-tenant discovery, Chromium login', () => {
  it('the discovery document names the template issuer, as Entra’s does', async () => {
    const response = await fetch(`${provider.multiTenantIssuer('organizations')}/.well-known/openid-configuration`);
    const document = (await response.json()) as { issuer: string; token_endpoint: string };
    expect(document.issuer).toBe(`${new URL(provider.issuer).origin}/{tenantid}/v2.0`);
    expect(document.token_endpoint.startsWith(provider.issuer)).toBe(true);
  });

  it('/organizations: alice signs in; iss is her tenant’s, with its RFC 9207 iss; refresh by the relying party', async () => {
    const rp = new OidcRelyingParty(config());
    const { url, checks } = await rp.startLogin(REDIRECT_URI);
    const callback = await loginInChromium(url, user('alice'));
    expect(new URL(callback).searchParams.get('iss')).toBe(provider.issuer);
    const tokens = await rp.finishLogin(callback, checks);
    expect(tokens.claims).toMatchObject({
      sub: user('alice').sub,
      iss: `${new URL(provider.issuer).origin}/${ENTRA_TENANT_ID}/v2.0`,
      tid: ENTRA_TENANT_ID,
      aud: provider.clientId,
      roles: [ENTRA_APP_ROLES.admin],
    });
    const refreshed = await rp.refresh(tokens.refreshToken!, user('alice').sub);
    expect(refreshed.claims).toMatchObject({ tid: ENTRA_TENANT_ID, iss: provider.issuer });
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(provider.serverErrors).toEqual([]);
  });

  it('/common with allowedTenants: a window-mode sign-in, then a silent, rotating refresh at the next launch', async () => {
    const { store } = await testTokenStore();
    const extra = { issuer: provider.multiTenantIssuer('common'), allowedTenants: [ENTRA_TENANT_ID] };
    const first = launch(store, user('bob'), extra);
    const identity = await first.signIn('entra');
    await first.flush();
    first.stopRefresh();
    expect(identity).toMatchObject({ providerId: 'entra', subject: user('bob').sub, roles: ['viewer'] });
    const kept = store.load();
    expect(kept?.refreshToken).toBeTruthy();

    const next = launch(store, user('bob'), extra);
    const restored = await next.restore();
    next.stopRefresh();
    expect(restored).toMatchObject({ identity: { subject: user('bob').sub, roles: ['viewer'] } });
    expect(store.load()?.refreshToken).not.toBe(kept?.refreshToken);
    expect(provider.serverErrors).toEqual([]);
  });

  it('a tenant outside allowedTenants: OIDC_TENANT_NOT_ALLOWED with the tenant to add, nothing kept', async () => {
    const { store } = await testTokenStore();
    const sso = launch(store, user('alice'), { allowedTenants: [OTHER_TENANT] });
    const error = await sso.signIn('entra').catch((e: unknown) => e);
    sso.stopRefresh();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toContain(`tenant ID ${ENTRA_TENANT_ID}`);
    expect((error as AppError).message).toMatch(/\(OIDC_TENANT_NOT_ALLOWED\)$/);
    expect(store.load()).toBeNull();
  });

  it('the same /organizations issuer with the generic preset: discovery refused, OIDC_ISSUER', async () => {
    const rp = new OidcRelyingParty(config({ preset: 'generic' }));
    await expectRefusal(rp.startLogin(REDIRECT_URI), 'OIDC_ISSUER');
  });
});
