/**
 * SsoService, issue 15: "Use another account" and re-authentication make the IdP ask whatever its
 * session (SAML ForceAuthn, OIDC prompt), the sign-in window's partition is kept on disk only when
 * policy allows and cleared at sign-out, everyone who signs in is recorded for the Users screen,
 * and an administrator can end what is kept for someone's next sign-in (refresh token revoked at
 * the IdP and deleted, IdP cookies cleared).
 *
 * The window is a port: a scripted stand-in here (the real ones run in e2e); the OIDC provider is
 * the rogue OP, a real HTTP server.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AppError } from '../../../../main/errors';
import { AuthCancelledError, type AuthSurface, type CallbackRequest } from '../../../../main/platform';
import { samlProviderConfig } from '../../../../main/auth/saml/saml-config';
import { SsoService } from '../../../../main/auth/sso-service';
import { SsoPeople } from '../../../../main/auth/sso-people';
import { OidcTokenStore } from '../../../../main/auth/oidc/oidc-token-store';
import { oidcProviderConfig } from '../../../../main/auth/oidc/oidc-config';
import { interactionPrompt } from '../../../../main/auth/oidc/oidc-relying-party';
import type { SsoIdentity } from '../../../../main/auth/sso-identity';
import { ROGUE_OP_SUB, startRogueOp, type RogueOp } from '../../../idp/oidc/rogue-op';
import { FakeClock, openTestVault } from '../../helpers';

const CERT = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(120)}\n-----END CERTIFICATE-----`;
const silentLog = { info: () => undefined, error: () => undefined };

const corp = samlProviderConfig.parse({
  id: 'corp',
  displayName: 'Corp IdP',
  idpSsoUrl: 'https://idp.example.com/sso',
  idpEntityId: 'https://idp.example.com',
  idpCertificates: [CERT],
  groupRoles: { staff: ['viewer'] },
});

/** Records what the service asked the window for; answers with a closed window (or `answer`). */
class RecordingSurface implements AuthSurface {
  opened: Array<Parameters<AuthSurface['open']>[0]> = [];
  cleared: string[] = [];
  constructor(
    private readonly answer: (o: Parameters<AuthSurface['open']>[0]) => Promise<CallbackRequest> = () =>
      Promise.reject(new AuthCancelledError()),
  ) {}
  open(options: Parameters<AuthSurface['open']>[0]): Promise<CallbackRequest> {
    this.opened.push(options);
    return this.answer(options);
  }
  async clearPartition(partition: string): Promise<void> {
    this.cleared.push(partition);
  }
}

/** The AuthnRequest XML a SAML sign-in sent (HTTP-Redirect binding: deflated, base64, in the URL). */
function authnRequestOf(url: string): string {
  const encoded = new URL(url).searchParams.get('SAMLRequest')!;
  return inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
}

async function samlService(surface: AuthSurface, keepIdpSignIn?: boolean) {
  const { vault } = await openTestVault();
  return new SsoService({
    saml: [corp],
    oidc: [],
    surface,
    browser: null,
    oidcStore: new OidcTokenStore(vault),
    log: silentLog,
    ...(keepIdpSignIn === undefined ? {} : { keepIdpSignIn }),
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

describe('SAML: ForceAuthn for another account and re-authentication', () => {
  it('an ordinary sign-in lets the IdP answer from its session (no ForceAuthn)', async () => {
    const surface = new RecordingSurface();
    await appErrorOf((await samlService(surface)).signIn('corp'));
    expect(authnRequestOf(surface.opened[0]!.url)).not.toContain('ForceAuthn');
  });

  it.each(['switch-account', 'reauthenticate'] as const)('%s sends ForceAuthn="true"', async (interaction) => {
    const surface = new RecordingSurface();
    await appErrorOf((await samlService(surface)).signIn('corp', { interaction }));
    const request = authnRequestOf(surface.opened[0]!.url);
    expect(request).toMatch(/ForceAuthn="true"/);
    // Otherwise the same request: same ACS URL, a fresh ID.
    expect(request).toContain('AssertionConsumerServiceURL="https://portico.invalid/saml/corp/acs"');
  });
});

describe('the sign-in window’s partition', () => {
  it('is in memory unless policy keeps it (session.keepIdpSignIn)', async () => {
    const memory = new RecordingSurface();
    await appErrorOf((await samlService(memory)).signIn('corp'));
    expect(memory.opened[0]).toMatchObject({ partition: 'sso-corp', persistent: false });

    const kept = new RecordingSurface();
    await appErrorOf((await samlService(kept, true)).signIn('corp'));
    expect(kept.opened[0]).toMatchObject({ partition: 'sso-corp', persistent: true });
  });

  it('kept: single logout runs in the kept partition, and sign-out clears it', async () => {
    const withSlo = samlProviderConfig.parse({ ...corp, sloUrl: 'https://idp.example.com/slo' });
    const { vault } = await openTestVault();
    const surface = new RecordingSurface();
    const sso = new SsoService({
      saml: [withSlo],
      oidc: [],
      surface,
      browser: null,
      oidcStore: new OidcTokenStore(vault),
      log: silentLog,
      keepIdpSignIn: true,
    });
    await sso.signOut({ protocol: 'saml', providerId: 'corp', nameId: 'n', nameIdFormat: null, sessionIndex: 'idx' });
    expect(surface.opened[0]).toMatchObject({ partition: 'sso-corp', persistent: true });
    expect(surface.cleared).toEqual(['sso-corp']);
  });

  it('at launch, when policy no longer keeps it, what an earlier start kept is cleared; when it does, nothing is', async () => {
    const off = new RecordingSurface();
    await (await samlService(off, false)).forgetKeptPartitionsUnlessAllowed();
    expect(off.cleared).toEqual(['sso-corp']);

    const on = new RecordingSurface();
    await (await samlService(on, true)).forgetKeptPartitionsUnlessAllowed();
    expect(on.cleared).toEqual([]);
  });
});

describe('OIDC prompt for an interaction (OIDC Core 3.1.2.1)', () => {
  it('asks to log in again for re-authentication, whatever the provider', () => {
    for (const preset of ['generic', 'entra', 'google', 'okta', 'keycloak'] as const) {
      expect(interactionPrompt('reauthenticate', preset)).toBe('login');
    }
  });

  it('shows the account chooser where the provider has one, else asks to log in', () => {
    expect(interactionPrompt('switch-account', 'google')).toBe('select_account');
    expect(interactionPrompt('switch-account', 'entra')).toBe('select_account');
    expect(interactionPrompt('switch-account', 'generic')).toBe('login');
    expect(interactionPrompt('switch-account', 'okta')).toBe('login');
  });

  it('keeps IT’s consent, drops IT’s none (the IdP must ask)', () => {
    expect(interactionPrompt('switch-account', 'google', 'consent')).toBe('select_account consent');
    expect(interactionPrompt('reauthenticate', 'generic', 'none')).toBe('login');
  });
});

describe('OIDC: the prompt reaches the IdP, the people are recorded, and an admin ends a kept sign-in', () => {
  let op: RogueOp;
  beforeAll(async () => {
    op = await startRogueOp({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: ['portico-admin'], name: 'Rogue User' }) });
  });
  afterAll(() => op.stop());

  /** The auth window's stand-in for an OP without a login page: follows its redirect to the callback. */
  class RedirectFollowingSurface extends RecordingSurface {
    constructor() {
      super(async (options) => {
        const response = await fetch(options.url, { redirect: 'manual' });
        return { method: 'GET', url: response.headers.get('location') ?? '', body: null };
      });
    }
  }

  async function oidcService(keepIdpSignIn = true) {
    const { vault } = await openTestVault();
    const clock = new FakeClock();
    const people = new SsoPeople(vault, () => clock.now());
    const surface = new RedirectFollowingSurface();
    const store = new OidcTokenStore(vault);
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
      surface,
      browser: null,
      oidcStore: store,
      log: silentLog,
      keepIdpSignIn,
      people,
      clock,
    });
    onTestFinished(() => sso.stopRefresh());
    return { sso, surface, store, people, clock, vault };
  }

  const authorizeParams = () =>
    op.requests.filter((r) => r.path === '/authorize').map((r) => new URLSearchParams(r.query).get('prompt'));

  it('an ordinary sign-in sends no prompt; another account and re-authentication send prompt=login', async () => {
    const { sso } = await oidcService();
    const before = authorizeParams().length;
    await sso.signIn('rogue');
    await sso.signIn('rogue', { interaction: 'switch-account' });
    await sso.signIn('rogue', { interaction: 'reauthenticate' });
    await sso.flush();
    expect(authorizeParams().slice(before)).toEqual([null, 'login', 'login']);
  });

  it('records who signed in: provider, first and last sign-in, roles and groups; a refresh is not a sign-in', async () => {
    const { sso, people, clock } = await oidcService();
    const first = clock.t;
    await sso.signIn('rogue');
    clock.advance(60_000);
    await sso.signIn('rogue');
    clock.advance(60_000);
    await sso.refreshKeptSignIn();
    expect(sso.people()).toEqual([
      {
        id: `rogue:${ROGUE_OP_SUB}`,
        providerId: 'rogue',
        providerName: 'Rogue OP',
        protocol: 'oidc',
        username: expect.any(String),
        displayName: 'Rogue User',
        firstSignInAt: first,
        lastSignInAt: first + 60_000,
        roles: ['admin'],
        groups: ['portico-admin'],
        idpCookies: true,
        refreshTokenKept: true,
      },
    ]);
    expect(people.list()).toHaveLength(1);
  });

  it('an admin ends someone’s kept sign-in: the refresh token is revoked at the IdP and deleted, the IdP cookies cleared', async () => {
    const { sso, store, surface } = await oidcService();
    await sso.signIn('rogue');
    await sso.flush();
    const token = store.load()!.refreshToken;
    const ended = await sso.endPersonsKeptSignIn(`rogue:${ROGUE_OP_SUB}`);
    expect(ended).toEqual({ refreshTokenRevoked: true, idpCookiesCleared: true });
    const revoked = op.requests.filter((r) => r.path === '/revoke').map((r) => new URLSearchParams(r.body).get('token'));
    expect(revoked).toContain(token);
    expect(store.load()).toBeNull();
    expect(surface.cleared).toEqual(['sso-rogue']);
    expect(sso.people()[0]).toMatchObject({ refreshTokenKept: false, idpCookies: false });
    // Nothing left to end: a second time changes nothing and says so.
    expect(await sso.endPersonsKeptSignIn(`rogue:${ROGUE_OP_SUB}`)).toEqual({
      refreshTokenRevoked: false,
      idpCookiesCleared: false,
    });
  });

  it('refuses to end the kept sign-in of someone who never signed in here', async () => {
    const { sso } = await oidcService();
    expect(await appErrorOf(sso.endPersonsKeptSignIn('rogue:nobody'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('without a kept partition, no IdP cookies are recorded as kept', async () => {
    const { sso } = await oidcService(false);
    await sso.signIn('rogue');
    await sso.flush();
    expect(sso.people()[0]).toMatchObject({ idpCookies: false });
  });
});

describe('SsoPeople', () => {
  const identity = (subject: string, providerId = 'corp'): SsoIdentity => ({
    protocol: 'saml',
    providerId,
    providerName: 'Corp IdP',
    subject,
    username: `${subject}@corp.test`,
    displayName: subject,
    email: null,
    verifiedEmail: null,
    roles: ['viewer'],
    groups: ['Staff'],
    idpSessionEndsAt: null,
    logout: { protocol: 'saml', providerId, nameId: subject, nameIdFormat: null, sessionIndex: null },
  });

  it('the IdP cookies in a kept partition belong to whoever signed in there last', async () => {
    const { vault } = await openTestVault();
    const people = new SsoPeople(vault, () => 1);
    await people.signedIn(identity('ann'), { viaKeptWindow: true });
    await people.signedIn(identity('ben'), { viaKeptWindow: true });
    await people.signedIn(identity('cid', 'other'), { viaKeptWindow: true });
    const kept = Object.fromEntries(people.list().map((p) => [p.id, p.idpCookies]));
    expect(kept).toEqual({ 'corp:ann': false, 'corp:ben': true, 'other:cid': true });
    await people.partitionCleared('corp');
    expect(people.get('corp:ben')?.idpCookies).toBe(false);
    expect(people.get('other:cid')?.idpCookies).toBe(true);
  });

  it('drops a damaged entry instead of failing; keeps the others', async () => {
    const { vault } = await openTestVault();
    const people = new SsoPeople(vault, () => 1);
    await people.signedIn(identity('ann'), { viaKeptWindow: false });
    await vault.update((doc) => {
      const stored = JSON.parse(doc.secrets['sso-people']!) as Record<string, unknown>;
      stored['corp:bad'] = { id: 'corp:bad', roles: ['superuser'] };
      doc.secrets['sso-people'] = JSON.stringify(stored);
    });
    expect(people.list().map((p) => p.id)).toEqual(['corp:ann']);
    await vault.update((doc) => {
      doc.secrets['sso-people'] = '{not json';
    });
    expect(people.list()).toEqual([]);
    await people.signedIn(identity('ben'), { viaKeptWindow: false });
    expect(people.list().map((p) => p.id)).toEqual(['corp:ben']);
  });

  it('is bounded: past its limit, the longest unseen are forgotten', async () => {
    const { vault } = await openTestVault();
    let t = 0;
    const people = new SsoPeople(vault, () => ++t, 3);
    for (const name of ['a', 'b', 'c', 'd']) await people.signedIn(identity(name), { viaKeptWindow: false });
    expect(people.list().map((p) => p.id)).toEqual(['corp:d', 'corp:c', 'corp:b']);
  });
});
