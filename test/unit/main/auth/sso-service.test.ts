/**
 * SsoService's own logic: provider listing, discovery, one attempt at a time, and what the
 * user is told when the sign-in window fails. The window is a port: here a scripted
 * stand-in (ScriptedAuthSurface); the real ones run in e2e (test host) and in the app.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { AppError } from '../../../../main/errors';
import {
  AuthCancelledError,
  AuthTimeoutError,
  type AuthSurface,
  type CallbackRequest,
  type Logger,
} from '../../../../main/platform';
import { samlProviderConfig } from '../../../../main/auth/saml/saml-config';
import { SsoService } from '../../../../main/auth/sso-service';
import { OidcTokenStore } from '../../../../main/auth/oidc/oidc-token-store';
import { oidcProviderConfig } from '../../../../main/auth/oidc/oidc-config';
import { VaultError } from '../../../../main/vault/vault';
import { ROGUE_OP_SUB, startRogueOp, type RogueOp } from '../../../idp/oidc/rogue-op';
import { openTestVault } from '../../helpers';

const CERT = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(120)}\n-----END CERTIFICATE-----`;

function provider(id: string, domains: string[]) {
  return samlProviderConfig.parse({
    id,
    displayName: `${id} IdP`,
    idpSsoUrl: 'https://idp.example.com/sso',
    idpEntityId: 'https://idp.example.com',
    idpCertificates: [CERT],
    emailDomains: domains,
    groupRoles: { staff: ['viewer'] },
  });
}

/** Answers `open` with whatever the test scripts: an error, a request, or never. */
class ScriptedAuthSurface implements AuthSurface {
  opened: Array<Parameters<AuthSurface['open']>[0]> = [];
  cleared: string[] = [];
  constructor(private readonly answer: (options: Parameters<AuthSurface['open']>[0]) => Promise<CallbackRequest>) {}
  open(options: Parameters<AuthSurface['open']>[0]): Promise<CallbackRequest> {
    this.opened.push(options);
    return this.answer(options);
  }
  async clearPartition(partition: string): Promise<void> {
    this.cleared.push(partition);
  }
}

const silentLog = { info: () => undefined, error: () => undefined };

/** An SsoService for SAML providers; its OIDC token store sits in a real (empty) vault. */
async function samlService(providers: ReturnType<typeof provider>[], surface: AuthSurface | null): Promise<SsoService> {
  const { vault } = await openTestVault();
  return new SsoService({
    saml: providers,
    oidc: [],
    surface,
    browser: null,
    oidcStore: new OidcTokenStore(vault),
    log: silentLog,
  });
}

async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('SsoService', () => {
  it('lists providers in configuration order and discovers them by email domain', async () => {
    const sso = await samlService([provider('a', ['a.test']), provider('b', ['b.test'])], null);
    expect(sso.list()).toEqual([
      { id: 'a', displayName: 'a IdP', protocol: 'saml' },
      { id: 'b', displayName: 'b IdP', protocol: 'saml' },
    ]);
    expect(sso.discover('x@B.test')).toEqual({ id: 'b', displayName: 'b IdP', protocol: 'saml' });
    expect(sso.discover('x@c.test')).toBeNull();
  });

  it('opens the IdP in the provider’s own partition and waits for its ACS URL, at most 5 minutes', async () => {
    const surface = new ScriptedAuthSurface(() => Promise.reject(new AuthCancelledError()));
    const sso = await samlService([provider('corp', [])], surface);
    await appErrorOf(sso.signIn('corp'));
    expect(surface.opened).toHaveLength(1);
    const options = surface.opened[0]!;
    expect(options.url.startsWith('https://idp.example.com/sso?SAMLRequest=')).toBe(true);
    expect(options.callbackUrl).toBe('https://portico.invalid/saml/corp/acs');
    expect(options.partition).toBe('sso-corp');
    expect(options.timeoutMs).toBe(5 * 60_000);
  });

  it('says "cancelled" when the window is closed and "timed out" when nobody answers', async () => {
    const cancelled = await samlService(
      [provider('corp', [])],
      new ScriptedAuthSurface(() => Promise.reject(new AuthCancelledError())),
    );
    expect(await appErrorOf(cancelled.signIn('corp'))).toMatchObject({
      code: 'SSO_CANCELLED',
      message: expect.stringContaining('Sign-in cancelled'),
    });

    const late = await samlService(
      [provider('corp', [])],
      new ScriptedAuthSurface((o) => Promise.reject(new AuthTimeoutError(o.timeoutMs))),
    );
    expect(await appErrorOf(late.signIn('corp'))).toMatchObject({
      code: 'SSO_TIMEOUT',
      message: expect.stringContaining('5 minutes'),
    });
  });

  it('refuses a GET or an empty POST at the ACS URL as a malformed response', async () => {
    const sso = await samlService(
      [provider('corp', [])],
      new ScriptedAuthSurface(async (o) => ({ method: 'GET', url: o.callbackUrl, body: null })),
    );
    expect(await appErrorOf(sso.signIn('corp'))).toMatchObject({
      code: 'SSO_REFUSED',
      message: expect.stringContaining('SAML_MALFORMED'),
    });
  });

  it('runs one sign-in at a time and can cancel it', async () => {
    const surface = new ScriptedAuthSurface(
      (o) => new Promise((_resolve, reject) => o.signal?.addEventListener('abort', () => reject(new AuthCancelledError()))),
    );
    const sso = await samlService([provider('corp', [])], surface);
    const first = sso.signIn('corp');
    await expect.poll(() => surface.opened.length).toBe(1);
    expect(await appErrorOf(sso.signIn('corp'))).toMatchObject({ code: 'SSO_IN_PROGRESS' });
    sso.cancel();
    expect(await appErrorOf(first)).toMatchObject({ code: 'SSO_CANCELLED' });
    // Afterwards a new attempt may start.
    const again = sso.signIn('corp');
    await expect.poll(() => surface.opened.length).toBe(2);
    sso.cancel();
    await appErrorOf(again);
  });

  it('refuses an unknown provider and works without any window for listing only', async () => {
    const sso = await samlService([provider('corp', [])], null);
    expect(await appErrorOf(sso.signIn('other'))).toMatchObject({ code: 'UNKNOWN_PROVIDER' });
    expect(await appErrorOf(sso.signIn('corp'))).toMatchObject({ code: 'APP_UNAVAILABLE' });
  });

  it('single logout: without an SLO URL nothing opens, but the partition is still forgotten', async () => {
    const surface = new ScriptedAuthSurface(() => Promise.reject(new Error('must not open')));
    const sso = await samlService([provider('corp', [])], surface);
    await sso.signOut({ protocol: 'saml', providerId: 'corp', nameId: 'n', nameIdFormat: null, sessionIndex: null });
    expect(surface.opened).toHaveLength(0);
    expect(surface.cleared).toEqual(['sso-corp']);
  });

  it('single logout never throws, even when the IdP does not answer', async () => {
    const withSlo = samlProviderConfig.parse({ ...provider('corp', []), sloUrl: 'https://idp.example.com/slo' });
    const surface = new ScriptedAuthSurface((o) => Promise.reject(new AuthTimeoutError(o.timeoutMs)));
    const sso = await samlService([withSlo], surface);
    // It resolves with what to tell the person (the IdP did not confirm), never with an error.
    await expect(
      sso.signOut({ protocol: 'saml', providerId: 'corp', nameId: 'n', nameIdFormat: null, sessionIndex: 'idx' }),
    ).resolves.toContain('SAML_LOGOUT_FAILED');
    expect(surface.opened[0]!.url.startsWith('https://idp.example.com/slo?SAMLRequest=')).toBe(true);
    expect(surface.opened[0]!.callbackUrl).toBe('https://portico.invalid/saml/corp/slo');
    expect(surface.cleared).toEqual(['sso-corp']);
  });
});

/**
 * An OIDC sign-in's refresh token is written to the vault beside the session start, not before
 * it: the session is ready first. Nothing relies on the kept token until the next refresh,
 * sign-out or launch, and each of those waits for the write. A slow or failing disk cannot be
 * made on demand here (tests run as root), so the store's writes are held or failed by stand-ins.
 */
describe('SsoService: the OIDC sign-in kept beside the session start', () => {
  let op: RogueOp;
  beforeAll(async () => {
    op = await startRogueOp({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: ['portico-admin'] }) });
  });
  afterAll(() => op.stop());

  /** Stand-in for a slow disk: each save waits until the test releases it. */
  class SlowDiskTokenStore extends OidcTokenStore {
    private releases: Array<() => void> = [];
    pending = 0;
    override async save(entry: Parameters<OidcTokenStore['save']>[0]): Promise<void> {
      this.pending++;
      await new Promise<void>((resolve) => this.releases.push(resolve));
      await super.save(entry);
      this.pending--;
    }
    release(): void {
      for (const resolve of this.releases.splice(0)) resolve();
    }
  }

  /** Stand-in for a full disk: every save fails as the vault's write does (VAULT_WRITE_FAILED). */
  class FullDiskTokenStore extends OidcTokenStore {
    override async save(): Promise<void> {
      throw new VaultError('VAULT_WRITE_FAILED', 'Portico could not save its vault (ENOSPC). Nothing was changed.');
    }
  }

  function oidcService(store: OidcTokenStore, log: Logger = silentLog) {
    const sso = new SsoService({
      saml: [],
      oidc: [
        oidcProviderConfig.parse({
          id: 'rogue',
          displayName: 'Rogue OP',
          issuer: op.issuer,
          clientId: op.clientId,
          roleMapping: { 'portico-admin': ['admin'] },
        }),
      ],
      surface: new RedirectFollowingSurface(),
      browser: null,
      oidcStore: store,
      log,
    });
    onTestFinished(() => sso.stopRefresh());
    return sso;
  }

  it('the sign-in answers before the token is on disk; a refresh and a sign-out wait for it, and use it', async () => {
    const { vault } = await openTestVault();
    const store = new SlowDiskTokenStore(vault);
    const sso = oidcService(store);
    const identity = await sso.signIn('rogue');
    expect(identity).toMatchObject({ subject: ROGUE_OP_SUB, roles: ['admin'] });
    await vi.waitFor(() => expect(store.pending).toBe(1));
    expect(store.load()).toBeNull(); // not yet written: the session did not wait

    const refreshed = sso.refreshKeptSignIn();
    const signedOut = refreshed.then(() => sso.signOut({ protocol: 'oidc', providerId: 'rogue', sub: ROGUE_OP_SUB }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refreshesBefore = op.requests.filter((r) => r.path === '/token' && r.body?.includes('refresh_token')).length;
    expect(refreshesBefore).toBe(0); // waiting for the write, not refreshing with nothing
    store.release();
    // The refresh goes out with the token the sign-in kept; its rotated token is written next.
    const refreshRequest = () => op.requests.find((r) => r.path === '/token' && r.body?.includes('grant_type=refresh_token'));
    await vi.waitFor(() => expect(refreshRequest()).toBeDefined());
    await vi.waitFor(() => expect(store.pending).toBe(1));
    const refresh = refreshRequest();
    expect(store.load()?.refreshToken).toBe(new URLSearchParams(refresh!.body).get('refresh_token'));
    store.release();
    await refreshed;
    const kept = store.load();
    expect(kept?.refreshToken).toBeTruthy();
    expect(new URLSearchParams(refresh!.body).get('refresh_token')).not.toBe(kept?.refreshToken);
    await signedOut;
    const revoked = op.requests.find((r) => r.path === '/revoke');
    expect(new URLSearchParams(revoked?.body).get('token')).toBe(kept?.refreshToken);
    expect(store.load()).toBeNull();
  });

  it('a write that fails: the sign-in still stands, the failure is logged, no earlier sign-in is left kept in its place', async () => {
    const { vault } = await openTestVault();
    const earlier = new OidcTokenStore(vault);
    await earlier.save({
      providerId: 'rogue',
      sub: 'someone-earlier',
      refreshToken: 'earlier-refresh-token',
      idToken: null,
      identity: {
        subject: 'someone-earlier',
        username: 'earlier',
        displayName: 'Earlier',
        roles: ['viewer'],
        groups: [],
        verifiedEmail: null,
      },
      confirmedAt: Date.now(),
    });
    const logged: Array<[string, Record<string, unknown> | undefined]> = [];
    const sso = oidcService(new FullDiskTokenStore(vault), { info: () => undefined, error: (m, f) => logged.push([m, f]) });
    await expect(sso.signIn('rogue')).resolves.toMatchObject({ subject: ROGUE_OP_SUB });
    await sso.flush();
    expect(logged).toEqual([
      ['OIDC sign-in could not be kept for the next launch (vault write failed)', expect.objectContaining({ provider: 'rogue' })],
    ]);
    expect(earlier.load()).toBeNull();
    expect(JSON.stringify(logged)).not.toMatch(/refresh-token|eyJ/);
  });
});

/** The auth window's stand-in for an OP without a login page: follows its redirect to the callback. */
class RedirectFollowingSurface implements AuthSurface {
  async open(options: Parameters<AuthSurface['open']>[0]): Promise<CallbackRequest> {
    const response = await fetch(options.url, { redirect: 'manual' });
    return { method: 'GET', url: response.headers.get('location') ?? '', body: null };
  }
  async clearPartition(): Promise<void> {}
}
