/**
 * Portico as an OIDC relying party for one provider, on openid-client v6: discovery (cached,
 * with a timeout), authorization code + PKCE S256 + state + nonce, full ID token validation
 * (openid-client: iss, aud, azp, exp, iat, nonce, at_hash, signature, alg), userinfo with
 * the subject checked, refresh with rotation, revocation and RP-initiated logout.
 */
import * as client from 'openid-client';
import { WINDOW_REDIRECT_URI, type OidcProviderConfig } from './oidc-config';
import { fromOpenIdClientError, OidcError } from './oidc-errors';

const DISCOVERY_TIMEOUT_S = 10;
const DISCOVERY_TTL_MS = 60 * 60_000;

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

export class OidcRelyingParty {
  private discovered: { at: number; config: Promise<client.Configuration> } | null = null;

  constructor(readonly provider: OidcProviderConfig) {}

  /** The authorization URL for one attempt and the values that bind its answer to it. */
  async startLogin(redirectUri: string, loginHint?: string): Promise<{ url: string; checks: LoginChecks }> {
    const config = await this.configuration();
    const checks = { codeVerifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: this.provider.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
      ...definedEntries(this.provider.authParams),
    };
    if (loginHint) params.login_hint = loginHint;
    // Google issues refresh tokens through access_type=offline, not the offline_access scope.
    if (this.provider.preset === 'google') Object.assign(params, { access_type: 'offline', prompt: params.prompt ?? 'consent' });
    else if (this.provider.scopes.includes('offline_access') && !params.prompt) params.prompt = 'consent';
    return { url: client.buildAuthorizationUrl(config, params).href, checks };
  }

  /** Validates the callback and exchanges the code; claims from the validated ID token (+ userinfo). */
  async finishLogin(callbackUrl: string, checks: LoginChecks): Promise<OidcTokens> {
    const config = await this.configuration();
    try {
      const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = { ...(tokens.claims() ?? {}) } as Record<string, unknown>;
      return await this.withUserinfo(config, tokens, claims);
    } catch (error) {
      throw fromOpenIdClientError(error);
    }
  }

  /** Refreshes (rotation: the returned refresh token replaces the old one when present). */
  async refresh(refreshToken: string, expectedSubject: string): Promise<OidcTokens> {
    const config = await this.configuration();
    const tokens = await client.refreshTokenGrant(config, refreshToken);
    const claims = { ...(tokens.claims() ?? {}) } as Record<string, unknown>;
    if (claims.sub !== undefined && claims.sub !== expectedSubject)
      throw new OidcError('OIDC_USERINFO', 'refresh returned another subject');
    const result = await this.withUserinfo(config, tokens, { sub: expectedSubject, ...claims });
    return { ...result, refreshToken: tokens.refresh_token ?? refreshToken };
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

  get windowRedirectUri(): string {
    return WINDOW_REDIRECT_URI;
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

  private async discover(): Promise<client.Configuration> {
    const issuer = new URL(this.provider.issuer);
    const auth = this.provider.clientSecret ? client.ClientSecretPost(this.provider.clientSecret) : client.None();
    const loopback = issuer.protocol === 'http:';
    try {
      return await client.discovery(issuer, this.provider.clientId, undefined, auth, {
        timeout: DISCOVERY_TIMEOUT_S,
        execute: [
          // openid-client trusts the TLS channel for ID tokens from the token endpoint and skips
          // their signature by default: verify it against the JWKS anyway (SECURITY.md: a bad
          // signature, alg none or HS256 with the public key must be refused).
          client.enableNonRepudiationChecks,
          // Plain http only for a loopback issuer (a local test IdP); the schema refuses others.
          ...(loopback ? [client.allowInsecureRequests] : []),
        ],
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new OidcError(/issuer/i.test(message) ? 'OIDC_ISSUER' : 'OIDC_DISCOVERY', message);
    }
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
        throw new OidcError('OIDC_USERINFO', error instanceof Error ? error.message : String(error));
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

function definedEntries(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => e[1] !== undefined));
}
