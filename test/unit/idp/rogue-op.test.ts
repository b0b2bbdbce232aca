/**
 * Smoke test of the rogue OP used for negative OIDC tests: by default it must pass openid-client's
 * checks (else every negative test would pass for the wrong reason), and each override must really
 * change what the client sees.
 */
import { generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROGUE_OP_SUB, startRogueOp, type RogueOp } from '../../idp/oidc/rogue-op';

// Never contacted: the authorization response is read from the OP's Location header.
const REDIRECT_URI = 'http://127.0.0.1:1/callback';

let op: RogueOp;

beforeAll(async () => {
  op = await startRogueOp();
});

afterAll(async () => {
  await op?.stop();
});

afterEach(() => {
  // Back to a well-behaved OP for the next test.
  op.resetOptions();
  op.requests.length = 0;
});

/** `verifySignatures`: openid-client's enableNonRepudiationChecks (off by default, see below). */
function rp(options: { verifySignatures?: boolean } = {}): Promise<oidc.Configuration> {
  const execute = [oidc.allowInsecureRequests, ...(options.verifySignatures ? [oidc.enableNonRepudiationChecks] : [])];
  return oidc.discovery(new URL(op.issuer), op.clientId, undefined, oidc.None(), { execute });
}

/** openid-client's error code and the specific reason it keeps in `cause`. */
async function refusal(work: Promise<unknown>): Promise<{ code: string; reason: string }> {
  try {
    await work;
  } catch (error) {
    const { code, cause } = error as { code?: string; cause?: { message?: string } };
    return { code: code ?? '', reason: cause?.message ?? (error as Error).message };
  }
  throw new Error('expected openid-client to refuse, but it accepted');
}

interface Attempt {
  config: oidc.Configuration;
  callback: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** Authorization request as Portico sends it; the OP's 302 Location is the callback. */
async function authorize(options: { verifySignatures?: boolean } = {}): Promise<Attempt> {
  const config = await rp(options);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return { config, callback: new URL(response.headers.get('location') ?? ''), verifier, state, nonce };
}

function exchange(attempt: Attempt): ReturnType<typeof oidc.authorizationCodeGrant> {
  return oidc.authorizationCodeGrant(attempt.config, attempt.callback, {
    pkceCodeVerifier: attempt.verifier,
    expectedState: attempt.state,
    expectedNonce: attempt.nonce,
  });
}

function tokenRequests(): number {
  return op.requests.filter((r) => r.path === '/token').length;
}

describe('rogue OP, well-behaved by default', () => {
  it('passes openid-client: discovery, code + PKCE, ID token, userinfo, refresh', async () => {
    const attempt = await authorize();
    expect(attempt.callback.searchParams.get('state')).toBe(attempt.state);
    const tokens = await exchange(attempt);
    expect(tokens.claims()).toMatchObject({ iss: op.issuer, aud: op.clientId, sub: ROGUE_OP_SUB, nonce: attempt.nonce });
    expect(await oidc.fetchUserInfo(attempt.config, tokens.access_token, ROGUE_OP_SUB)).toEqual({ sub: ROGUE_OP_SUB });
    const refreshed = await oidc.refreshTokenGrant(attempt.config, tokens.refresh_token ?? '');
    expect(refreshed.claims()?.sub).toBe(ROGUE_OP_SUB);
    // No GET /jwks: openid-client does not verify ID token signatures from the token endpoint by default.
    expect(op.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /.well-known/openid-configuration',
      'GET /authorize',
      'POST /token',
      'GET /userinfo',
      'POST /token',
    ]);
  });

  it('sends RFC 9207 iss when asked, and openid-client checks it', async () => {
    op.setOptions({ sendIss: true });
    const attempt = await authorize();
    expect(attempt.callback.searchParams.get('iss')).toBe(op.issuer);
    await expect(exchange(attempt)).resolves.toBeTruthy();
  });

  it('refuses a code exchange without the right PKCE verifier (invalid_grant)', async () => {
    const attempt = await authorize();
    await expect(
      oidc.authorizationCodeGrant(attempt.config, attempt.callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('accepts a rotated key and a kid-less single-key JWKS', async () => {
    await op.rotateSigningKey();
    await expect(exchange(await authorize())).resolves.toBeTruthy();
    const current = op.publicJwk();
    op.setOptions({
      jwks: () => ({ keys: [{ ...current, kid: undefined }] }),
      idToken: (ctx) => ctx.signRs256(ctx.claims, { kid: undefined }),
    });
    await expect(exchange(await authorize())).resolves.toBeTruthy();
  });
});

describe('rogue OP overrides are refused by openid-client', () => {
  it('a wrong iss in the ID token', async () => {
    op.setOptions({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, iss: 'https://evil.example' }) });
    expect(await refusal(exchange(await authorize()))).toEqual({
      code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      reason: 'unexpected JWT "iss" (issuer) claim value',
    });
  });

  it('alg none and HS256 signed with the public key (alg not among the advertised ones)', async () => {
    op.setOptions({ idToken: (ctx) => ctx.unsigned(ctx.claims) });
    expect(await refusal(exchange(await authorize()))).toMatchObject({ reason: 'unexpected JWT "alg" header parameter' });
    op.setOptions({ idToken: (ctx) => ctx.signHs256WithPublicKey(ctx.claims) });
    expect(await refusal(exchange(await authorize()))).toMatchObject({ reason: 'unexpected JWT "alg" header parameter' });
  });

  it('an altered state, before any token request', async () => {
    op.setOptions({ authorize: ({ redirectUri, code }) => `${redirectUri}?code=${code}&state=tampered` });
    expect(await refusal(exchange(await authorize()))).toMatchObject({ reason: 'unexpected "state" response parameter value' });
    expect(tokenRequests()).toBe(0);
  });

  it('an issuer mismatch in discovery', async () => {
    op.setOptions({ discovery: { issuer: 'https://login.example/other' } });
    await expect(rp()).rejects.toThrow();
    expect(op.requests.map((r) => r.path)).toEqual(['/.well-known/openid-configuration']);
  });
});

/**
 * openid-client v6 (oauth4webapi) skips the ID token's signature for token endpoint responses
 * (OIDC Core 3.1.3.7: TLS to the token endpoint suffices) unless enableNonRepudiationChecks is
 * used. These tests pin that behaviour, so the rogue OP's signing overrides are known to matter.
 */
describe('ID token signatures and openid-client', () => {
  async function signedByStranger(ctx: { claims: Record<string, unknown>; publicJwk: { kid?: string } }): Promise<string> {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT(ctx.claims).setProtectedHeader({ alg: 'RS256', kid: ctx.publicJwk.kid }).sign(privateKey);
  }

  it('a signature by a key the JWKS does not hold passes the defaults, and is refused with enableNonRepudiationChecks', async () => {
    op.setOptions({ idToken: signedByStranger });
    await expect(exchange(await authorize())).resolves.toBeTruthy();
    expect(await refusal(exchange(await authorize({ verifySignatures: true })))).toEqual({
      code: 'OAUTH_INVALID_RESPONSE',
      reason: 'JWT signature verification failed',
    });
  });

  it('HS256 with the public key passes the defaults when discovery advertises HS256, and is refused with enableNonRepudiationChecks', async () => {
    op.setOptions({
      discovery: { id_token_signing_alg_values_supported: ['RS256', 'HS256'] },
      idToken: (ctx) => ctx.signHs256WithPublicKey(ctx.claims),
    });
    await expect(exchange(await authorize())).resolves.toBeTruthy();
    expect(await refusal(exchange(await authorize({ verifySignatures: true })))).toEqual({
      code: 'OAUTH_UNSUPPORTED_OPERATION',
      reason: 'unsupported JWS algorithm',
    });
  });
});
