/**
 * SECURITY.md (OIDC): in system-browser mode the loopback listener (127.0.0.1, OS-chosen port,
 * fixed path) takes the first callback only, ignores a second or foreign one, and closes on
 * timeout. End to end: OidcSignIn / SsoService with the real listener, the rogue OP, a real vault
 * for the token store, and FetchingSystemBrowser standing in for the user's browser.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { oidcProviderConfig } from '../../../../../../main/auth/oidc/oidc-config';
import { AppError } from '../../../../../../main/errors';
import { OIDC_ATTEMPT_MS, OidcSignIn } from '../../../../../../main/auth/oidc/oidc-sign-in';
import { SsoService } from '../../../../../../main/auth/sso-service';
import { ROGUE_OP_SUB, type RogueOp } from '../../../../../idp/oidc/rogue-op';
import {
  expectRefusal,
  signInKept,
  FetchingSystemBrowser,
  redirectUriOf,
  rogueConfig,
  silentLog,
  testTokenStore,
  tokenRequests,
  useRogueOp,
  visit,
  withAdminRole,
  type BrowserScript,
} from './support';

const rogue = useRogueOp({ idToken: withAdminRole });

async function systemBrowserSignIn(op: RogueOp, script: BrowserScript = {}) {
  const { store } = await testTokenStore();
  const browser = new FetchingSystemBrowser(script);
  const signIn = new OidcSignIn(rogueConfig(op, { mode: 'system-browser' }), { surface: null, browser, store, now: Date.now });
  return { store, browser, signIn };
}

async function ssoWith(op: RogueOp, browser: FetchingSystemBrowser, extra: Parameters<typeof rogueConfig>[1] = {}) {
  const { store } = await testTokenStore();
  const sso = new SsoService({
    saml: [],
    oidc: [rogueConfig(op, { mode: 'system-browser', ...extra })],
    surface: null,
    browser,
    oidcStore: store,
    log: silentLog,
  });
  return { store, sso };
}

async function appErrorOf(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => new Error('expected an AppError, but the sign-in succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw error;
  return error;
}

/** The promise's value if it settles within a few event-loop turns (timers may be fake), else 'pending'. */
async function settledSoon<T>(promise: Promise<T>, turns = 50): Promise<T | 'pending'> {
  let outcome: { value: T } | null = null;
  void promise.then((value) => (outcome = { value }));
  for (let turn = 0; turn < turns && !outcome; turn++) await new Promise((resolve) => setImmediate(resolve));
  return outcome ? (outcome as { value: T }).value : 'pending';
}

describe('system-browser sign-in through the loopback listener', () => {
  it('positive control: 127.0.0.1, an OS-chosen port, /callback; signed in; the port is closed afterwards', async () => {
    const { store, browser, signIn } = await systemBrowserSignIn(rogue());
    const identity = await signInKept(signIn);
    expect(identity).toMatchObject({ subject: ROGUE_OP_SUB, roles: ['admin'] });
    expect(store.load()).toMatchObject({ sub: ROGUE_OP_SUB });
    const redirectUri = new URL(redirectUriOf(browser.opened[0]!));
    expect(redirectUri.hostname).toBe('127.0.0.1');
    expect(Number(redirectUri.port)).toBeGreaterThan(0);
    expect(redirectUri.pathname).toBe('/callback');
    expect(browser.callbackOutcome).toBe(200);
    expect(tokenRequests(rogue()).map((form) => form.get('redirect_uri'))).toEqual([redirectUri.href]);
    expect(await visit(redirectUri.href)).toBe('refused');
  });

  it('ignores foreign requests before the callback (404) and a second callback after it; the result is unchanged', async () => {
    let realCode: string | null = null;
    const { store, browser, signIn } = await systemBrowserSignIn(rogue(), {
      before: (callback) => {
        realCode = callback.searchParams.get('code');
        const port = callback.port;
        return [
          { url: `${callback.origin}/other${callback.search}` },
          { url: `${callback.origin}/callback/extra${callback.search}` },
          { url: callback.href, method: 'POST' },
          { url: callback.href, host: `evil.test:${port}` },
        ];
      },
      after: (callback) => [{ url: callback.href }, { url: `${callback.origin}/callback?code=forged&state=forged` }],
    });
    const identity = await signInKept(signIn);
    expect(identity).toMatchObject({ subject: ROGUE_OP_SUB, roles: ['admin'] });
    expect(browser.visits.map((v) => v.outcome)).toEqual([404, 404, 404, 404, 200, 'refused', 'refused']);
    // The code exchanged is the OP's, once.
    expect(tokenRequests(rogue()).map((form) => form.get('code'))).toEqual([realCode]);
    expect(store.load()).toMatchObject({ sub: ROGUE_OP_SUB });
  });

  it('a forged callback on the right path that arrives first is taken, then refused by state: OIDC_STATE, no token request, nothing kept', async () => {
    // First request wins (one shot), so whoever finds the port first ends the attempt; state
    // makes that a refusal, never a sign-in, and the real answer finds the port closed.
    const { store, browser, signIn } = await systemBrowserSignIn(rogue(), {
      before: (callback) => [{ url: `${callback.origin}/callback?code=forged&state=forged` }],
    });
    await expectRefusal(signInKept(signIn), 'OIDC_STATE');
    expect(browser.visits.map((v) => v.outcome)).toEqual([200, 'refused']);
    expect(tokenRequests(rogue())).toHaveLength(0);
    expect(store.load()).toBeNull();
  });

  it('maps a refusal to SSO_REFUSED naming the OIDC code, and keeps nothing', async () => {
    rogue().setOptions({ idToken: (ctx) => ctx.unsigned({ ...ctx.claims, roles: ['portico-admin'] }) });
    const { store, sso } = await ssoWith(rogue(), new FetchingSystemBrowser());
    const error = await appErrorOf(sso.signIn('rogue'));
    expect(error.code).toBe('SSO_REFUSED');
    expect(error.message).toContain('(OIDC_SIGNATURE)');
    expect(store.load()).toBeNull();
  });

  it('closes when the sign-in is cancelled: SSO_CANCELLED, the late callback finds the port closed', async () => {
    const browser = new FetchingSystemBrowser({ deliver: false });
    const { store, sso } = await ssoWith(rogue(), browser);
    const outcome = appErrorOf(sso.signIn('rogue'));
    await vi.waitFor(() => expect(browser.withheld).not.toBeNull());
    sso.cancel();
    expect((await outcome).code).toBe('SSO_CANCELLED');
    expect(await visit(browser.withheld!)).toBe('refused');
    expect(tokenRequests(rogue())).toHaveLength(0);
    expect(store.load()).toBeNull();
  });

  it('closes on timeout (5 minutes): SSO_TIMEOUT, the late callback finds the port closed, no token request', async () => {
    const browser = new FetchingSystemBrowser({ deliver: false });
    const { store, sso } = await ssoWith(rogue(), browser);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const outcome = appErrorOf(sso.signIn('rogue'));
      await vi.waitFor(() => expect(browser.withheld).not.toBeNull());
      await vi.advanceTimersByTimeAsync(OIDC_ATTEMPT_MS - 1000);
      // Still waiting just before the deadline: the listener is up (404 for a foreign path).
      expect(await settledSoon(outcome)).toBe('pending');
      expect(await visit(`${new URL(browser.withheld!).origin}/other`)).toBe(404);
      await vi.advanceTimersByTimeAsync(1000);
      expect(await settledSoon(outcome)).toMatchObject({ code: 'SSO_TIMEOUT' });
    } finally {
      vi.useRealTimers();
    }
    expect(await visit(browser.withheld!)).toBe('refused');
    expect(tokenRequests(rogue())).toHaveLength(0);
    expect(store.load()).toBeNull();
  });
});

/** A port nobody listens on right now (the OS picks it, then it is let go). */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a fixed loopback port (loopbackPort), for IdPs that match redirect URIs as exact strings', () => {
  it('listens on that port: the redirect URI is http://127.0.0.1:<port>/callback; signed in; closed afterwards', async () => {
    const port = await freePort();
    const browser = new FetchingSystemBrowser();
    const { sso } = await ssoWith(rogue(), browser, { loopbackPort: port });
    await expect(sso.signIn('rogue')).resolves.toMatchObject({ subject: ROGUE_OP_SUB });
    expect(redirectUriOf(browser.opened[0]!)).toBe(`http://127.0.0.1:${port}/callback`);
    expect(tokenRequests(rogue()).map((form) => form.get('redirect_uri'))).toEqual([`http://127.0.0.1:${port}/callback`]);
    expect(await visit(`http://127.0.0.1:${port}/callback`)).toBe('refused');
    sso.stopRefresh();
  });

  it('a port another program holds: SSO_REFUSED naming OIDC_LOOPBACK_PORT_BUSY, nothing opened, that program untouched', async () => {
    const other = http.createServer((_req, res) => res.end('other program'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const browser = new FetchingSystemBrowser();
      const { store, sso } = await ssoWith(rogue(), browser, { loopbackPort: port });
      const error = await appErrorOf(sso.signIn('rogue'));
      expect(error.code).toBe('SSO_REFUSED');
      expect(error.message).toContain(`another program uses the configured loopback port`);
      expect(error.message).toContain('(OIDC_LOOPBACK_PORT_BUSY)');
      expect(browser.opened).toEqual([]);
      expect(rogue().requests).toEqual([]);
      expect(store.load()).toBeNull();
      expect(await (await fetch(`http://127.0.0.1:${port}/callback`)).text()).toBe('other program');
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('the configuration accepts it for system-browser mode (and google) and refuses it for the sign-in window', () => {
    const base = { id: 'x', displayName: 'X', issuer: 'https://idp.example.com', clientId: 'c' };
    expect(oidcProviderConfig.parse({ ...base, mode: 'system-browser', loopbackPort: 8400 }).loopbackPort).toBe(8400);
    expect(oidcProviderConfig.parse({ ...base, preset: 'google', loopbackPort: 8400 })).toMatchObject({ mode: 'system-browser' });
    const refused = oidcProviderConfig.safeParse({ ...base, mode: 'window', loopbackPort: 8400 });
    expect(refused.success ? [] : refused.error.issues.map((i) => i.path.join('.'))).toEqual(['loopbackPort']);
    for (const port of [80, 1023, 65536, 8400.5]) {
      expect(oidcProviderConfig.safeParse({ ...base, mode: 'system-browser', loopbackPort: port }).success, String(port)).toBe(
        false,
      );
    }
  });
});
