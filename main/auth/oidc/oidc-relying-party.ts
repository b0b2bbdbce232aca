/**
 * Portico as an OIDC relying party for one provider, on openid-client v6: discovery (cached,
 * with a timeout), authorization code + PKCE S256 + state (single use) + nonce, full ID token
 * validation (openid-client: iss, aud, azp with several audiences, exp, iat, nonce, signature,
 * alg; here: azp with one audience, at_hash, an `iat` in the future), userinfo with the subject
 * checked, refresh with rotation, revocation and RP-initiated logout.
 *
 * Every request goes through ./idp-fetch (https or loopback http per endpoint, bodies capped, "no
 * answer" told apart from an answer). Every token answer is read once, then validated by a
 * Configuration prepared for it (./token-answer): its signing keys fetched again for a new `kid`
 * (./signing-keys) and, for multi-tenant Microsoft Entra ID (entra preset, issuer
 * .../organizations/v2.0 or .../common/v2.0), the issuer of the tenant its ID token names
 * (./entra-tenants).
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { checkTenantAllowed, checkTenantIssParameter, expectedTenantIssuer, isTenantId } from './entra-tenants';
import { asCustomFetch, idpRequest, insecureTransport, type IdpRequest } from './idp-fetch';
import { entraTenantTemplate, type OidcPreset, type OidcProviderConfig } from './oidc-config';
import { fromOpenIdClientError, OidcError } from './oidc-errors';
import { kidOf, SigningKeys, type KeyClock } from './signing-keys';
import { captureTokenAnswer, capturedAnswer, replayingFetch, stoppingFetch, type TokenAnswer } from './token-answer';

/** Each request to the IdP (discovery, keys, token, userinfo, revocation): longer is "unreachable". */
const REQUEST_TIMEOUT_S = 10;
const DISCOVERY_TTL_MS = 60 * 60_000;
/** Clock difference tolerated with the IdP for exp, nbf (openid-client) and iat (here). */
export const CLOCK_TOLERANCE_S = 30;
/** The endpoints that receive codes, verifiers, tokens or the user: each must be https or loopback. */
const ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'revocation_endpoint',
  'end_session_endpoint',
] as const;

export interface LoginChecks {
  codeVerifier: string;
  state: string;
  nonce: string;
}

export interface OidcTokens {
  refreshToken: string | null;
  accessToken: string;
  idToken: string | null;
  /** Epoch ms when the access token expires (when the IdP says). */
  expiresAt: number | null;
  claims: Record<string, unknown>;
}

export interface RelyingPartyOptions {
  /** Seconds each request to the IdP may take (default 10). */
  timeoutSeconds?: number;
  /** The clock of the signing keys' re-fetch rate limit (tests). */
  keyClock?: KeyClock;
}

type Grant = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

export class OidcRelyingParty {
  private discovered: { at: number; config: Promise<client.Configuration> } | null = null;
  /** States of attempts already finished (or tried): an attempt's checks are good for one answer. */
  private readonly finishedStates = new Set<string>();
  /** Multi-tenant Entra: `<origin>/{tenantid}/v2.0`, the issuer discovery names; null for one issuer. */
  private readonly tenantTemplate: string | null;
  private readonly timeoutSeconds: number;
  private readonly keys: SigningKeys;
  /** Every request to the IdP (./idp-fetch), and the same as openid-client's customFetch. */
  private readonly request: IdpRequest;
  private readonly fetch: client.CustomFetch;
  /** The discovered JWKS URI, to tell key-set fetches apart (./signing-keys rate limit). */
  private jwksUri: string | null = null;
  /** Some endpoint is plain http (on loopback, checked at discovery): openid-client must allow it. */
  private plainHttp: boolean;
  /**
   * One issuer: the Configuration that validates every token answer, kept across exchanges (so
   * openid-client keeps its key set and imported keys), replaced when a new signing key appears.
   */
  private validating: { for: client.Configuration; config: client.Configuration } | null = null;

  constructor(
    readonly provider: OidcProviderConfig,
    options: RelyingPartyOptions = {},
  ) {
    this.tenantTemplate = entraTenantTemplate(provider);
    this.timeoutSeconds = options.timeoutSeconds ?? REQUEST_TIMEOUT_S;
    this.keys = new SigningKeys(options.keyClock);
    this.request = idpRequest({ onResponse: (url) => url.href === this.jwksUri && this.keys.fetched() });
    this.fetch = asCustomFetch(this.request);
    this.plainHttp = new URL(provider.issuer).protocol === 'http:';
  }

  /**
   * The authorization URL for one attempt and the values that bind its answer to it. `interaction`:
   * the IdP must ask who is signing in even while its session is valid (see interactionPrompt).
   */
  async startLogin(
    redirectUri: string,
    loginHint?: string,
    interaction?: SignInInteraction,
  ): Promise<{ url: string; checks: LoginChecks }> {
    const config = await this.configuration();
    const checks = { codeVerifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
    const { prompt, ...authParams } = definedEntries(this.provider.authParams);
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: this.provider.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
      ...authParams,
    };
    if (loginHint) params.login_hint = loginHint;
    // Google issues refresh tokens through access_type=offline, not the offline_access scope.
    if (this.provider.preset === 'google') params.access_type = 'offline';
    const wantsRefreshToken = this.provider.preset === 'google' || this.provider.scopes.includes('offline_access');
    const asked = interaction ? interactionPrompt(interaction, this.provider.preset, prompt) : prompt;
    const prompts = promptValue(asked, wantsRefreshToken && this.provider.promptConsent);
    if (prompts) params.prompt = prompts;
    return { url: client.buildAuthorizationUrl(config, params).href, checks };
  }

  /** Validates the callback and exchanges the code; claims from the validated ID token (+ userinfo). */
  async finishLogin(callbackUrl: string, checks: LoginChecks): Promise<OidcTokens> {
    // A replayed answer would pass the state check and reach the token endpoint (SECURITY.md: a
    // reused state is refused before any token request). Marked before any await: no race.
    if (this.finishedStates.has(checks.state)) throw new OidcError('OIDC_STATE', 'this sign-in attempt was already answered');
    this.finishedStates.add(checks.state);
    const discovered = await this.configuration();
    try {
      if (this.tenantTemplate) {
        const required = discovered.serverMetadata().authorization_response_iss_parameter_supported === true;
        checkTenantIssParameter(callbackUrl, this.tenantTemplate, required);
      }
      const { tokens, config } = await this.exchange(discovered, (config, probing) =>
        client.authorizationCodeGrant(config, probing ? withoutIssParameter(callbackUrl) : new URL(callbackUrl), {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        }),
      );
      const claims = { ...(tokens.claims() ?? {}) } as Record<string, unknown>;
      this.checkIdToken(tokens, claims);
      this.checkTenant(claims);
      return await this.withUserinfo(config, tokens, claims);
    } catch (error) {
      throw fromOpenIdClientError(error);
    }
  }

  /** Refreshes (rotation: the returned refresh token replaces the old one when present). */
  async refresh(refreshToken: string, expectedSubject: string): Promise<OidcTokens> {
    const discovered = await this.configuration();
    try {
      const { tokens, config } = await this.exchange(discovered, (config) => client.refreshTokenGrant(config, refreshToken));
      const claims = { ...(tokens.claims() ?? {}) } as Record<string, unknown>;
      this.checkIdToken(tokens, claims);
      this.checkTenant(claims);
      if (claims.sub !== undefined && claims.sub !== expectedSubject)
        throw new OidcError('OIDC_USERINFO', 'refresh returned another subject');
      const result = await this.withUserinfo(config, tokens, { sub: expectedSubject, ...claims });
      return { ...result, refreshToken: tokens.refresh_token ?? refreshToken };
    } catch (error) {
      throw fromOpenIdClientError(error);
    }
  }

  /**
   * An access token for another resource, from the kept refresh token: Microsoft Entra's
   * `<resource>/.default` scope (Azure Database for PostgreSQL for the `entra-token` team data
   * method). Never kept on disk; rotation: the returned refresh token replaces the old one.
   */
  async accessTokenFor(refreshToken: string, scope: string, expectedSubject: string): Promise<OidcTokens> {
    const discovered = await this.configuration();
    try {
      const { tokens } = await this.exchange(discovered, (config) => client.refreshTokenGrant(config, refreshToken, { scope }));
      const claims = { ...(tokens.claims() ?? {}) } as Record<string, unknown>;
      if (claims.sub !== undefined && claims.sub !== expectedSubject)
        throw new OidcError('OIDC_USERINFO', 'refresh returned another subject');
      return {
        refreshToken: tokens.refresh_token ?? refreshToken,
        accessToken: tokens.access_token,
        idToken: tokens.id_token ?? null,
        expiresAt: typeof tokens.expires_in === 'number' ? Date.now() + tokens.expires_in * 1000 : null,
        claims,
      };
    } catch (error) {
      throw fromOpenIdClientError(error);
    }
  }

  /** Revokes a refresh token where the provider supports it; false when it does not. */
  async revoke(refreshToken: string): Promise<boolean> {
    const config = await this.configuration();
    if (!config.serverMetadata().revocation_endpoint) return false;
    await client.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
    return true;
  }

  /** RP-initiated logout URL, or null when the provider has no end_session_endpoint. */
  async endSessionUrl(idTokenHint: string | null, postLogoutRedirectUri: string): Promise<string | null> {
    const config = await this.configuration();
    if (!config.serverMetadata().end_session_endpoint) return null;
    const params: Record<string, string> = { client_id: this.provider.clientId, post_logout_redirect_uri: postLogoutRedirectUri };
    if (idTokenHint) params.id_token_hint = idTokenHint;
    return client.buildEndSessionUrl(config, params).href;
  }

  /** Discovery, cached for an hour; a failure is not cached. */
  private configuration(): Promise<client.Configuration> {
    const now = Date.now();
    if (this.discovered && now - this.discovered.at < DISCOVERY_TTL_MS) return this.discovered.config;
    const config = this.discover();
    this.discovered = { at: now, config };
    config.catch(() => (this.discovered = null));
    return config;
  }

  /**
   * Reads `<issuer>/.well-known/openid-configuration` and checks it here, not in openid-client:
   * openid-client lets any issuer mismatch at login.microsoftonline.com pass (and then expects iss
   * from `tid` for every preset), and compares issuers as parsed URLs (`https://h` = `https://h/`).
   * Portico accepts exactly the configured issuer string, or, for multi-tenant Entra only, exactly
   * the `{tenantid}` template of the configured issuer; and only endpoints it may send codes and
   * tokens to (each one https, or itself on loopback).
   */
  private async discover(): Promise<client.Configuration> {
    const issuer = new URL(this.provider.issuer);
    const wellKnown = new URL(issuer.href);
    wellKnown.pathname = `${issuer.pathname}/.well-known/openid-configuration`.replace('//', '/');
    let config: client.Configuration;
    try {
      config = await client.discovery(wellKnown, this.provider.clientId, this.clientMetadata(), this.clientAuth(), {
        timeout: this.timeoutSeconds,
        [client.customFetch]: this.fetch,
        execute: this.extensions(),
      });
    } catch (error) {
      const mapped = fromOpenIdClientError(error);
      if (['OIDC_UNREACHABLE', 'OIDC_RESPONSE_TOO_LARGE', 'OIDC_INSECURE_ENDPOINT'].includes(mapped.code)) throw mapped;
      const message = error instanceof Error ? error.message : String(error);
      throw new OidcError(/issuer/i.test(message) ? 'OIDC_ISSUER' : 'OIDC_DISCOVERY', mapped.detail || message);
    }
    const metadata = config.serverMetadata();
    const discovered = metadata.issuer;
    const expected = this.tenantTemplate ?? this.provider.issuer;
    if (discovered !== expected) {
      const slash = typeof discovered === 'string' && discovered.replace(/\/$/, '') === expected.replace(/\/$/, '');
      throw new OidcError(
        'OIDC_ISSUER',
        `discovered metadata issuer does not match the expected issuer: ${JSON.stringify(discovered).slice(0, 200)}, expected ${expected}` +
          (slash ? ` (set "issuer" to exactly ${JSON.stringify(discovered)}: the trailing slash counts)` : ''),
      );
    }
    for (const name of ENDPOINTS) {
      const value = metadata[name];
      if (value === undefined) continue;
      let url: URL;
      try {
        url = new URL(String(value));
      } catch {
        throw new OidcError('OIDC_DISCOVERY', `${name} is not a URL`);
      }
      const insecure = insecureTransport(url);
      if (insecure) throw new OidcError('OIDC_INSECURE_ENDPOINT', `${name} ${url.origin}${url.pathname}: ${insecure}`);
      if (url.protocol === 'http:') this.plainHttp = true;
    }
    if (this.plainHttp) client.allowInsecureRequests(config);
    this.jwksUri = metadata.jwks_uri ? new URL(metadata.jwks_uri).href : null;
    return config;
  }

  private clientAuth(): client.ClientAuth {
    return this.provider.clientSecret ? client.ClientSecretPost(this.provider.clientSecret) : client.None();
  }

  /** The clock tolerance, said once for every Configuration (it is openid-client's default too). */
  private clientMetadata(): Partial<client.ClientMetadata> {
    return { [client.clockTolerance]: CLOCK_TOLERANCE_S };
  }

  private extensions(): Array<(config: client.Configuration) => void> {
    return [
      // openid-client trusts the TLS channel for ID tokens from the token endpoint and skips
      // their signature by default: verify it against the JWKS anyway (SECURITY.md: a bad
      // signature, alg none or HS256 with the public key must be refused).
      client.enableNonRepudiationChecks,
      // Plain http only to loopback endpoints: checked per endpoint at discovery, and per
      // request by idpFetch; openid-client's own switch covers all endpoints at once.
      ...(this.plainHttp ? [client.allowInsecureRequests] : []),
    ];
  }

  /** A Configuration like discovery's, for one token answer (and, multi-tenant, another issuer). */
  private configurationFor(metadata: client.ServerMetadata): client.Configuration {
    const config = new client.Configuration(metadata, this.provider.clientId, this.clientMetadata(), this.clientAuth());
    config.timeout = this.timeoutSeconds;
    config[client.customFetch] = this.fetch;
    for (const extension of this.extensions()) extension(config);
    return config;
  }

  /**
   * One token request, validated by openid-client. Nothing in the answer is trusted before that.
   *
   * One issuer: on the kept validating Configuration, whose key set openid-client keeps. When the
   * ID token names a `kid` that set lacks, the run stops at the answer (./token-answer), and a new
   * Configuration, which fetches the key set again (no sooner than ./signing-keys allows), replays
   * and validates it, then becomes the kept one.
   *
   * Multi-tenant Entra: the ID token's `tid` (not yet trusted) names the issuer to expect, which
   * must be its `iss`: a first run of the grant only fetches the answer; a second, with a
   * Configuration for that tenant's issuer, replays it and validates everything (state, iss
   * parameter, signature, aud, azp, nonce, exp, iat).
   */
  private async exchange(
    discovered: client.Configuration,
    grant: (config: client.Configuration, probing: boolean) => Promise<Grant>,
  ): Promise<{ tokens: Grant; config: client.Configuration }> {
    const metadata: client.ServerMetadata = { ...discovered.serverMetadata() };
    const tokenEndpoint = metadata.token_endpoint;
    if (!tokenEndpoint) throw new OidcError('OIDC_DISCOVERY', 'the discovery document has no token_endpoint');
    if (this.tenantTemplate) return this.exchangeForTenant(metadata, tokenEndpoint, this.tenantTemplate, grant);
    if (this.validating?.for !== discovered)
      this.validating = { for: discovered, config: this.validatingConfiguration(metadata) };
    const config = this.validating.config;
    try {
      return { tokens: await grant(config, false), config };
    } catch (error) {
      const answer = capturedAnswer(error);
      if (!answer) throw error;
      await this.keys.beforeRefetch();
      const fresh = this.configurationFor(metadata);
      fresh[client.customFetch] = replayingFetch(answer, tokenEndpoint, this.request);
      try {
        return { tokens: await grant(fresh, false), config: fresh };
      } finally {
        // It holds the key set just fetched: the next exchanges start from it.
        fresh[client.customFetch] = this.keyCheckingFetch(fresh, tokenEndpoint);
        if (this.validating?.for === discovered) this.validating.config = fresh;
      }
    }
  }

  /** A Configuration for one issuer's answers, stopping at an ID token signed with a key it does not hold. */
  private validatingConfiguration(metadata: client.ServerMetadata): client.Configuration {
    const config = this.configurationFor(metadata);
    config[client.customFetch] = this.keyCheckingFetch(config, metadata.token_endpoint!);
    return config;
  }

  private keyCheckingFetch(config: client.Configuration, tokenEndpoint: string): client.CustomFetch {
    return stoppingFetch(tokenEndpoint, this.request, (answer: TokenAnswer) => {
      const held = client.getJwksCache(config);
      return answer.ok && held !== undefined && !hasSigningKey(held, answer.idToken);
    });
  }

  private async exchangeForTenant(
    metadata: client.ServerMetadata,
    tokenEndpoint: string,
    template: string,
    grant: (config: client.Configuration, probing: boolean) => Promise<Grant>,
  ): Promise<{ tokens: Grant; config: client.Configuration }> {
    // No issuer is known yet in the first run, so the RFC 9207 `iss` parameter (checked to be some
    // tenant's by finishLogin) is matched to the token's tenant by the second.
    const probe = this.configurationFor({ ...metadata, authorization_response_iss_parameter_supported: false });
    const answer = await captureTokenAnswer(probe, tokenEndpoint, this.request, (config) => grant(config, true));
    let issuer = template;
    if (answer.ok) {
      if (!answer.idToken) throw new OidcError('OIDC_TENANT_MISSING', 'the token endpoint answered without an ID token');
      issuer = expectedTenantIssuer(answer.idToken, template).issuer;
    }
    // An error answer (invalid_grant...) is replayed too, for openid-client's usual error.
    const config = this.configurationFor({ ...metadata, issuer });
    await this.keys.prepare(config, answer.ok ? answer.idToken : null);
    config[client.customFetch] = replayingFetch(answer, tokenEndpoint, this.request);
    try {
      return { tokens: await grant(config, false), config };
    } finally {
      this.keys.keep(config);
    }
  }

  /** Multi-tenant Entra: the validated token's tenant must be in allowedTenants, when set. */
  private checkTenant(claims: Record<string, unknown>): void {
    if (!this.tenantTemplate) return;
    // exchange() refused a token without a GUID tid: this is the same token, now validated.
    if (!isTenantId(claims.tid)) throw new OidcError('OIDC_TENANT_INVALID', 'the validated ID token has no tenant id');
    checkTenantAllowed(claims.tid, this.provider.allowedTenants);
  }

  /**
   * What openid-client leaves out for ID tokens from the token endpoint (SECURITY.md): `azp` is
   * compared only when `aud` has several values, `at_hash` not at all, and `iat` only for being
   * too old. A present `azp` must be Portico (OIDC Core 3.1.3.7), a present `at_hash` must match
   * the access token (3.1.3.8), and a token cannot be issued later than now (beyond the skew).
   */
  private checkIdToken(tokens: client.TokenEndpointResponse, claims: Record<string, unknown>): void {
    if (!tokens.id_token) return;
    const now = Date.now() / 1000;
    if (typeof claims.iat === 'number' && claims.iat > now + CLOCK_TOLERANCE_S) {
      throw new OidcError(
        'OIDC_EXPIRED',
        `ID Token "iat" (issued at) is ${Math.round(claims.iat - now)} s in the future (${CLOCK_TOLERANCE_S} s tolerated)`,
      );
    }
    if (claims.azp !== undefined && claims.azp !== this.provider.clientId)
      throw new OidcError('OIDC_AUDIENCE', 'unexpected ID Token "azp" (authorized party) claim value');
    if (claims.at_hash === undefined) return;
    const header = JSON.parse(Buffer.from(tokens.id_token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: string };
    const bits =
      /^(?:RS|PS|ES)(256|384|512)$/.exec(header.alg ?? '')?.[1] ?? (/^(?:EdDSA|Ed25519)$/.test(header.alg ?? '') ? '512' : null);
    if (!bits) throw new OidcError('OIDC_ID_TOKEN', `cannot check "at_hash" for alg ${String(header.alg)}`);
    const digest = createHash(`sha${bits}`).update(tokens.access_token).digest();
    if (claims.at_hash !== digest.subarray(0, digest.length / 2).toString('base64url'))
      throw new OidcError('OIDC_ID_TOKEN', 'ID Token "at_hash" does not match the access token');
  }

  private async withUserinfo(
    config: client.Configuration,
    tokens: client.TokenEndpointResponse,
    claims: Record<string, unknown>,
  ): Promise<OidcTokens> {
    const sub = String(claims.sub ?? '');
    let merged = claims;
    // Roles missing from the ID token: ask userinfo, for the same subject only.
    const hasRoleClaims = this.provider.roleClaims.some((path) => path.split('.')[0]! in claims);
    if (!hasRoleClaims && config.serverMetadata().userinfo_endpoint && sub) {
      try {
        const info = await client.fetchUserInfo(config, tokens.access_token, sub);
        merged = { ...info, ...claims };
      } catch (error) {
        // Another subject is OIDC_USERINFO; no answer, a refusal or an unreadable one say so.
        throw fromOpenIdClientError(error);
      }
    }
    return {
      refreshToken: tokens.refresh_token ?? null,
      accessToken: tokens.access_token,
      idToken: tokens.id_token ?? null,
      expiresAt: typeof tokens.expires_in === 'number' ? Date.now() + tokens.expires_in * 1000 : null,
      claims: merged,
    };
  }
}

/** The callback without its RFC 9207 `iss` parameter (multi-tenant first run only, see exchange()). */
function withoutIssParameter(callbackUrl: string): URL {
  const url = new URL(callbackUrl);
  url.searchParams.delete('iss');
  return url;
}

/** Whether `keys` holds the key an ID token names (a token without `kid`: the library picks the key). */
function hasSigningKey(keys: client.ExportedJWKSCache, idToken: string | null): boolean {
  const kid = kidOf(idToken);
  return kid === undefined || keys.jwks.keys.some((key) => key.kid === kid);
}

/** The `prompt` to send: IT's own value, with `consent` added when a refresh token needs it. */
function promptValue(configured: string | undefined, consent: boolean): string | undefined {
  const values = configured?.split(' ') ?? [];
  if (!consent || values.includes('none') || values.includes('consent')) return configured ?? (consent ? 'consent' : undefined);
  return configured ? `${configured} consent` : 'consent';
}

/**
 * Why a sign-in must not be answered from the IdP's session alone: the person chose "Use another
 * account", or is proving again who they are (unlock, recent sign-in).
 */
export type SignInInteraction = 'switch-account' | 'reauthenticate';

/** Providers whose account chooser lists the accounts signed in there (OIDC Core 3.1.2.1 `select_account`). */
const ACCOUNT_CHOOSER_PRESETS: ReadonlySet<OidcPreset> = new Set(['google', 'entra']);

/**
 * The `prompt` for an interaction (OIDC Core 3.1.2.1): `login` makes the IdP authenticate again;
 * an account chooser, where the provider has one, lets the person pick or add another account.
 * IT's `none` cannot stand (the IdP must ask); IT's `consent` is kept.
 */
export function interactionPrompt(interaction: SignInInteraction, preset: OidcPreset, configured?: string): string {
  const base = interaction === 'switch-account' && ACCOUNT_CHOOSER_PRESETS.has(preset) ? 'select_account' : 'login';
  return configured === 'consent' ? `${base} consent` : base;
}

function definedEntries(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => e[1] !== undefined));
}
