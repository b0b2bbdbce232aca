/**
 * A small hand-made OpenID Provider for NEGATIVE tests: it answers like a correct OP by default
 * (so a default round trip passes openid-client's checks), and every answer a client judges can be
 * overridden: discovery, the authorization redirect, the ID token, userinfo, the JWKS and the
 * token response. No login UI: /authorize answers at once with a 302 to the redirect URI.
 * Every request is recorded, so a test can assert "no token request was made". Below the
 * protocol, any endpoint can misbehave at the HTTP level (`http`): never answer, drop the
 * connection, answer with a bare status, or stream a huge body (its progress is recorded, so a
 * test can tell that the client stopped reading).
 *
 * It still enforces what a real OP enforces on the client (PKCE S256, one-time codes bound to
 * client and redirect URI), so a client that forgets PKCE fails here as it would in production.
 *
 * With `entra`, it answers like multi-tenant Microsoft Entra ID as well: under `/<tenant>/v2.0/`
 * (organizations, common, or a tenant id) it serves discovery and the endpoints; for organizations
 * and common the discovery issuer is the template `<origin>/{tenantid}/v2.0`, and every ID token
 * carries `tid` and iss `<origin>/<tid>/v2.0` (the signed-in user's tenant).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTHeaderParameters } from 'jose';
import { listenOnLoopback, readBody, sendHtml, sendJson, sendText } from './http-util';
import { OIDC_TEST_CLIENT_ID } from './users';

export interface IdTokenContext {
  /** iss, aud, azp, sub, nonce (from the authorize request), iat, exp, at_hash (of accessToken), auth_time; tid (entra) */
  claims: Record<string, unknown>;
  accessToken: string;
  grantType: 'authorization_code' | 'refresh_token';
  /** Signs with the OP's current key (header alg RS256 and its kid; `header` overrides, `kid: undefined` drops it). */
  signRs256: (claims: Record<string, unknown>, header?: Record<string, unknown>) => Promise<string>;
  /** The algorithm-confusion attack: HS256 with the OP's public key (SPKI PEM) as the HMAC secret. */
  signHs256WithPublicKey: (claims: Record<string, unknown>) => Promise<string>;
  /** `alg: none`, empty signature. */
  unsigned: (claims: Record<string, unknown>) => string;
  publicJwk: JWK;
}

export interface AuthorizeContext {
  redirectUri: string;
  state: string | null;
  code: string;
  iss: string;
  /** All query parameters of the authorization request. */
  params: URLSearchParams;
}

/** One endpoint's misbehaviour at the HTTP level, instead of (or around) its normal answer. */
export type HttpMisbehaviour =
  /** Never answers (the connection stays open): only the client's timeout ends the request. */
  | { kind: 'hang' }
  /** Closes the connection without answering (a reset, as a crashed server or a proxy would). */
  | { kind: 'reset' }
  /** This status and body instead of the normal answer (a JSON body, or text). */
  | { kind: 'status'; status: number; body?: unknown }
  /** The normal JSON answer followed by `bytes` of spaces (still valid JSON), streamed with backpressure. */
  | { kind: 'pad'; bytes: number };

/** How far a padded answer got: bytes of padding written, and whether all were. */
export interface PaddedAnswer {
  path: string;
  sent: number;
  finished: boolean;
}

export interface RogueOpOptions {
  /** Overrides for the discovery document (e.g. issuer mismatch); a key set to undefined is removed. */
  discovery?: Partial<Record<string, unknown>>;
  /** Builds the ID token for a code exchange (and a refresh); returns a compact JWT string. */
  idToken?: (ctx: IdTokenContext) => Promise<string> | string;
  /** Userinfo answer (default { sub }). */
  userinfo?: (sub: string) => Record<string, unknown>;
  /**
   * Authorization response: by default a redirect to redirect_uri with code and the same state
   * (and iss if `sendIss`); return another Location to alter/drop state, answer for another OP, etc.
   */
  authorize?: (ctx: AuthorizeContext) => string;
  /** Send RFC 9207 `iss` in the authorization response (and say so in discovery). Default false. */
  sendIss?: boolean;
  /** JWKS served (e.g. rotated keys, kid-less single key). Default: every key this OP has signed with. */
  jwks?: () => { keys: JWK[] };
  /** Last word on the token endpoint's JSON body (e.g. drop token_type, change expires_in). */
  tokenResponse?: (body: Record<string, unknown>, grantType: string) => Record<string, unknown>;
  /** Default 'portico-desktop'. */
  clientId?: string;
  /** Subject of every token. Default ROGUE_OP_SUB. */
  sub?: string;
  /** Entra-like multi-tenant answers: the signed-in user's tenant (a GUID, or anything for negative tests). */
  entra?: { tenantId: string };
  /** Per path (e.g. '/token', '/jwks', '/userinfo', '/.well-known/openid-configuration'): misbehave at the HTTP level. */
  http?: Record<string, HttpMisbehaviour>;
}

export interface RogueOpRequest {
  path: string;
  method: string;
  /** The query string without '?', if any. */
  query?: string;
  body?: string;
}

export interface RogueOp {
  /** The origin; with `entra`, each tenant's issuer is under it (see entraIssuer). */
  issuer: string;
  /** `<origin>/<tenant>/v2.0`: the issuer Portico is configured with (organizations, common) or a tenant's issuer. */
  entraIssuer(tenant: string): string;
  /** `<origin>/{tenantid}/v2.0`, what discovery names for organizations and common. */
  entraTemplate: string;
  clientId: string;
  requests: RogueOpRequest[];
  /** Every padded answer (`http` option `pad`), in order. */
  padded: PaddedAnswer[];
  /** The OP's current signing key, public part (with its kid). */
  publicJwk(): JWK;
  /** A new signing key (new kid) for the following tokens; the default JWKS then lists old and new. */
  rotateSigningKey(): Promise<JWK>;
  /** Merged into the current options; `{ idToken: undefined }` removes an override. */
  setOptions(o: Partial<RogueOpOptions>): void;
  /** Back to the options given to startRogueOp (e.g. in afterEach). */
  resetOptions(): void;
  stop(): Promise<void>;
}

export const ROGUE_OP_SUB = 'rogue-user-1';
const ENTRA_TENANT_PLACEHOLDER = '{tenantid}';
/** Entra's multi-tenant issuers: their discovery names the template issuer. */
const ENTRA_MULTI_TENANT = ['organizations', 'common'];
const ID_TOKEN_TTL_SECONDS = 300;
const ACCESS_TOKEN_TTL_SECONDS = 3600;
const CODE_TTL_MS = 60_000;

interface SigningKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  nonce: string | null;
  scope: string;
  expiresAt: number;
}

interface Grant {
  sub: string;
  scope: string;
}

export async function startRogueOp(options: RogueOpOptions = {}): Promise<RogueOp> {
  const listener = await listenOnLoopback();
  const op = new RogueOpServer(listener.origin, { ...options }, [await newSigningKey(1)]);
  listener.setHandler((req, res) => void op.handle(req, res));
  return {
    issuer: op.issuer,
    entraIssuer: (tenant) => `${op.issuer}/${tenant}/v2.0`,
    entraTemplate: `${op.issuer}/${ENTRA_TENANT_PLACEHOLDER}/v2.0`,
    get clientId() {
      return op.clientId();
    },
    requests: op.requests,
    padded: op.padded,
    publicJwk: () => op.currentKey().publicJwk,
    rotateSigningKey: () => op.rotateKey(),
    setOptions: (o) => Object.assign(op.options, o),
    resetOptions: () => {
      for (const key of Object.keys(op.options)) delete op.options[key as keyof RogueOpOptions];
      Object.assign(op.options, options);
    },
    stop: () => listener.close(),
  };
}

async function newSigningKey(generation: number): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: `rogue-${generation}`, alg: 'RS256', use: 'sig' };
  return { privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

class RogueOpServer {
  readonly requests: RogueOpRequest[] = [];
  readonly padded: PaddedAnswer[] = [];
  readonly #codes = new Map<string, IssuedCode>();
  readonly #accessTokens = new Map<string, Grant>();
  readonly #refreshTokens = new Map<string, Grant>();

  constructor(
    readonly issuer: string,
    readonly options: RogueOpOptions,
    private readonly keys: SigningKey[],
  ) {}

  clientId(): string {
    return this.options.clientId ?? OIDC_TEST_CLIENT_ID;
  }

  currentKey(): SigningKey {
    const key = this.keys.at(-1);
    if (!key) throw new Error('no signing key');
    return key;
  }

  async rotateKey(): Promise<JWK> {
    const key = await newSigningKey(this.keys.length + 1);
    this.keys.push(key);
    return key.publicJwk;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    const body = req.method === 'POST' ? await readBody(req).catch(() => '') : undefined;
    this.requests.push({
      path: url.pathname,
      method: req.method ?? 'GET',
      ...(url.search ? { query: url.search.slice(1) } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    const misbehaviour = this.options.http?.[url.pathname];
    if (misbehaviour?.kind === 'hang') return;
    if (misbehaviour?.kind === 'reset') return void req.socket.destroy();
    if (misbehaviour?.kind === 'status') {
      const { status, body: answer } = misbehaviour;
      if (typeof answer === 'string' || answer === undefined) return sendText(res, status, answer ?? '');
      return sendJson(res, status, answer);
    }
    if (misbehaviour?.kind === 'pad') this.#pad(url.pathname, res, misbehaviour.bytes);
    try {
      await this.#route(url, req, res, new URLSearchParams(body ?? ''));
    } catch (error) {
      sendJson(res, 500, { error: 'server_error', error_description: (error as Error).message });
    }
  }

  /** The answer `res` ends with is followed by `bytes` of spaces, written as fast as the client reads. */
  #pad(path: string, res: ServerResponse, bytes: number): void {
    const progress: PaddedAnswer = { path, sent: 0, finished: false };
    this.padded.push(progress);
    const end = res.end.bind(res) as () => ServerResponse;
    const piece = Buffer.alloc(64 * 1024, 0x20);
    res.end = ((chunk?: unknown) => {
      if (chunk !== undefined && typeof chunk !== 'function') res.write(chunk as string | Buffer);
      const pump = (): void => {
        while (progress.sent < bytes) {
          if (res.destroyed) return;
          const size = Math.min(piece.length, bytes - progress.sent);
          progress.sent += size;
          if (!res.write(size === piece.length ? piece : piece.subarray(0, size))) return void res.once('drain', pump);
        }
        progress.finished = true;
        end();
      };
      pump();
      return res;
    }) as ServerResponse['end'];
  }

  async #route(url: URL, req: IncomingMessage, res: ServerResponse, form: URLSearchParams): Promise<void> {
    // Entra-like: /<tenant>/v2.0/<endpoint>; the endpoint is routed as at the root.
    const tenantPath = this.options.entra ? /^\/([^/]+)\/v2\.0(\/.*)$/.exec(url.pathname) : null;
    const path = tenantPath ? tenantPath[2]! : url.pathname;
    switch (path) {
      case '/.well-known/openid-configuration':
        return sendJson(res, 200, this.#discovery(tenantPath ? tenantPath[1]! : null));
      case '/jwks':
        return sendJson(res, 200, this.options.jwks?.() ?? { keys: this.keys.map((k) => k.publicJwk) });
      case '/authorize':
        return this.#authorize(url.searchParams, res);
      case '/token':
        return req.method === 'POST' ? this.#token(form, res) : sendText(res, 405, 'POST only');
      case '/userinfo':
        return this.#userinfo(req, res);
      case '/revoke':
        return void res.writeHead(200).end();
      case '/logout':
        return this.#logout(url.searchParams, res);
      default:
        return sendText(res, 404, 'not found');
    }
  }

  /** Entra-like: the issuer of the signed-in user's tenant; else the origin. */
  tokenIssuer(): string {
    const tenant = this.options.entra?.tenantId;
    return tenant === undefined ? this.issuer : `${this.issuer}/${tenant}/v2.0`;
  }

  /** `tenant`: the path's tenant segment (Entra-like), null at the root. */
  #discovery(tenant: string | null): Record<string, unknown> {
    const base = tenant === null ? this.issuer : `${this.issuer}/${tenant}/v2.0`;
    const issuer =
      tenant === null
        ? this.issuer
        : ENTRA_MULTI_TENANT.includes(tenant)
          ? `${this.issuer}/${ENTRA_TENANT_PLACEHOLDER}/v2.0`
          : base;
    const document: Record<string, unknown> = {
      issuer,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/userinfo`,
      jwks_uri: `${base}/jwks`,
      revocation_endpoint: `${base}/revoke`,
      end_session_endpoint: `${base}/logout`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['openid', 'email', 'profile', 'offline_access'],
      authorization_response_iss_parameter_supported: this.options.sendIss === true,
      ...this.options.discovery,
    };
    for (const [key, value] of Object.entries(document)) if (value === undefined) delete document[key];
    return document;
  }

  #authorize(params: URLSearchParams, res: ServerResponse): void {
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri || params.get('client_id') !== this.clientId()) {
      return sendText(res, 400, 'unknown client or missing redirect_uri');
    }
    const code = randomBytes(24).toString('base64url');
    this.#codes.set(code, {
      clientId: this.clientId(),
      redirectUri,
      codeChallenge: params.get('code_challenge'),
      codeChallengeMethod: params.get('code_challenge_method'),
      nonce: params.get('nonce'),
      scope: params.get('scope') ?? 'openid',
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const ctx: AuthorizeContext = { redirectUri, state: params.get('state'), code, iss: this.tokenIssuer(), params };
    const location = this.options.authorize?.(ctx) ?? this.#defaultAuthorizationResponse(ctx);
    res.writeHead(302, { location, 'cache-control': 'no-store' });
    res.end();
  }

  #defaultAuthorizationResponse(ctx: AuthorizeContext): string {
    const target = new URL(ctx.redirectUri);
    target.searchParams.set('code', ctx.code);
    if (ctx.state !== null) target.searchParams.set('state', ctx.state);
    if (this.options.sendIss) target.searchParams.set('iss', ctx.iss);
    return target.href;
  }

  async #token(form: URLSearchParams, res: ServerResponse): Promise<void> {
    const grantType = form.get('grant_type') ?? '';
    const outcome =
      grantType === 'authorization_code'
        ? this.#redeemCode(form)
        : grantType === 'refresh_token'
          ? this.#redeemRefreshToken(form)
          : { error: 'unsupported_grant_type' as const, description: `grant_type ${grantType || '(none)'}` };
    if ('error' in outcome) return sendJson(res, 400, { error: outcome.error, error_description: outcome.description });
    const body = await this.#issueTokens(outcome.grant, outcome.nonce, grantType as IdTokenContext['grantType']);
    sendJson(res, 200, this.options.tokenResponse?.(body, grantType) ?? body, { pragma: 'no-cache' });
  }

  /** One use, bound to client and redirect URI, PKCE S256 checked: like any real OP. */
  #redeemCode(form: URLSearchParams): { grant: Grant; nonce: string | null } | { error: string; description: string } {
    const code = form.get('code') ?? '';
    const issued = this.#codes.get(code);
    this.#codes.delete(code);
    if (!issued || issued.expiresAt < Date.now()) return { error: 'invalid_grant', description: 'unknown, used or expired code' };
    if (form.get('client_id') !== issued.clientId) return { error: 'invalid_grant', description: 'client mismatch' };
    if (form.get('redirect_uri') !== issued.redirectUri) return { error: 'invalid_grant', description: 'redirect_uri mismatch' };
    const verifier = form.get('code_verifier');
    if (issued.codeChallengeMethod !== 'S256' || !issued.codeChallenge || !verifier) {
      return { error: 'invalid_grant', description: 'PKCE S256 required' };
    }
    if (createHash('sha256').update(verifier).digest('base64url') !== issued.codeChallenge) {
      return { error: 'invalid_grant', description: 'PKCE verification failed' };
    }
    return { grant: { sub: this.options.sub ?? ROGUE_OP_SUB, scope: issued.scope }, nonce: issued.nonce };
  }

  /** Rotating: the presented refresh token is spent. */
  #redeemRefreshToken(form: URLSearchParams): { grant: Grant; nonce: null } | { error: string; description: string } {
    const token = form.get('refresh_token') ?? '';
    const grant = this.#refreshTokens.get(token);
    this.#refreshTokens.delete(token);
    if (!grant) return { error: 'invalid_grant', description: 'unknown or used refresh token' };
    return { grant, nonce: null };
  }

  async #issueTokens(
    grant: Grant,
    nonce: string | null,
    grantType: IdTokenContext['grantType'],
  ): Promise<Record<string, unknown>> {
    const accessToken = randomBytes(32).toString('base64url');
    this.#accessTokens.set(accessToken, grant);
    const claims = this.#defaultClaims(grant.sub, nonce, accessToken);
    const idToken = await (this.options.idToken ?? ((ctx: IdTokenContext) => ctx.signRs256(ctx.claims)))(
      this.#idTokenContext(claims, accessToken, grantType),
    );
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      id_token: idToken,
      scope: grant.scope,
    };
    if (grant.scope.split(' ').includes('offline_access')) {
      const refreshToken = randomBytes(32).toString('base64url');
      this.#refreshTokens.set(refreshToken, grant);
      body.refresh_token = refreshToken;
    }
    return body;
  }

  #defaultClaims(sub: string, nonce: string | null, accessToken: string): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const tenant = this.options.entra?.tenantId;
    return {
      iss: this.tokenIssuer(),
      ...(tenant !== undefined ? { tid: tenant } : {}),
      sub,
      aud: this.clientId(),
      azp: this.clientId(),
      iat: now,
      exp: now + ID_TOKEN_TTL_SECONDS,
      auth_time: now,
      ...(nonce !== null ? { nonce } : {}),
      at_hash: atHash(accessToken),
    };
  }

  #idTokenContext(claims: Record<string, unknown>, accessToken: string, grantType: IdTokenContext['grantType']): IdTokenContext {
    const key = this.currentKey();
    return {
      claims,
      accessToken,
      grantType,
      publicJwk: key.publicJwk,
      signRs256: (payload, header) =>
        new SignJWT(payload)
          .setProtectedHeader({ alg: 'RS256', kid: key.publicJwk.kid, ...header } as JWTHeaderParameters)
          .sign(key.privateKey),
      signHs256WithPublicKey: (payload) =>
        new SignJWT(payload)
          .setProtectedHeader({ alg: 'HS256', kid: key.publicJwk.kid })
          .sign(new TextEncoder().encode(key.publicPem)),
      unsigned: (payload) => `${base64urlJson({ alg: 'none', typ: 'JWT' })}.${base64urlJson(payload)}.`,
    };
  }

  #userinfo(req: IncomingMessage, res: ServerResponse): void {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const grant = token ? this.#accessTokens.get(token) : undefined;
    if (!grant) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
      return void res.end();
    }
    sendJson(res, 200, this.options.userinfo?.(grant.sub) ?? { sub: grant.sub });
  }

  #logout(params: URLSearchParams, res: ServerResponse): void {
    const target = params.get('post_logout_redirect_uri');
    if (!target) return sendHtml(res, 200, '<!doctype html><title>Signed out</title><p>Signed out</p>');
    const location = new URL(target);
    const state = params.get('state');
    if (state !== null) location.searchParams.set('state', state);
    res.writeHead(302, { location: location.href });
    res.end();
  }
}

/** OIDC Core 3.1.3.6: base64url of the left half of SHA-256 of the access token. */
export function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
