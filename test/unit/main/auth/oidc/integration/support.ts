/**
 * Shared pieces of the OIDC security integration tests: Portico's relying party configured for
 * a test OP, one authorization round trip without a browser (the OP's 302 Location is the
 * callback), stand-ins for the auth window and the user's browser that do the HTTP themselves,
 * and the assertions every refusal needs (the exact OidcError code, which requests the OP saw).
 */
import http from 'node:http';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { z } from 'zod';
import { oidcProviderConfig, type OidcProviderConfig } from '../../../../../../main/auth/oidc/oidc-config';
import { OidcError, type OidcRefusal } from '../../../../../../main/auth/oidc/oidc-errors';
import {
  OidcRelyingParty,
  type LoginChecks,
  type RelyingPartyOptions,
} from '../../../../../../main/auth/oidc/oidc-relying-party';
import type { OidcSignIn } from '../../../../../../main/auth/oidc/oidc-sign-in';
import type { SsoIdentity } from '../../../../../../main/auth/sso-identity';
import { OidcTokenStore } from '../../../../../../main/auth/oidc/oidc-token-store';
import type { AuthSurface, CallbackRequest, SystemBrowser } from '../../../../../../main/platform';
import { startRogueOp, type IdTokenContext, type RogueOp, type RogueOpOptions } from '../../../../../idp/oidc/rogue-op';
import { openTestVault } from '../../../../helpers';

/** Window mode's redirect URI; nothing listens there: the callback is read from the OP's Location. */
export const REDIRECT_URI = 'http://127.0.0.1/callback';
/** The role claim value the tests map to Portico's admin role. */
export const ADMIN_CLAIM = 'portico-admin';

type ProviderInput = Partial<z.input<typeof oidcProviderConfig>>;

/** Portico's configuration for a rogue OP: generic preset (roles in `roles`/`groups`), admin mapped. */
export function rogueConfig(op: RogueOp, extra: ProviderInput = {}): OidcProviderConfig {
  return oidcProviderConfig.parse({
    id: 'rogue',
    displayName: 'Rogue OP',
    issuer: op.issuer,
    clientId: op.clientId,
    roleMapping: { [ADMIN_CLAIM]: ['admin'] },
    ...extra,
  });
}

export function rogueRp(op: RogueOp, extra: ProviderInput = {}, options: RelyingPartyOptions = {}): OidcRelyingParty {
  return new OidcRelyingParty(rogueConfig(op, extra), options);
}

/** The ID token the OP would send, plus a `roles` claim Portico maps to admin. */
export function withAdminRole(ctx: IdTokenContext): Promise<string> {
  return ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM] });
}

/** Userinfo with the role Portico maps to admin (the ID token has none: userinfo is asked at each exchange). */
export function userinfoOnly(sub: string): Record<string, unknown> {
  return { sub, groups: [ADMIN_CLAIM] };
}

/** Signed with a fresh RSA key the OP's JWKS does not hold; `kid` as given (default: the OP's current kid). */
export async function signedByStranger(ctx: IdTokenContext, kid: string | null = ctx.publicJwk.kid ?? null): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(ctx.claims).setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) }).sign(privateKey);
}

export interface Authorized {
  /** The authorization request as sent. */
  authorizeUrl: URL;
  checks: LoginChecks;
  /** Where the OP redirected: the callback URL with code, state (and iss). */
  callback: string;
}

/** startLogin, then the authorization request; the OP answers at once with a 302 to the callback. */
export async function authorize(rp: OidcRelyingParty, redirectUri = REDIRECT_URI): Promise<Authorized> {
  const { url, checks } = await rp.startLogin(redirectUri);
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const callback = response.headers.get('location');
  if (!callback) throw new Error('the OP answered the authorization request without a Location');
  return { authorizeUrl: new URL(url), checks, callback };
}

/** A whole sign-in, returned once its refresh token is kept (SsoService waits for that before relying on it). */
export async function signInKept(signIn: OidcSignIn, signal = new AbortController().signal): Promise<SsoIdentity> {
  const { identity, kept } = await signIn.signIn(signal);
  await kept;
  return identity;
}

/** Awaits a refusal and returns it as an OidcError (fails the test on success or another error type). */
export async function oidcErrorOf(work: Promise<unknown>): Promise<OidcError> {
  let outcome: unknown;
  try {
    await work;
    outcome = new Error('expected an OidcError, but the operation succeeded');
  } catch (error) {
    outcome = error;
  }
  if (!(outcome instanceof OidcError)) throw outcome;
  return outcome;
}

/** Asserts the refusal's exact code and returns the error (for its detail). */
export async function expectRefusal(work: Promise<unknown>, code: OidcRefusal): Promise<OidcError> {
  const error = await oidcErrorOf(work);
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Requests to the OP's token endpoint (grant_type in `body`). */
export function tokenRequests(op: RogueOp): URLSearchParams[] {
  return op.requests.filter((r) => r.path === '/token').map((r) => new URLSearchParams(r.body ?? ''));
}

/** One rogue OP for a file: started once, back to default answers and an empty request log after each test. */
export function useRogueOp(options: RogueOpOptions = {}): () => RogueOp {
  let op: RogueOp | undefined;
  beforeAll(async () => {
    op = await startRogueOp(options);
  });
  afterAll(async () => {
    await op?.stop();
  });
  afterEach(() => {
    op?.resetOptions();
    op?.requests.splice(0);
    op?.padded.splice(0);
  });
  return () => {
    if (!op) throw new Error('rogue OP not started');
    return op;
  };
}

/** An OidcTokenStore on a real, keychain-protected test vault (must be called inside a test). */
export async function testTokenStore(): Promise<{ store: OidcTokenStore } & Awaited<ReturnType<typeof openTestVault>>> {
  const opened = await openTestVault();
  return { ...opened, store: new OidcTokenStore(opened.vault) };
}

/**
 * Stands in for Portico's auth window against an OP that needs no login: it loads the
 * authorization URL and returns where the OP redirected as the callback (as the window does
 * when it sees the callback URL).
 */
export class FetchingAuthSurface implements AuthSurface {
  readonly opened: string[] = [];
  async open(options: Parameters<AuthSurface['open']>[0]): Promise<CallbackRequest> {
    this.opened.push(options.url);
    const response = await fetch(options.url, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (!location?.startsWith(options.callbackUrl)) throw new Error(`the OP did not redirect to ${options.callbackUrl}`);
    return { method: 'GET', url: location, body: null };
  }
  async clearPartition(): Promise<void> {}
}

/** What a request to the loopback listener got: an HTTP status, or 'refused' when nobody listened. */
export type VisitOutcome = number | 'refused';

/** One HTTP request on a fresh connection; Host and method as given (a browser, or a page doing DNS rebinding). */
export function visit(url: string, options: { method?: string; host?: string } = {}): Promise<VisitOutcome> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        agent: false,
        headers: options.host ? { host: options.host } : {},
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' ? resolve('refused') : reject(error)));
    request.end();
  });
}

export interface ListenerVisit {
  url: string;
  method?: string;
  host?: string;
}

export interface BrowserScript {
  /** Requests sent to the loopback listener before the OP's redirect arrives (other pages, an attacker). */
  before?: (callback: URL) => ListenerVisit[];
  /** Requests sent after it (a reload, a second tab, an attacker late). */
  after?: (callback: URL) => ListenerVisit[];
  /** false: the user never finishes at the IdP (the callback is kept in `withheld`). */
  deliver?: boolean;
}

/**
 * Stands in for the user's browser in system-browser mode (RFC 8252): `open` loads the
 * authorization URL at the OP and follows its redirect to Portico's loopback listener, like the
 * browser tab would, with other requests to the listener before and after as scripted. Other
 * URLs (end-session) are only recorded.
 */
export class FetchingSystemBrowser implements SystemBrowser {
  readonly opened: string[] = [];
  /** Every request made to the loopback listener, in order, with its outcome. */
  readonly visits: Array<ListenerVisit & { outcome: VisitOutcome }> = [];
  /** The callback the browser would have delivered, when `deliver` is false. */
  withheld: string | null = null;
  /** The outcome of the OP's redirect to the listener. */
  callbackOutcome: VisitOutcome | null = null;

  constructor(private readonly script: BrowserScript = {}) {}

  async open(url: string): Promise<void> {
    this.opened.push(url);
    if (!new URL(url).searchParams.has('redirect_uri')) return;
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) throw new Error(`the OP answered ${response.status} without a redirect`);
    const callback = new URL(location);
    for (const extra of this.script.before?.(callback) ?? []) await this.#visit(extra);
    if (this.script.deliver === false) {
      this.withheld = location;
      return;
    }
    this.callbackOutcome = await this.#visit({ url: location });
    for (const extra of this.script.after?.(callback) ?? []) await this.#visit(extra);
  }

  async #visit(request: ListenerVisit): Promise<VisitOutcome> {
    const outcome = await visit(request.url, request);
    this.visits.push({ ...request, outcome });
    return outcome;
  }
}

/** The redirect_uri Portico put in an authorization URL. */
export function redirectUriOf(authorizeUrl: string): string {
  const value = new URL(authorizeUrl).searchParams.get('redirect_uri');
  if (!value) throw new Error('no redirect_uri in the authorization URL');
  return value;
}

export const silentLog = { info: () => undefined, error: () => undefined };
