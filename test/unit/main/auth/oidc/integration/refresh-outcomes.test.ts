/**
 * What a failed refresh means, at launch (SsoService.restore) and while Portico runs
 * (refreshKeptSignIn), against the rogue OP misbehaving at the HTTP level:
 * - no answer (a timeout at the token, key-set or userinfo endpoint, a reset, a 5xx) is
 *   "unreachable": the kept sign-in stays, within maxOfflineHours at launch, and is tried again;
 * - the IdP refusing the grant, whatever its error code, ends it with "revoked or expired";
 * - an answer Portico refuses (an ID token issued in the future) ends it with the reason;
 * every refusal is reported (onKeptSignInRefused) and logged with provider and reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KeptSignInRefusal } from '../../../../../../main/auth/sso-service';
import { SsoService } from '../../../../../../main/auth/sso-service';
import { ROGUE_OP_SUB, startRogueOp, type HttpMisbehaviour, type RogueOp } from '../../../../../idp/oidc/rogue-op';
import { ADMIN_CLAIM, FetchingAuthSurface, rogueConfig, testTokenStore, userinfoOnly, withAdminRole } from './support';

/** Requests that get no answer give up after this long (Portico's default is 10 s). */
const TEST_TIMEOUT_S = 0.5;

const started: SsoService[] = [];
const ops: RogueOp[] = [];
afterEach(async () => {
  for (const sso of started.splice(0)) sso.stopRefresh();
  await Promise.all(ops.splice(0).map((op) => op.stop()));
});

type Setup = Awaited<ReturnType<typeof testTokenStore>>;

interface Launched {
  sso: SsoService;
  lost: string[];
  refused: KeptSignInRefusal[];
  logged: Array<[string, Record<string, unknown> | undefined]>;
}

const VIEWER_CLAIM = 'portico-viewer';

function launch(op: RogueOp, setup: Setup, maxOfflineHours = 0): Launched {
  const logged: Launched['logged'] = [];
  const sso = new SsoService({
    saml: [],
    oidc: [rogueConfig(op, { maxOfflineHours, roleMapping: { [ADMIN_CLAIM]: ['admin'], [VIEWER_CLAIM]: ['viewer'] } })],
    surface: new FetchingAuthSurface(),
    browser: null,
    oidcStore: setup.store,
    log: { info: (m, f) => logged.push([m, f]), error: (m, f) => logged.push([m, f]) },
    // The key set's re-fetch rate limit is tested in id-token.test.ts: here it does not wait.
    oidcOptions: { timeoutSeconds: TEST_TIMEOUT_S, keyClock: { now: () => Date.now(), sleep: async () => undefined } },
  });
  started.push(sso);
  const launched: Launched = { sso, lost: [], refused: [], logged };
  sso.onSignInLost = (notice) => launched.lost.push(notice);
  sso.onKeptSignInRefused = (refusal) => launched.refused.push(refusal);
  return launched;
}

/** An OP and a signed-in, kept sign-in; `roles` says where the OP puts the roles (userinfo: fetched at each refresh). */
async function signedIn(roles: 'id-token' | 'userinfo' = 'id-token') {
  const op = await startRogueOp(roles === 'userinfo' ? { userinfo: userinfoOnly } : { idToken: withAdminRole });
  ops.push(op);
  const setup = await testTokenStore();
  const { sso } = launch(op, setup);
  await sso.signIn('rogue');
  await sso.flush();
  const kept = setup.store.load();
  if (!kept) throw new Error('nothing kept after sign-in');
  return { op, setup, kept };
}

const NO_ANSWER: Array<[string, string, HttpMisbehaviour, 'id-token' | 'userinfo']> = [
  ['a token endpoint that never answers', '/token', { kind: 'hang' }, 'id-token'],
  ['a key set that never arrives', '/jwks', { kind: 'hang' }, 'id-token'],
  ['a userinfo endpoint that never answers', '/userinfo', { kind: 'hang' }, 'userinfo'],
  ['a token endpoint that drops the connection', '/token', { kind: 'reset' }, 'id-token'],
  [
    'a token endpoint answering 503',
    '/token',
    { kind: 'status', status: 503, body: { error: 'temporarily_unavailable' } },
    'id-token',
  ],
  ['a key set answering 502', '/jwks', { kind: 'status', status: 502, body: 'Bad Gateway' }, 'id-token'],
];

describe('no answer is "unreachable": the kept sign-in stays', () => {
  for (const [name, path, misbehaviour, roles] of NO_ANSWER) {
    it(`at launch, ${name}: the identity last confirmed within maxOfflineHours, the kept sign-in untouched`, async () => {
      const { op, setup, kept } = await signedIn(roles);
      op.setOptions({ http: { [path]: misbehaviour } });
      const next = launch(op, setup, 1);
      expect(await next.sso.restore()).toMatchObject({ identity: { subject: ROGUE_OP_SUB, roles: ['admin'] } });
      expect(setup.store.load()).toEqual(kept);
      expect(next.refused).toEqual([]);
      expect(next.logged.find(([m]) => m.startsWith('OIDC refresh at launch failed'))?.[1]).toMatchObject({
        provider: 'rogue',
        reason: expect.stringContaining(path),
      });
    });

    it(`while running, ${name}: still signed in, tried again later`, async () => {
      const { op, setup, kept } = await signedIn(roles);
      const running = launch(op, setup);
      expect(await running.sso.restore()).toMatchObject({ identity: { subject: ROGUE_OP_SUB } });
      const current = setup.store.load();
      // The running relying party keeps the key set: a new signing key makes it fetch the set again.
      if (path === '/jwks') await op.rotateSigningKey();
      op.setOptions({ http: { [path]: misbehaviour } });
      await running.sso.refreshKeptSignIn();
      expect(running.lost).toEqual([]);
      expect(running.refused).toEqual([]);
      expect(setup.store.load()).toEqual(current);
      expect(current?.sub).toBe(kept.sub);
    });
  }
});

const REFUSED_GRANTS: Array<[string, HttpMisbehaviour]> = [
  ['invalid_grant', { kind: 'status', status: 400, body: { error: 'invalid_grant' } }],
  ['invalid_request', { kind: 'status', status: 400, body: { error: 'invalid_request', error_description: 'bad refresh' } }],
  ['unauthorized_client', { kind: 'status', status: 400, body: { error: 'unauthorized_client' } }],
  ['invalid_client (401)', { kind: 'status', status: 401, body: { error: 'invalid_client' } }],
  ['a bare 400 without a JSON body', { kind: 'status', status: 400, body: 'Bad Request' }],
];

describe('the IdP refusing the grant, whatever its error code, ends the kept sign-in: "revoked or expired"', () => {
  const ENDED = 'Your sign-in with Rogue OP has ended (it was revoked or expired). Sign in again.';
  for (const [name, answer] of REFUSED_GRANTS) {
    it(`${name}, at launch and while running`, async () => {
      const { op, setup, kept } = await signedIn();
      op.setOptions({ http: { '/token': answer } });
      const atLaunch = launch(op, setup, 24);
      expect(await atLaunch.sso.restore()).toEqual({ notice: ENDED, signIn: { providerId: 'rogue', sub: ROGUE_OP_SUB } });
      expect(setup.store.load()).toBeNull();
      expect(atLaunch.refused).toEqual([
        {
          providerId: 'rogue',
          username: kept.identity.username,
          code: 'OIDC_PROVIDER_ERROR',
          detail: expect.any(String),
          during: 'launch',
        },
      ]);
      expect(atLaunch.logged.find(([m]) => m.startsWith('OIDC sign-in ended'))?.[1]).toMatchObject({
        provider: 'rogue',
        code: 'OIDC_PROVIDER_ERROR',
      });

      // While running: a fresh sign-in, then the same answer to its refresh.
      op.resetOptions();
      const running = launch(op, setup);
      await running.sso.signIn('rogue');
      op.setOptions({ http: { '/token': answer } });
      await running.sso.refreshKeptSignIn();
      expect(running.lost).toEqual([ENDED]);
      expect(running.refused).toMatchObject([{ code: 'OIDC_PROVIDER_ERROR', during: 'running' }]);
      expect(setup.store.load()).toBeNull();
    });
  }
});

describe('the reason logged and audited never carries a token', () => {
  it('an IdP error description quoting the refresh token and a JWT: both blanked out of the log and the refusal', async () => {
    const { op, setup, kept } = await signedIn();
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyb2d1ZSJ9.c2lnbmF0dXJl';
    op.setOptions({
      http: {
        '/token': {
          kind: 'status',
          status: 400,
          body: { error: 'invalid_grant', error_description: `token ${kept.refreshToken} revoked; hint ${jwt}` },
        },
      },
    });
    const atLaunch = launch(op, setup);
    await atLaunch.sso.restore();
    const said = JSON.stringify([atLaunch.refused, atLaunch.logged]);
    expect(said).toContain('invalid_grant');
    expect(said).toContain('[redacted]');
    expect(said).not.toContain(kept.refreshToken);
    expect(said).not.toContain('eyJ');
  });
});

describe('an answer Portico refuses ends the kept sign-in with the reason, never taken for "offline"', () => {
  it('a refreshed ID token issued a day ahead: OIDC_EXPIRED at launch (even with maxOfflineHours) and while running', async () => {
    const { op, setup } = await signedIn();
    op.setOptions({
      idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], iat: Number(ctx.claims.iat) + 86_400 }),
    });
    const atLaunch = launch(op, setup, 24);
    expect(await atLaunch.sso.restore()).toEqual({
      notice: 'Rogue OP did not confirm your sign-in (OIDC_EXPIRED). Sign in again.',
      signIn: { providerId: 'rogue', sub: ROGUE_OP_SUB },
    });
    expect(atLaunch.refused).toMatchObject([{ code: 'OIDC_EXPIRED', detail: expect.stringMatching(/in the future/) }]);
    expect(setup.store.load()).toBeNull();

    op.resetOptions();
    const running = launch(op, setup);
    await running.sso.signIn('rogue');
    op.setOptions({
      idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], iat: Number(ctx.claims.iat) + 86_400 }),
    });
    await running.sso.refreshKeptSignIn();
    expect(running.lost).toEqual(['Rogue OP did not confirm your sign-in (OIDC_EXPIRED). Sign in again.']);
    expect(setup.store.load()).toBeNull();
  });

  it('a refreshed answer of 2 MB: OIDC_RESPONSE_TOO_LARGE ends it (an answer, not an outage)', async () => {
    const { op, setup } = await signedIn();
    op.setOptions({ http: { '/token': { kind: 'pad', bytes: 2 * 1024 * 1024 } } });
    const atLaunch = launch(op, setup, 24);
    expect(await atLaunch.sso.restore()).toMatchObject({ notice: expect.stringContaining('(OIDC_RESPONSE_TOO_LARGE)') });
    expect(setup.store.load()).toBeNull();
  });
});

describe('a refresh while running confirms the sign-in with the roles it has now', () => {
  it('onSignInConfirmed gets the refreshed identity: an admin made viewer at the IdP is a viewer from then on', async () => {
    const { op, setup } = await signedIn();
    const running = launch(op, setup);
    await running.sso.restore();
    const confirmed: string[][] = [];
    running.sso.onSignInConfirmed = (identity) => confirmed.push(identity.roles);
    op.setOptions({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [VIEWER_CLAIM] }) });
    await running.sso.refreshKeptSignIn();
    expect(confirmed).toEqual([['viewer']]);
    expect(running.lost).toEqual([]);
  });
});
