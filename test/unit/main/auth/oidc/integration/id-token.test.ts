/**
 * SECURITY.md (OIDC): the ID token is refused when iss, aud, azp, alg, exp, iat, nonce, at_hash
 * or the signature is wrong; userinfo for another subject and a discovery issuer mismatch are
 * refused; key rotation and a kid-less single-key JWKS are accepted.
 *
 * Each case runs a whole window-mode sign-in (OidcSignIn, its relying party, a real vault for
 * the token store) against the rogue OP with one answer altered, and asserts the exact refusal
 * code and that nothing was kept. Every refusal here comes after the code exchange (the ID token
 * arrives in the token response), so exactly one token request is expected.
 */
import { describe, expect, it } from 'vitest';
import type { OidcRefusal } from '../../../../../../main/auth/oidc/oidc-errors';
import { OidcSignIn } from '../../../../../../main/auth/oidc/oidc-sign-in';
import { atHash, ROGUE_OP_SUB, type RogueOp, type RogueOpOptions } from '../../../../../idp/oidc/rogue-op';
import { FakeClock } from '../../../../helpers';
import {
  ADMIN_CLAIM,
  authorize,
  expectRefusal,
  signInKept,
  FetchingAuthSurface,
  rogueConfig,
  rogueRp,
  signedByStranger,
  testTokenStore,
  tokenRequests,
  useRogueOp,
  withAdminRole,
} from './support';

const rogue = useRogueOp();

const nowSeconds = () => Math.floor(Date.now() / 1000);

function without(claims: Record<string, unknown>, ...names: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !names.includes(name)));
}

/** A window-mode sign-in against the rogue OP, its token store on a real vault. */
async function signInFlow(op: RogueOp) {
  const { store } = await testTokenStore();
  const surface = new FetchingAuthSurface();
  const signIn = new OidcSignIn(rogueConfig(op), { surface, browser: null, store, now: Date.now });
  return { store, surface, signIn };
}

async function expectSignInRefused(op: RogueOp, code: OidcRefusal): Promise<string> {
  const { store, signIn } = await signInFlow(op);
  const error = await expectRefusal(signInKept(signIn), code);
  expect(store.load()).toBeNull();
  return error.detail;
}

describe('positive controls (the rogue OP’s default answers are accepted)', () => {
  it('roles in the ID token: signed in as admin, refresh token kept', async () => {
    rogue().setOptions({ idToken: withAdminRole });
    const { store, signIn } = await signInFlow(rogue());
    const identity = await signInKept(signIn);
    expect(identity).toMatchObject({ protocol: 'oidc', providerId: 'rogue', subject: ROGUE_OP_SUB, roles: ['admin'] });
    expect(store.load()).toMatchObject({ providerId: 'rogue', sub: ROGUE_OP_SUB, identity: { roles: ['admin'] } });
    // The signature was checked: the JWKS was fetched (enableNonRepudiationChecks).
    expect(rogue().requests.some((r) => r.path === '/jwks')).toBe(true);
    // Roles were in the ID token: userinfo not needed.
    expect(rogue().requests.some((r) => r.path === '/userinfo')).toBe(false);
  });

  it('roles only at userinfo (same sub): fetched and mapped', async () => {
    rogue().setOptions({ userinfo: (sub) => ({ sub, groups: [ADMIN_CLAIM] }) });
    const { signIn } = await signInFlow(rogue());
    await expect(signInKept(signIn)).resolves.toMatchObject({ roles: ['admin'] });
    expect(rogue().requests.filter((r) => r.path === '/userinfo')).toHaveLength(1);
  });
});

interface Case {
  name: string;
  options: (op: RogueOp) => Partial<RogueOpOptions>;
  code: OidcRefusal;
  /** What openid-client (or Portico) says, to show which check refused it. */
  detail: RegExp;
}

const ID_TOKEN_CASES: Case[] = [
  {
    name: 'iss of another issuer',
    options: () => ({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], iss: 'https://evil.example' }) }),
    code: 'OIDC_ISSUER',
    detail: /"iss" \(issuer\) claim value/,
  },
  {
    name: 'aud without Portico’s client id',
    options: () => ({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], aud: 'other-app' }) }),
    code: 'OIDC_AUDIENCE',
    detail: /"aud" \(audience\) claim value/,
  },
  {
    name: 'aud with an extra untrusted audience and no azp',
    options: (op) => ({
      idToken: (ctx) => ctx.signRs256({ ...without(ctx.claims, 'azp'), roles: [ADMIN_CLAIM], aud: [op.clientId, 'other-app'] }),
    }),
    code: 'OIDC_AUDIENCE',
    detail: /additional untrusted audiences/,
  },
  {
    name: 'aud with an extra audience and azp naming that other app',
    options: (op) => ({
      idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], aud: [op.clientId, 'other-app'], azp: 'other-app' }),
    }),
    code: 'OIDC_AUDIENCE',
    detail: /"azp" \(authorized party\)/,
  },
  {
    name: 'azp of another client (single aud)',
    options: () => ({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], azp: 'other-app' }) }),
    code: 'OIDC_AUDIENCE',
    detail: /azp/,
  },
  {
    name: 'alg none',
    options: () => ({ idToken: (ctx) => ctx.unsigned({ ...ctx.claims, roles: [ADMIN_CLAIM] }) }),
    code: 'OIDC_SIGNATURE',
    detail: /"alg" header parameter/,
  },
  {
    name: 'alg none, even when discovery advertises it',
    options: () => ({
      discovery: { id_token_signing_alg_values_supported: ['RS256', 'none'] },
      idToken: (ctx) => ctx.unsigned({ ...ctx.claims, roles: [ADMIN_CLAIM] }),
    }),
    code: 'OIDC_SIGNATURE',
    detail: /unsupported JWS "alg"/,
  },
  {
    name: 'HS256 with the OP’s public key as the secret',
    options: () => ({ idToken: (ctx) => ctx.signHs256WithPublicKey({ ...ctx.claims, roles: [ADMIN_CLAIM] }) }),
    code: 'OIDC_SIGNATURE',
    detail: /"alg" header parameter/,
  },
  {
    name: 'HS256 with the public key, even when discovery advertises HS256',
    options: () => ({
      discovery: { id_token_signing_alg_values_supported: ['RS256', 'HS256'] },
      idToken: (ctx) => ctx.signHs256WithPublicKey({ ...ctx.claims, roles: [ADMIN_CLAIM] }),
    }),
    code: 'OIDC_SIGNATURE',
    detail: /unsupported JWS algorithm/,
  },
  {
    name: 'signed by a key not in the JWKS (with the OP’s kid)',
    options: () => ({ idToken: (ctx) => signedByStranger({ ...ctx, claims: { ...ctx.claims, roles: [ADMIN_CLAIM] } }) }),
    code: 'OIDC_SIGNATURE',
    detail: /signature verification failed/,
  },
  {
    name: 'signed by a key not in the JWKS (unknown kid)',
    options: () => ({
      idToken: (ctx) => signedByStranger({ ...ctx, claims: { ...ctx.claims, roles: [ADMIN_CLAIM] } }, 'stranger-1'),
    }),
    code: 'OIDC_SIGNATURE',
    detail: /no applicable keys found/,
  },
  {
    name: 'signed by a key not in the JWKS (no kid, single-key JWKS)',
    options: () => ({ idToken: (ctx) => signedByStranger({ ...ctx, claims: { ...ctx.claims, roles: [ADMIN_CLAIM] } }, null) }),
    code: 'OIDC_SIGNATURE',
    detail: /signature verification failed/,
  },
  {
    name: 'a valid signature over altered claims (payload swapped after signing)',
    options: () => ({
      idToken: async (ctx) => {
        const [header, , signature] = (await ctx.signRs256({ ...ctx.claims, roles: ['nobody'] })).split('.');
        const payload = Buffer.from(JSON.stringify({ ...ctx.claims, roles: [ADMIN_CLAIM] })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    }),
    code: 'OIDC_SIGNATURE',
    detail: /signature verification failed/,
  },
  {
    name: 'exp in the past',
    options: () => ({
      idToken: (ctx) =>
        ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }),
    }),
    code: 'OIDC_EXPIRED',
    detail: /"exp" \(expiration time\)/,
  },
  {
    name: 'iat a day in the future (well beyond the clock skew tolerated)',
    options: () => ({
      idToken: (ctx) =>
        ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], iat: nowSeconds() + 86_400, exp: nowSeconds() + 86_400 + 300 }),
    }),
    code: 'OIDC_EXPIRED',
    detail: /"iat" \(issued at\) is 86\d{3} s in the future/,
  },
  {
    name: 'iat 2 minutes in the future (beyond the 30 s tolerated)',
    options: () => ({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], iat: nowSeconds() + 120 }) }),
    code: 'OIDC_EXPIRED',
    detail: /in the future \(30 s tolerated\)/,
  },
  {
    name: 'sub missing',
    options: () => ({ idToken: (ctx) => ctx.signRs256({ ...without(ctx.claims, 'sub'), roles: [ADMIN_CLAIM] }) }),
    code: 'OIDC_SUBJECT_MISSING',
    detail: /"sub" \(subject\) claim missing/,
  },
  {
    name: 'iat missing',
    options: () => ({ idToken: (ctx) => ctx.signRs256({ ...without(ctx.claims, 'iat'), roles: [ADMIN_CLAIM] }) }),
    code: 'OIDC_EXPIRED',
    detail: /"iat" \(issued at\) claim missing/,
  },
  {
    name: 'nonce of another attempt',
    options: () => ({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], nonce: 'another-attempt' }) }),
    code: 'OIDC_NONCE',
    detail: /"nonce" claim value/,
  },
  {
    name: 'nonce missing',
    options: () => ({ idToken: (ctx) => ctx.signRs256({ ...without(ctx.claims, 'nonce'), roles: [ADMIN_CLAIM] }) }),
    code: 'OIDC_NONCE',
    detail: /"nonce" \(nonce\) claim missing/,
  },
  {
    name: 'at_hash of another access token',
    options: () => ({
      idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], at_hash: atHash('another-access-token') }),
    }),
    code: 'OIDC_ID_TOKEN',
    detail: /at_hash/,
  },
  {
    name: 'an access token swapped for another (at_hash no longer matches)',
    options: () => ({
      idToken: withAdminRole,
      tokenResponse: (body) => ({ ...body, access_token: `${String(body.access_token)}x` }),
    }),
    code: 'OIDC_ID_TOKEN',
    detail: /at_hash/,
  },
  {
    name: 'userinfo for another subject (roles only at userinfo)',
    options: () => ({ userinfo: () => ({ sub: 'someone-else', groups: [ADMIN_CLAIM] }) }),
    code: 'OIDC_USERINFO',
    detail: /unexpected JSON attribute value/,
  },
];

describe('ID token and userinfo refusals (whole sign-in, nothing kept)', () => {
  for (const c of ID_TOKEN_CASES) {
    it(`${c.name} → ${c.code}`, async () => {
      rogue().setOptions(c.options(rogue()));
      const detail = await expectSignInRefused(rogue(), c.code);
      expect(detail).toMatch(c.detail);
      expect(tokenRequests(rogue())).toHaveLength(1);
    });
  }

  it('a token signed by a key not in the JWKS is refused after a JWKS lookup (signatures are verified)', async () => {
    // openid-client skips ID token signatures from the token endpoint unless enableNonRepudiationChecks
    // is on (test/unit/idp/rogue-op.test.ts pins that): Portico's RP must fetch the JWKS and refuse.
    rogue().setOptions({ idToken: (ctx) => signedByStranger(ctx) });
    const rp = rogueRp(rogue());
    const { callback, checks } = await authorize(rp);
    await expectRefusal(rp.finishLogin(callback, checks), 'OIDC_SIGNATURE');
    expect(rogue().requests.map((r) => r.path)).toEqual(['/.well-known/openid-configuration', '/authorize', '/token', '/jwks']);
  });
});

describe('signing keys', () => {
  function kidOf(idToken: string | null): unknown {
    return idToken ? JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString('utf8')).kid : undefined;
  }

  it('accepts logins before and after the OP rotated its signing key (new kid, JWKS lists both)', async () => {
    rogue().setOptions({ idToken: withAdminRole });
    const first = rogueRp(rogue());
    const before = await authorize(first);
    const oldKid = rogue().publicJwk().kid;
    expect(kidOf((await first.finishLogin(before.callback, before.checks)).idToken)).toBe(oldKid);
    const rotated = await rogue().rotateSigningKey();
    expect(rotated.kid).not.toBe(oldKid);
    // The next launch (a new relying party): discovery and JWKS fetched afresh.
    const next = rogueRp(rogue());
    const after = await authorize(next);
    const tokens = await next.finishLogin(after.callback, after.checks);
    expect(kidOf(tokens.idToken)).toBe(rotated.kid);
    expect(tokens.claims.roles).toEqual([ADMIN_CLAIM]);
  });

  /** A relying party whose key-set rate limit runs on a fake clock: `sleeps` are the waits it asked for. */
  function rpWithKeyClock() {
    const clock = new FakeClock(Date.now());
    const sleeps: number[] = [];
    const rp = rogueRp(
      rogue(),
      {},
      {
        keyClock: { now: () => clock.now(), sleep: async (ms) => void (sleeps.push(ms), clock.advance(ms)) },
      },
    );
    return { rp, clock, sleeps };
  }
  const jwksFetches = () => rogue().requests.filter((r) => r.path === '/jwks').length;

  it('a key the OP starts signing with right after Portico fetched its keys is accepted: the key set is fetched again', async () => {
    // openid-client alone re-fetches a key set for an unknown kid only once its copy is 60 s old:
    // an OP that signs with a key the moment it publishes it (Keycloak with a new higher-priority
    // key, an emergency rotation) was refused for up to a minute, and the user signed out.
    rogue().setOptions({ idToken: withAdminRole });
    const { rp, clock, sleeps } = rpWithKeyClock();
    const before = await authorize(rp);
    await rp.finishLogin(before.callback, before.checks);
    expect(jwksFetches()).toBe(1);
    // The same key again: the kept key set is used, nothing fetched.
    const again = await authorize(rp);
    await rp.finishLogin(again.callback, again.checks);
    expect(jwksFetches()).toBe(1);

    const rotated = await rogue().rotateSigningKey();
    const soon = await authorize(rp);
    expect(kidOf((await rp.finishLogin(soon.callback, soon.checks)).idToken)).toBe(rotated.kid);
    expect(jwksFetches()).toBe(2);
    // Within the rate limit of the previous fetch (same fake instant): it waited out the rest first.
    expect(sleeps).toEqual([5_000]);

    clock.advance(6_000);
    const third = await rogue().rotateSigningKey();
    const later = await authorize(rp);
    expect(kidOf((await rp.finishLogin(later.callback, later.checks)).idToken)).toBe(third.kid);
    expect(jwksFetches()).toBe(3);
    expect(sleeps).toEqual([5_000]); // 6 s after the last fetch: no wait
  });

  it('unknown kids never fetch the key set more than once per 5 s per provider, and are still refused', async () => {
    const { rp, sleeps } = rpWithKeyClock();
    rogue().setOptions({ idToken: withAdminRole });
    const first = await authorize(rp);
    await rp.finishLogin(first.callback, first.checks);
    rogue().setOptions({
      idToken: (ctx) => signedByStranger({ ...ctx, claims: { ...ctx.claims, roles: [ADMIN_CLAIM] } }, 'stranger'),
    });
    for (let i = 1; i <= 3; i++) {
      const attempt = await authorize(rp);
      const refused = await expectRefusal(rp.finishLogin(attempt.callback, attempt.checks), 'OIDC_SIGNATURE');
      expect(refused.detail).toMatch(/no applicable keys found/);
      expect(jwksFetches()).toBe(1 + i);
    }
    // Each fetch waited until 5 s after the one before (the fake clock only moves by those waits).
    expect(sleeps).toEqual([5_000, 5_000, 5_000]);
  });

  it('accepts a kid-less token against a kid-less single-key JWKS', async () => {
    const op = rogue();
    const { kid: _kid, ...current } = op.publicJwk();
    op.setOptions({
      jwks: () => ({ keys: [current] }),
      idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM] }, { kid: undefined }),
    });
    const { signIn } = await signInFlow(op);
    await expect(signInKept(signIn)).resolves.toMatchObject({ roles: ['admin'] });
    expect(rogue().requests.some((r) => r.path === '/jwks')).toBe(true);
  });
});

describe('discovery', () => {
  it('refuses a discovery document naming another issuer: OIDC_ISSUER from startLogin, nothing else requested', async () => {
    rogue().setOptions({ discovery: { issuer: 'https://login.example/other' } });
    const { store, surface, signIn } = await signInFlow(rogue());
    const rp = rogueRp(rogue());
    const error = await expectRefusal(rp.startLogin('http://127.0.0.1/callback'), 'OIDC_ISSUER');
    expect(error.detail).toMatch(/issuer does not match/);
    await expectRefusal(signInKept(signIn), 'OIDC_ISSUER');
    expect(surface.opened).toHaveLength(0);
    expect(store.load()).toBeNull();
    expect(new Set(rogue().requests.map((r) => r.path))).toEqual(new Set(['/.well-known/openid-configuration']));
  });
});
