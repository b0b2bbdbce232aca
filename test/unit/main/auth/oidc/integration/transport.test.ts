/**
 * How Portico talks to an IdP, below the protocol (./idp-fetch and discovery), against the rogue OP:
 * - codes, verifiers and tokens never travel over plain http to a host that is not loopback, each
 *   endpoint checked on its own (an http loopback issuer does not make its endpoints trusted);
 * - the discovered issuer is the configured one as the exact string (trailing slash included);
 * - every answer (discovery, key set, token, userinfo) is capped at 1 MiB and refused past it
 *   without being read whole;
 * - each unusable answer has a code that says what happened.
 */
import { describe, expect, it } from 'vitest';
import { idpFetch, isLoopbackHost, MAX_IDP_BODY_BYTES } from '../../../../../../main/auth/oidc/idp-fetch';
import { OidcError } from '../../../../../../main/auth/oidc/oidc-errors';
import type { HttpMisbehaviour } from '../../../../../idp/oidc/rogue-op';
import { authorize, expectRefusal, rogueRp, tokenRequests, useRogueOp, userinfoOnly, withAdminRole } from './support';

const rogue = useRogueOp({ idToken: withAdminRole });

const GET = { method: 'GET', headers: {}, body: undefined, redirect: 'manual' as const };

describe('idpFetch: plain http only to loopback', () => {
  it.each([
    ['http://idp.example.test/token', 'plain http to a host that is not loopback'],
    ['http://127.0.0.1.evil.test/token', 'plain http to a host that is not loopback'],
    ['http://10.0.0.5/token', 'plain http to a host that is not loopback'],
    ['ftp://127.0.0.1/token', 'the ftp: scheme'],
  ])('refuses %s before any connection: OIDC_INSECURE_ENDPOINT', async (url, why) => {
    const error = await idpFetch()(url, GET).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OidcError);
    expect(error).toMatchObject({ code: 'OIDC_INSECURE_ENDPOINT', detail: expect.stringContaining(why) });
  });

  it('treats 127.0.0.0/8, ::1 and localhost as loopback, and nothing else', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '[::1]', '::1', 'localhost', 'LOCALHOST'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['127.0.0.1.nip.io', '10.0.0.1', '[::ffff:7f00:1]', 'localhost.evil.test', '0.0.0.0']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

const ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'revocation_endpoint',
  'end_session_endpoint',
] as const;

describe('discovery: each endpoint on its own, https or loopback', () => {
  for (const endpoint of ENDPOINTS) {
    it(`an http loopback issuer whose ${endpoint} is http on another host: OIDC_INSECURE_ENDPOINT, nothing but discovery sent`, async () => {
      rogue().setOptions({ discovery: { [endpoint]: `http://idp.example.test/${endpoint}` } });
      const error = await expectRefusal(rogueRp(rogue()).startLogin('http://127.0.0.1/callback'), 'OIDC_INSECURE_ENDPOINT');
      expect(error.detail).toContain(endpoint);
      expect(rogue().requests.map((r) => r.path)).toEqual(['/.well-known/openid-configuration']);
    });
  }

  it('an endpoint on another loopback address over http is accepted (each endpoint judged by its own host)', async () => {
    const op = rogue();
    const port = new URL(op.issuer).port;
    op.setOptions({
      discovery: { userinfo_endpoint: `http://localhost:${port}/userinfo` },
      userinfo: userinfoOnly,
      idToken: undefined,
    });
    const rp = rogueRp(op);
    const { callback, checks } = await authorize(rp);
    await expect(rp.finishLogin(callback, checks)).resolves.toMatchObject({ claims: { groups: ['portico-admin'] } });
  });
});

describe('discovery: the issuer is the configured string exactly', () => {
  it('configured with a trailing slash the IdP does not write: OIDC_ISSUER, saying which form to use', async () => {
    const op = rogue();
    const error = await expectRefusal(
      rogueRp(op, { issuer: `${op.issuer}/` }).startLogin('http://127.0.0.1/callback'),
      'OIDC_ISSUER',
    );
    expect(error.detail).toContain(`set "issuer" to exactly "${op.issuer}": the trailing slash counts`);
  });

  it('discovery naming the issuer with a trailing slash the configuration lacks: OIDC_ISSUER', async () => {
    const op = rogue();
    op.setOptions({ discovery: { issuer: `${op.issuer}/` } });
    await expectRefusal(rogueRp(op).startLogin('http://127.0.0.1/callback'), 'OIDC_ISSUER');
    expect(tokenRequests(op)).toEqual([]);
  });

  it('positive control: the exact string is accepted', async () => {
    await expect(rogueRp(rogue()).startLogin('http://127.0.0.1/callback')).resolves.toMatchObject({ url: expect.any(String) });
  });
});

describe('answers are capped at 1 MiB, and refused past it without being read whole', () => {
  const cases: Array<[string, string, number]> = [
    ['a 50 MB token answer', '/token', 50 * 1024 * 1024],
    ['a 32 MB discovery document', '/.well-known/openid-configuration', 32 * 1024 * 1024],
    ['a 32 MB key set', '/jwks', 32 * 1024 * 1024],
    ['a 32 MB userinfo answer', '/userinfo', 32 * 1024 * 1024],
  ];
  for (const [name, path, bytes] of cases) {
    it(`${name} (valid JSON, padded): OIDC_RESPONSE_TOO_LARGE, and the OP could not send it all`, async () => {
      const op = rogue();
      if (path === '/userinfo') op.setOptions({ idToken: undefined, userinfo: userinfoOnly });
      const rp = rogueRp(op);
      if (path === '/.well-known/openid-configuration') {
        op.setOptions({ http: { [path]: { kind: 'pad', bytes } } });
        await expectRefusal(rp.startLogin('http://127.0.0.1/callback'), 'OIDC_RESPONSE_TOO_LARGE');
      } else {
        const { callback, checks } = await authorize(rp);
        op.setOptions({ http: { [path]: { kind: 'pad', bytes } } });
        await expectRefusal(rp.finishLogin(callback, checks), 'OIDC_RESPONSE_TOO_LARGE');
      }
      await expect.poll(() => op.padded.length).toBe(1);
      // Portico stopped reading and closed the connection: the OP never finished writing.
      await expect.poll(() => op.padded[0]!.finished || op.padded[0]!.sent >= bytes).toBe(false);
      expect(op.padded[0]!.sent).toBeLessThan(bytes / 2);
    });
  }

  it('positive control: an answer padded to just under 1 MiB is read and accepted', async () => {
    const op = rogue();
    const rp = rogueRp(op);
    const { callback, checks } = await authorize(rp);
    op.setOptions({ http: { '/token': { kind: 'pad', bytes: MAX_IDP_BODY_BYTES - 8 * 1024 } } });
    await expect(rp.finishLogin(callback, checks)).resolves.toMatchObject({ claims: { roles: ['portico-admin'] } });
    expect(op.padded[0]).toMatchObject({ finished: true });
  });
});

describe('each unusable answer says what happened', () => {
  const cases: Array<[string, string, HttpMisbehaviour | null, (op: ReturnType<typeof rogue>) => void, string]> = [
    ['a token endpoint that never answers', '/token', { kind: 'hang' }, () => undefined, 'OIDC_UNREACHABLE'],
    ['a token endpoint that drops the connection', '/token', { kind: 'reset' }, () => undefined, 'OIDC_UNREACHABLE'],
    [
      'a token endpoint answering 500',
      '/token',
      { kind: 'status', status: 500, body: 'oops' },
      () => undefined,
      'OIDC_UNREACHABLE',
    ],
    [
      'an unparsable token answer (200, not JSON)',
      '/token',
      { kind: 'status', status: 200, body: 'not json' },
      () => undefined,
      'OIDC_RESPONSE_INVALID',
    ],
    [
      'a token answer that is a JSON array',
      '/token',
      { kind: 'status', status: 200, body: [1, 2] },
      () => undefined,
      'OIDC_RESPONSE_INVALID',
    ],
    [
      'a token answer without access_token',
      '/token',
      null,
      (op) => op.setOptions({ tokenResponse: ({ access_token: _a, ...rest }) => rest }),
      'OIDC_TOKEN',
    ],
    [
      'an OAuth error from the token endpoint',
      '/token',
      { kind: 'status', status: 400, body: { error: 'invalid_grant' } },
      () => undefined,
      'OIDC_PROVIDER_ERROR',
    ],
    ['a key set that never arrives', '/jwks', { kind: 'hang' }, () => undefined, 'OIDC_UNREACHABLE'],
    [
      'a key set that is HTML',
      '/jwks',
      { kind: 'status', status: 200, body: '<html>proxy login</html>' },
      () => undefined,
      'OIDC_RESPONSE_INVALID',
    ],
    [
      'userinfo without sub (roles only there)',
      '/userinfo',
      null,
      (op) => op.setOptions({ idToken: undefined, userinfo: () => ({ groups: ['portico-admin'] }) }),
      'OIDC_SUBJECT_MISSING',
    ],
    [
      'userinfo refusing the access token (401)',
      '/userinfo',
      { kind: 'status', status: 401, body: { error: 'invalid_token' } },
      (op) => op.setOptions({ idToken: undefined, userinfo: userinfoOnly }),
      'OIDC_PROVIDER_ERROR',
    ],
    [
      'userinfo that never answers',
      '/userinfo',
      { kind: 'hang' },
      (op) => op.setOptions({ idToken: undefined, userinfo: userinfoOnly }),
      'OIDC_UNREACHABLE',
    ],
  ];
  for (const [name, path, misbehaviour, setup, code] of cases) {
    it(`${name}: ${code}`, async () => {
      const op = rogue();
      setup(op);
      const rp = rogueRp(op, {}, { timeoutSeconds: 0.5 });
      const { callback, checks } = await authorize(rp);
      if (misbehaviour) op.setOptions({ http: { [path]: misbehaviour } });
      const error = await expectRefusal(rp.finishLogin(callback, checks), code as never);
      expect(error.detail.length).toBeGreaterThan(0);
    });
  }
});
