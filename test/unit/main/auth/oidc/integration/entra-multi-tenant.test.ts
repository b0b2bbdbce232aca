/**
 * Multi-tenant Microsoft Entra ID (issue 5, "Entra specifics"): an entra provider configured with
 * `.../organizations/v2.0` or `.../common/v2.0`, whose discovery names the template issuer
 * `.../{tenantid}/v2.0` and whose ID tokens say iss `.../<tid>/v2.0` with their user's `tid`.
 *
 * Against the rogue OP in its Entra-like mode: a sign-in from a tenant, allowedTenants, each
 * tenant refusal with its own code and nothing kept, openid-client's checks still applied to the
 * tenant's token, the template issuer refused where it does not belong (another preset, a tenant
 * issuer), RFC 9207 `iss`, and refresh (at launch and by the relying party) with tid-based iss.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../../../../main/errors';
import type { OidcRefusal } from '../../../../../../main/auth/oidc/oidc-errors';
import { OidcRelyingParty } from '../../../../../../main/auth/oidc/oidc-relying-party';
import { OidcSignIn } from '../../../../../../main/auth/oidc/oidc-sign-in';
import { SsoService } from '../../../../../../main/auth/sso-service';
import { ROGUE_OP_SUB, type IdTokenContext, type RogueOp } from '../../../../../idp/oidc/rogue-op';
import {
  ADMIN_CLAIM,
  authorize,
  expectRefusal,
  signInKept,
  FetchingAuthSurface,
  rogueConfig,
  signedByStranger,
  silentLog,
  testTokenStore,
  useRogueOp,
} from './support';

/** The signed-in user's tenant, and another one. */
const CONTOSO = 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6';
const FABRIKAM = 'c0ffee00-0000-4000-8000-0000000000aa';

const rogue = useRogueOp({ entra: { tenantId: CONTOSO }, idToken: withAdmin });

const started: SsoService[] = [];
afterEach(() => {
  for (const sso of started.splice(0)) sso.stopRefresh();
});

/** The OP's ID token (iss and tid of the user's tenant by default), with a role mapped to admin. */
function withAdmin(ctx: IdTokenContext, overrides: Record<string, unknown> = {}): Promise<string> {
  return ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], ...overrides });
}

type Extra = Parameters<typeof rogueConfig>[1];

/** Portico's entra provider for the rogue OP, multi-tenant (/organizations) unless told otherwise. */
function entraConfig(op: RogueOp, extra: Extra = {}) {
  return rogueConfig(op, {
    id: 'entra',
    displayName: 'Contoso Entra',
    preset: 'entra',
    issuer: op.entraIssuer('organizations'),
    ...extra,
  });
}

function entraRp(op: RogueOp, extra: Extra = {}): OidcRelyingParty {
  return new OidcRelyingParty(entraConfig(op, extra));
}

/** What the OP was asked, by endpoint (the tenant path left out). */
function endpoints(op: RogueOp): string[] {
  return op.requests.map((r) => r.path.replace(/^\/[^/]+\/v2\.0/, ''));
}

function tokenRequestCount(op: RogueOp): number {
  return endpoints(op).filter((path) => path === '/token').length;
}

async function signInFlow(op: RogueOp, extra: Extra = {}) {
  const setup = await testTokenStore();
  const signIn = new OidcSignIn(entraConfig(op, extra), {
    surface: new FetchingAuthSurface(),
    browser: null,
    store: setup.store,
    now: Date.now,
  });
  return { ...setup, signIn };
}

/** A whole window-mode sign-in refused with `code`: nothing kept, one token request (the answer was judged). */
async function expectSignInRefused(op: RogueOp, code: OidcRefusal, extra: Extra = {}): Promise<string> {
  const { store, signIn } = await signInFlow(op, extra);
  const error = await expectRefusal(signInKept(signIn), code);
  expect(store.load()).toBeNull();
  expect(tokenRequestCount(op)).toBe(1);
  return error.detail;
}

function launch(op: RogueOp, setup: Awaited<ReturnType<typeof testTokenStore>>, extra: Extra = {}): SsoService {
  const sso = new SsoService({
    saml: [],
    oidc: [entraConfig(op, extra)],
    surface: new FetchingAuthSurface(),
    browser: null,
    oidcStore: setup.store,
    log: silentLog,
  });
  started.push(sso);
  return sso;
}

describe('sign-in through a multi-tenant issuer', () => {
  it('/organizations, no allowedTenants: a user of any tenant signs in; the token’s iss is its tenant’s', async () => {
    const op = rogue();
    const rp = entraRp(op);
    const { callback, checks } = await authorize(rp);
    const tokens = await rp.finishLogin(callback, checks);
    expect(tokens.claims).toMatchObject({ iss: op.entraIssuer(CONTOSO), tid: CONTOSO, sub: ROGUE_OP_SUB });
    // Discovery at /organizations, one code exchange, the signature checked against the JWKS.
    expect(op.requests.map((r) => r.path)).toEqual([
      '/organizations/v2.0/.well-known/openid-configuration',
      '/organizations/v2.0/authorize',
      '/organizations/v2.0/token',
      '/organizations/v2.0/jwks',
    ]);

    const { store, signIn } = await signInFlow(op);
    const identity = await signInKept(signIn);
    expect(identity).toMatchObject({ providerId: 'entra', subject: ROGUE_OP_SUB, roles: ['admin'] });
    expect(store.load()).toMatchObject({ providerId: 'entra', sub: ROGUE_OP_SUB });
  });

  it('/common with allowedTenants: the listed tenants sign in, in any letter case', async () => {
    const { signIn, store } = await signInFlow(rogue(), {
      issuer: rogue().entraIssuer('common'),
      allowedTenants: [FABRIKAM, CONTOSO.toUpperCase()],
    });
    await expect(signInKept(signIn)).resolves.toMatchObject({ roles: ['admin'] });
    expect(store.load()).not.toBeNull();
    expect(rogue().requests[0]?.path).toBe('/common/v2.0/.well-known/openid-configuration');
  });

  it('one relying party, two sign-ins: the JWKS is fetched once (shared by the tenant configurations)', async () => {
    const rp = entraRp(rogue());
    for (let i = 0; i < 2; i++) {
      const { callback, checks } = await authorize(rp);
      await rp.finishLogin(callback, checks);
    }
    expect(endpoints(rogue()).filter((path) => path === '/jwks')).toHaveLength(1);
    expect(tokenRequestCount(rogue())).toBe(2);
  });

  it('a tenant issuer still works as a single tenant (its discovery names itself)', async () => {
    const { signIn } = await signInFlow(rogue(), { issuer: rogue().entraIssuer(CONTOSO) });
    await expect(signInKept(signIn)).resolves.toMatchObject({ roles: ['admin'] });
    expect(rogue().requests[0]?.path).toBe(`/${CONTOSO}/v2.0/.well-known/openid-configuration`);
  });
});

describe('tenant refusals: each its own code, nothing kept', () => {
  it('a tenant outside allowedTenants: OIDC_TENANT_NOT_ALLOWED, and the message says what to do', async () => {
    const detail = await expectSignInRefused(rogue(), 'OIDC_TENANT_NOT_ALLOWED', { allowedTenants: [FABRIKAM] });
    expect(detail).toContain(CONTOSO);
    // As the sign-in screen shows it.
    const setup = await testTokenStore();
    const error = await launch(rogue(), setup, { allowedTenants: [FABRIKAM] })
      .signIn('entra')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe(
      'Your account belongs to a Microsoft Entra organization (tenant) that is not allowed to sign in to Portico. ' +
        `Sign in with an account of an organization allowed to use Portico; if your organization (tenant ID ${CONTOSO}) ` +
        'should be allowed, ask IT to add that tenant ID to "allowedTenants" for this provider in Portico\'s configuration. ' +
        '(OIDC_TENANT_NOT_ALLOWED)',
    );
    expect(setup.store.load()).toBeNull();
  });

  it('iss of another tenant than its tid: OIDC_TENANT_ISSUER, before any signature work', async () => {
    rogue().setOptions({ idToken: (ctx) => withAdmin(ctx, { iss: rogue().entraIssuer(FABRIKAM) }) });
    expect(await expectSignInRefused(rogue(), 'OIDC_TENANT_ISSUER')).toContain(FABRIKAM);
    expect(endpoints(rogue())).not.toContain('/jwks');
  });

  it('tid of another tenant than its iss: OIDC_TENANT_ISSUER', async () => {
    rogue().setOptions({ idToken: (ctx) => withAdmin(ctx, { tid: FABRIKAM }) });
    await expectSignInRefused(rogue(), 'OIDC_TENANT_ISSUER');
  });

  it('iss is the template itself, or the configured /organizations issuer: OIDC_TENANT_ISSUER', async () => {
    for (const iss of [rogue().entraTemplate, rogue().entraIssuer('organizations')]) {
      rogue().setOptions({ idToken: (ctx) => withAdmin(ctx, { iss }) });
      await expectSignInRefused(rogue(), 'OIDC_TENANT_ISSUER');
      rogue().requests.splice(0);
    }
  });

  it('no tid: OIDC_TENANT_MISSING', async () => {
    rogue().setOptions({ idToken: (ctx) => withAdmin(ctx, { tid: undefined }) });
    await expectSignInRefused(rogue(), 'OIDC_TENANT_MISSING');
  });

  it('a tid that is not a GUID, with the iss it implies (e.g. the configured issuer): OIDC_TENANT_INVALID', async () => {
    for (const tid of ['organizations', 'common', 'evil.example', '..']) {
      rogue().setOptions({ entra: { tenantId: tid } });
      await expectSignInRefused(rogue(), 'OIDC_TENANT_INVALID');
      rogue().requests.splice(0);
    }
  });
});

describe('openid-client still validates the tenant’s token', () => {
  const cases: Array<{ name: string; token: (ctx: IdTokenContext) => Promise<string> | string; code: OidcRefusal }> = [
    {
      name: 'signed by a key not in the JWKS',
      token: (ctx) => signedByStranger({ ...ctx, claims: { ...ctx.claims } }),
      code: 'OIDC_SIGNATURE',
    },
    { name: 'alg none', token: (ctx) => ctx.unsigned({ ...ctx.claims, roles: [ADMIN_CLAIM] }), code: 'OIDC_SIGNATURE' },
    { name: 'another audience', token: (ctx) => withAdmin(ctx, { aud: 'other-app', azp: 'other-app' }), code: 'OIDC_AUDIENCE' },
    { name: 'another nonce', token: (ctx) => withAdmin(ctx, { nonce: 'other' }), code: 'OIDC_NONCE' },
    {
      name: 'expired',
      token: (ctx) => withAdmin(ctx, { exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 900 }),
      code: 'OIDC_EXPIRED',
    },
    {
      name: 'at_hash of another access token',
      token: (ctx) => withAdmin(ctx, { at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' }),
      code: 'OIDC_ID_TOKEN',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code}`, async () => {
      rogue().setOptions({ idToken: c.token });
      await expectSignInRefused(rogue(), c.code);
    });
  }
});

describe('discovery: the {tenantid} template only for entra with /organizations or /common', () => {
  async function expectDiscoveryRefused(rp: OidcRelyingParty): Promise<string> {
    const error = await expectRefusal(rp.startLogin('http://127.0.0.1/callback'), 'OIDC_ISSUER');
    expect(endpoints(rogue())).toEqual(['/.well-known/openid-configuration']);
    return error.detail;
  }

  it('the generic preset with /organizations: OIDC_ISSUER', async () => {
    const detail = await expectDiscoveryRefused(entraRp(rogue(), { preset: 'generic' }));
    expect(detail).toMatch(/issuer does not match/);
  });

  it('the entra preset with a tenant issuer whose discovery names the template: OIDC_ISSUER', async () => {
    rogue().setOptions({ discovery: { issuer: rogue().entraTemplate } });
    await expectDiscoveryRefused(entraRp(rogue(), { issuer: rogue().entraIssuer(CONTOSO) }));
  });

  it('/organizations whose discovery names a tenant, another origin’s template, or a template elsewhere: OIDC_ISSUER', async () => {
    for (const issuer of [
      rogue().entraIssuer(CONTOSO),
      'https://login.example/{tenantid}/v2.0',
      `${rogue().issuer}/{tenantid}/v2.0/x`,
      `${rogue().issuer}/{tenantid}`,
    ]) {
      rogue().setOptions({ discovery: { issuer } });
      await expectDiscoveryRefused(entraRp(rogue()));
      rogue().requests.splice(0);
    }
  });
});

describe('the authorization response, before the code is redeemed', () => {
  it('a wrong state: OIDC_STATE, no token request', async () => {
    const rp = entraRp(rogue());
    const { callback, checks } = await authorize(rp);
    const altered = new URL(callback);
    altered.searchParams.set('state', 'forged');
    await expectRefusal(rp.finishLogin(altered.href, checks), 'OIDC_STATE');
    expect(tokenRequestCount(rogue())).toBe(0);
  });

  it('RFC 9207: the tenant’s iss accepted; another tenant’s matched to the token and refused; a non-tenant iss or none refused before the token request', async () => {
    rogue().setOptions({ sendIss: true });
    const rp = entraRp(rogue());
    const good = await authorize(rp);
    expect(new URL(good.callback).searchParams.get('iss')).toBe(rogue().entraIssuer(CONTOSO));
    await expect(rp.finishLogin(good.callback, good.checks)).resolves.toMatchObject({ claims: { tid: CONTOSO } });

    // Some tenant's issuer, but not the token's: known only once the answer is read.
    const other = await authorize(rp);
    const fromOther = new URL(other.callback);
    fromOther.searchParams.set('iss', rogue().entraIssuer(FABRIKAM));
    const before = tokenRequestCount(rogue());
    await expectRefusal(rp.finishLogin(fromOther.href, other.checks), 'OIDC_ISSUER');
    expect(tokenRequestCount(rogue())).toBe(before + 1);

    for (const iss of [rogue().entraTemplate, rogue().entraIssuer('organizations'), 'https://evil.example/x', null]) {
      const attempt = await authorize(rp);
      const url = new URL(attempt.callback);
      if (iss === null) url.searchParams.delete('iss');
      else url.searchParams.set('iss', iss);
      const count = tokenRequestCount(rogue());
      await expectRefusal(rp.finishLogin(url.href, attempt.checks), 'OIDC_ISSUER');
      expect(tokenRequestCount(rogue()), String(iss)).toBe(count);
    }
  });
});

describe('refresh with tid-based iss', () => {
  async function signedIn(extra: Extra = {}) {
    const setup = await testTokenStore();
    const sso = launch(rogue(), setup, extra);
    const identity = await sso.signIn('entra');
    await sso.flush();
    expect(identity).toMatchObject({ subject: ROGUE_OP_SUB, roles: ['admin'] });
    const kept = setup.store.load();
    if (!kept) throw new Error('nothing kept after sign-in');
    return { setup, kept };
  }

  it('at the next launch: restored silently, the rotated refresh token kept; then the relying party refreshes again', async () => {
    const { setup, kept } = await signedIn({ allowedTenants: [CONTOSO] });
    const restored = await launch(rogue(), setup, { allowedTenants: [CONTOSO] }).restore();
    expect(restored).toMatchObject({ identity: { providerId: 'entra', subject: ROGUE_OP_SUB, roles: ['admin'] } });
    const rotated = setup.store.load();
    expect(rotated?.refreshToken).toBeTruthy();
    expect(rotated?.refreshToken).not.toBe(kept.refreshToken);
    // While running: the same refresh, by the relying party.
    const tokens = await entraRp(rogue()).refresh(rotated!.refreshToken, ROGUE_OP_SUB);
    expect(tokens.claims).toMatchObject({ iss: rogue().entraIssuer(CONTOSO), tid: CONTOSO });
    expect(tokens.refreshToken).not.toBe(rotated!.refreshToken);
    const grants = rogue()
      .requests.filter((r) => r.path.endsWith('/token'))
      .map((r) => new URLSearchParams(r.body).get('grant_type'));
    // One request per grant: the answer is read once and replayed to openid-client, never re-sent.
    expect(grants).toEqual(['authorization_code', 'refresh_token', 'refresh_token']);
  });

  it('a refused refresh token (invalid_grant) still ends the kept sign-in with its notice', async () => {
    const { setup, kept } = await signedIn();
    await entraRp(rogue()).refresh(kept.refreshToken, ROGUE_OP_SUB); // spent: rotation
    expect(await launch(rogue(), setup).restore()).toEqual({
      notice: 'Your sign-in with Contoso Entra has ended (it was revoked or expired). Sign in again.',
      signIn: { providerId: 'entra', sub: ROGUE_OP_SUB },
    });
    expect(setup.store.load()).toBeNull();
  });

  it('refreshed token from a tenant no longer allowed: OIDC_TENANT_NOT_ALLOWED; at launch the kept sign-in ends', async () => {
    const { setup, kept } = await signedIn();
    await expectRefusal(
      entraRp(rogue(), { allowedTenants: [FABRIKAM] }).refresh(kept.refreshToken, ROGUE_OP_SUB),
      'OIDC_TENANT_NOT_ALLOWED',
    );
    const again = await signedIn();
    const restored = await launch(rogue(), again.setup, { allowedTenants: [FABRIKAM] }).restore();
    expect(restored).toMatchObject({ notice: expect.stringContaining('Sign in again.') });
    expect(again.setup.store.load()).toBeNull();
    expect(setup.store.load()).not.toBeNull();
  });

  const refusals: Array<{ name: string; set: () => void; code: OidcRefusal }> = [
    {
      name: 'iss of another tenant',
      set: () => rogue().setOptions({ idToken: (ctx) => withAdmin(ctx, { iss: rogue().entraIssuer(FABRIKAM) }) }),
      code: 'OIDC_TENANT_ISSUER',
    },
    {
      name: 'no tid',
      set: () => rogue().setOptions({ idToken: (ctx) => withAdmin(ctx, { tid: undefined }) }),
      code: 'OIDC_TENANT_MISSING',
    },
    { name: 'a non-GUID tid', set: () => rogue().setOptions({ entra: { tenantId: 'common' } }), code: 'OIDC_TENANT_INVALID' },
    {
      name: 'no ID token at all (the tenant cannot be told)',
      set: () => rogue().setOptions({ tokenResponse: ({ id_token: _dropped, ...body }) => body }),
      code: 'OIDC_TENANT_MISSING',
    },
  ];
  for (const c of refusals) {
    it(`refreshed answer with ${c.name}: ${c.code}`, async () => {
      const { kept } = await signedIn();
      c.set();
      await expectRefusal(entraRp(rogue()).refresh(kept.refreshToken, ROGUE_OP_SUB), c.code);
    });
  }
});
