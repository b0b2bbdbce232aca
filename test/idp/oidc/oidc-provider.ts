/**
 * A real OpenID Provider (oidc-provider 9) on 127.0.0.1 for tests: discovery, JWKS, authorization
 * with PKCE S256, token (code + refresh with rotation), userinfo, revocation and RP-initiated
 * logout, with its own login page and per-product claim shapes (see ./users).
 *
 * What it does like a production IdP and oidc-provider does not by default:
 * - consent is granted silently (see ./interactions), so offline_access yields a refresh token
 *   without a consent page; the scope must still be requested. oidc-provider follows OIDC Core 11
 *   to the letter and drops offline_access unless `prompt` includes `consent`; Entra, Keycloak,
 *   Okta, Auth0 and Descope do not, so by default the authorization request gets `consent` added
 *   to its prompt before oidc-provider sees it (`offlineAccessNeedsConsent: true` keeps the strict
 *   rule, for an IdP that needs Portico's `promptConsent`);
 * - for the google style, `access_type=offline` yields a refresh token without offline_access;
 * - group/role claims are released with `openid` and land in the ID token
 *   (`conformIdTokenClaims: false`), as Entra, Keycloak and Okta do.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Account, type InteractionDetails, type IssueSource, type KoaContextWithOIDC } from 'oidc-provider';
import { listenOnLoopback, sendJson, sendText } from './http-util';
import { createInteractionHandler, INTERACTION_PREFIX } from './interactions';
import { MemoryStore } from './memory-store';
import { errorPage, logoutPage, signedOutPage } from './pages';
import { OIDC_TEST_CLIENT_ID, presetUsers, type ClaimStyle, type OidcTestUser } from './users';

export * from './users';
export { SIGN_IN_LABEL, SIGN_OUT_LABEL, WRONG_PASSWORD_TEXT } from './pages';

export interface StartOidcProviderOptions {
  style: ClaimStyle;
  /** Default presetUsers(style). Kept by reference: a test may change claims while the provider runs. */
  users?: OidcTestUser[];
  /** Default 'portico-desktop'. A public native client (RFC 8252), PKCE S256 required. */
  clientId?: string;
  idTokenTtlSeconds?: number;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** Default true: every refresh answers with a new refresh token; reusing an old one revokes the grant. */
  rotateRefreshToken?: boolean;
  /** Entra-like: the issuer is http://127.0.0.1:<port>/<tenantId>/v2.0 and tokens carry `tid`. */
  tenantId?: string;
  /**
   * With tenantId: also answer like Entra's multi-tenant issuers, `<origin>/organizations/v2.0` and
   * `<origin>/common/v2.0`: their discovery document is the tenant's, with the template issuer
   * `<origin>/{tenantid}/v2.0` (a small proxy in front of oidc-provider). Sign-ins then land in the
   * tenant, whose tokens say iss `<origin>/<tenantId>/v2.0` and tid, as Entra's do.
   */
  multiTenantDiscovery?: boolean;
  /** Default false: the end-session page signs out at once (auto-submit); true shows "Yes, sign me out". */
  confirmLogout?: boolean;
  /** Default false (as the products): offline_access alone yields a refresh token. True: only with prompt=consent (OIDC Core 11). */
  offlineAccessNeedsConsent?: boolean;
  /**
   * More scopes the provider knows (e.g. Entra's `https://ossrdbms-aad.database.windows.net/.default`):
   * granted when asked for at sign-in, then asked for again on a refresh to get an access token
   * for them (the `entra-token` team data method; a stand-in for Entra's resource scopes).
   */
  extraScopes?: string[];
}

export interface OidcTestProvider {
  /** http://127.0.0.1:<port> (or with a /<tenantId>/v2.0 path for tenantId) */
  issuer: string;
  /** `<origin>/organizations/v2.0` or `<origin>/common/v2.0` (needs multiTenantDiscovery). */
  multiTenantIssuer(tenant: 'organizations' | 'common'): string;
  clientId: string;
  endSessionEndpoint: string;
  revocationEndpoint: string;
  /** The live user list (the one passed in, or the preset). */
  users: OidcTestUser[];
  /** Revokes every refresh token / grant of this subject (as an admin would at the IdP): the next refresh must fail with invalid_grant. */
  revokeGrants(sub: string): Promise<void>;
  /** Whether the provider still has a login session for this user (to test that end-session worked). */
  hasSession(sub: string): Promise<boolean>;
  /** Counters: token endpoint calls by grant_type, revocations, end-session calls. */
  stats: { tokenRequests: Record<string, number>; revocations: number; endSessions: number };
  /** Errors oidc-provider reported as its own fault (500s); empty in a healthy run. */
  serverErrors: Error[];
  stop(): Promise<void>;
}

export const OIDC_CALLBACK_PATH = '/callback';
export const OIDC_LOGOUT_CALLBACK_PATH = '/logout-callback';
/** Registered redirect URIs; oidc-provider accepts them on any loopback port for a native client. */
export const OIDC_REDIRECT_URI = `http://127.0.0.1${OIDC_CALLBACK_PATH}`;
export const OIDC_POST_LOGOUT_REDIRECT_URI = `http://127.0.0.1${OIDC_LOGOUT_CALLBACK_PATH}`;

const DEFAULT_TTL = { idToken: 3600, accessToken: 3600, refreshToken: 14 * 24 * 3600 };
const SESSION_TTL_SECONDS = 8 * 3600;
const INTERACTION_TTL_SECONDS = 600;
const CODE_TTL_SECONDS = 60;
const SIGNING_KEY_ID = 'test-rs256-1';

export async function startOidcProvider(options: StartOidcProviderOptions): Promise<OidcTestProvider> {
  const listener = await listenOnLoopback();
  try {
    const mountPath = options.tenantId ? `/${options.tenantId}/v2.0` : '';
    const issuer = `${listener.origin}${mountPath}`;
    const users = options.users ?? presetUsers(options.style);
    const clientId = options.clientId ?? OIDC_TEST_CLIENT_ID;
    const store = new MemoryStore();
    const offlineGrants = new Set<string>();
    const provider = new Provider(
      issuer,
      await configuration({ options, users, clientId, store, offlineGrants, port: listener.port }),
    );
    const harness = observe(provider);
    const interactions = createInteractionHandler({
      provider,
      issuer,
      users: () => users,
      onConsent: (details, grantId) => rememberOfflineRequest(options.style, details, grantId, offlineGrants),
    });
    const multiTenant = options.multiTenantDiscovery && options.tenantId ? listener.origin : null;
    const authorizePath = options.offlineAccessNeedsConsent ? null : `${mountPath}/auth`;
    listener.setHandler(route(provider.callback(), interactions, mountPath, multiTenant ? issuer : null, authorizePath));
    return {
      issuer,
      multiTenantIssuer: (tenant) => {
        if (!multiTenant) throw new Error('start the provider with tenantId and multiTenantDiscovery');
        return `${multiTenant}/${tenant}/v2.0`;
      },
      clientId,
      endSessionEndpoint: `${issuer}/session/end`,
      revocationEndpoint: `${issuer}/token/revocation`,
      users,
      revokeGrants: async (sub) => revokeGrantsOf(store, sub),
      hasSession: async (sub) => store.live('Session').some(([, session]) => session.accountId === sub),
      stats: harness.stats,
      serverErrors: harness.serverErrors,
      stop: () => listener.close(),
    };
  } catch (error) {
    await listener.close();
    throw error;
  }
}

/**
 * Interaction pages live at the origin's root (like a real IdP's login pages), everything else
 * under the issuer's path. oidc-provider routes without the mount path and rebuilds its URLs from
 * `req.originalUrl`, as it does behind Express's `app.use(mountPath, provider.callback())`.
 */
function route(
  callback: (req: IncomingMessage, res: ServerResponse) => void,
  interactions: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  mountPath: string,
  tenantIssuer: string | null,
  authorizePath: string | null,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (authorizePath) req.url = withConsentForOfflineAccess(req.url ?? '/', authorizePath);
    const url = req.url ?? '/';
    if (url.startsWith(INTERACTION_PREFIX)) return void interactions(req, res);
    if (tenantIssuer && MULTI_TENANT_DISCOVERY.test(url)) return void multiTenantDiscovery(tenantIssuer, res);
    if (!mountPath) return callback(req, res);
    if (url !== mountPath && !url.startsWith(`${mountPath}/`) && !url.startsWith(`${mountPath}?`)) {
      return sendText(res, 404, 'not found');
    }
    (req as IncomingMessage & { originalUrl: string }).originalUrl = url;
    req.url = url.slice(mountPath.length) || '/';
    callback(req, res);
  };
}

/**
 * An authorization request (GET `authorizePath`) asking for offline_access, with `consent` added to
 * its prompt: what oidc-provider needs to issue the refresh token the products issue without it.
 */
function withConsentForOfflineAccess(url: string, authorizePath: string): string {
  const parsed = new URL(url, 'http://127.0.0.1');
  if (parsed.pathname !== authorizePath) return url;
  const scopes = (parsed.searchParams.get('scope') ?? '').split(' ');
  const prompts = (parsed.searchParams.get('prompt') ?? '').split(' ').filter(Boolean);
  if (!scopes.includes('offline_access') || prompts.includes('consent') || prompts.includes('none')) return url;
  parsed.searchParams.set('prompt', [...prompts, 'consent'].join(' '));
  return `${parsed.pathname}${parsed.search}`;
}

const MULTI_TENANT_DISCOVERY = /^\/(?:organizations|common)\/v2\.0\/\.well-known\/openid-configuration(?:\?|$)/;

/** Entra's /organizations and /common discovery: the tenant's document, its issuer a template. */
async function multiTenantDiscovery(tenantIssuer: string, res: ServerResponse): Promise<void> {
  try {
    const response = await fetch(`${tenantIssuer}/.well-known/openid-configuration`);
    const document = (await response.json()) as Record<string, unknown>;
    const origin = new URL(tenantIssuer).origin;
    sendJson(res, response.status, { ...document, issuer: `${origin}/{tenantid}/v2.0` });
  } catch (error) {
    sendText(res, 502, `tenant discovery failed: ${(error as Error).message}`);
  }
}

interface ConfigurationInput {
  options: StartOidcProviderOptions;
  users: OidcTestUser[];
  clientId: string;
  store: MemoryStore;
  offlineGrants: Set<string>;
  port: number;
}

async function configuration(input: ConfigurationInput): Promise<Record<string, unknown>> {
  const { options, users, clientId, store } = input;
  const ttl = {
    idToken: options.idTokenTtlSeconds ?? DEFAULT_TTL.idToken,
    accessToken: options.accessTokenTtlSeconds ?? DEFAULT_TTL.accessToken,
    refreshToken: options.refreshTokenTtlSeconds ?? DEFAULT_TTL.refreshToken,
  };
  return {
    adapter: store.adapterFactory(),
    clients: [nativeClient(clientId)],
    jwks: { keys: [await signingKey()] },
    findAccount: (_ctx: unknown, sub: string) => findAccount(users, sub, options.tenantId),
    claims: claimsByScope(users, options.tenantId),
    conformIdTokenClaims: false,
    scopes: ['openid', 'offline_access', 'email', 'profile', ...(options.extraScopes ?? [])],
    pkce: { required: () => true },
    // Kept in the interaction's params (oidc-provider drops unknown ones): Google's access_type
    // decides about refresh tokens; the hints are accepted and ignored, as by IdPs that lack them.
    extraParams: ['access_type', 'domain_hint', 'hd'],
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }, source: IssueSource) =>
      client.grantTypeAllowed('refresh_token') &&
      (source.scopes.has('offline_access') || (!!source.grantId && input.offlineGrants.has(source.grantId))),
    rotateRefreshToken: options.rotateRefreshToken ?? true,
    ttl: {
      AccessToken: ttl.accessToken,
      AuthorizationCode: CODE_TTL_SECONDS,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: SESSION_TTL_SECONDS,
      Grant: Math.max(ttl.refreshToken, SESSION_TTL_SECONDS),
    },
    cookies: cookieSettings(input.port),
    features: {
      devInteractions: { enabled: false },
      // A client may revoke only its own tokens; for a public client a foreign token is ignored
      // silently (RFC 7009 answers 200 either way), as oidc-provider's default does.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId: string }) =>
          token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => html(ctx, logoutPage(form, !options.confirmLogout)),
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => html(ctx, signedOutPage()),
      },
    },
    renderError: async (ctx: KoaContextWithOIDC, out: Record<string, unknown>) => html(ctx, errorPage(out)),
    // Only the loopback client talks to this provider; its browser pages never call it cross-origin.
    clientBasedCORS: () => false,
  };
}

function html(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = 'html';
  ctx.body = body;
}

/** Portico as IT registers it: a public native client (RFC 8252 loopback redirects, no secret). */
function nativeClient(clientId: string): Record<string, unknown> {
  return {
    client_id: clientId,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: [OIDC_REDIRECT_URI],
    post_logout_redirect_uris: [OIDC_POST_LOGOUT_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
  };
}

async function signingKey(): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: SIGNING_KEY_ID, alg: 'RS256', use: 'sig' };
}

/**
 * Cookies over plain http: oidc-provider marks them Secure only when the request is https, so
 * nothing to switch off. The names carry the port because cookies ignore ports: two providers on
 * 127.0.0.1 in one browser would otherwise overwrite each other's session. The interaction cookie
 * keeps oidc-provider's path (/interaction/<uid>), which covers the login form's POST target.
 */
function cookieSettings(port: number): Record<string, unknown> {
  return {
    names: { session: `_op${port}_session`, interaction: `_op${port}_interaction`, resume: `_op${port}_resume` },
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
    keys: [randomBytes(32).toString('base64url')],
  };
}

function standardClaims(user: OidcTestUser, tenantId: string | undefined): Record<string, unknown> {
  return {
    sub: user.sub,
    email: user.email,
    email_verified: true,
    name: user.name,
    preferred_username: user.username,
    ...user.claims,
    ...(tenantId ? { tid: tenantId } : {}),
  };
}

async function findAccount(users: OidcTestUser[], sub: string, tenantId: string | undefined): Promise<Account | undefined> {
  // Looked up again at every refresh: a user removed meanwhile makes the refresh fail (invalid_grant).
  if (!users.some((u) => u.sub === sub)) return undefined;
  return {
    accountId: sub,
    claims: async () => {
      const user = users.find((u) => u.sub === sub);
      return user ? standardClaims(user, tenantId) : { sub };
    },
  };
}

/**
 * Which claims each scope releases. oidc-provider releases only claims listed here, so every
 * product-specific claim the users carry goes under `openid` (always granted). `_claim_names` /
 * `_claim_sources` are not claims of their own: oidc-provider keeps the entries that point at a
 * released claim (here `groups`), so `groups` is listed whenever a user has an overage pointer.
 */
function claimsByScope(users: OidcTestUser[], tenantId: string | undefined): Record<string, string[]> {
  const names = new Set<string>();
  for (const user of users) {
    for (const name of Object.keys(user.claims)) if (name !== '_claim_names' && name !== '_claim_sources') names.add(name);
    const pointers = user.claims._claim_names;
    if (pointers && typeof pointers === 'object') for (const name of Object.keys(pointers)) names.add(name);
  }
  if (tenantId) names.add('tid');
  for (const standard of ['email', 'email_verified', 'name', 'preferred_username']) names.delete(standard);
  return {
    openid: ['sub', ...names],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  };
}

/** Google issues refresh tokens for `access_type=offline` (it has no offline_access scope). */
function rememberOfflineRequest(style: ClaimStyle, details: InteractionDetails, grantId: string, grants: Set<string>): void {
  if (style === 'google' && details.params.access_type === 'offline') grants.add(grantId);
}

function revokeGrantsOf(store: MemoryStore, sub: string): void {
  for (const [grantId, grant] of store.live('Grant')) if (grant.accountId === sub) store.destroyGrant(grantId);
  // Belt and braces: tokens whose grant is already gone.
  for (const [, token] of store.live('RefreshToken')) {
    if (token.accountId === sub && typeof token.grantId === 'string') store.destroyGrant(token.grantId);
  }
}

/** Counts requests per endpoint and keeps oidc-provider's own failures for error messages. */
function observe(provider: Provider): Pick<OidcTestProvider, 'stats' | 'serverErrors'> {
  const stats: OidcTestProvider['stats'] = { tokenRequests: {}, revocations: 0, endSessions: 0 };
  const serverErrors: Error[] = [];
  provider.use(async (ctx, next) => {
    await next();
    // Counted before the response leaves (Koa answers after the middleware chain).
    const route = ctx.oidc?.route;
    if (route === 'token') {
      const grantType = String(ctx.oidc?.body?.grant_type ?? 'unknown');
      stats.tokenRequests[grantType] = (stats.tokenRequests[grantType] ?? 0) + 1;
    } else if (route === 'revocation') stats.revocations++;
    else if (route === 'end_session') stats.endSessions++;
  });
  provider.on('server_error', (_ctx: unknown, error: Error) => serverErrors.push(error));
  return { stats, serverErrors };
}
