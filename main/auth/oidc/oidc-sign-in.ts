/**
 * One OIDC provider's sign-ins: the attempt (in the auth window, or the system browser with
 * a loopback listener), the identity and roles from validated claims, the refresh token kept
 * in the vault, silent refresh, and sign-out (revocation + RP-initiated logout).
 */
import type { AuthSurface, CallbackRequest, SystemBrowser } from '../../platform';
import type { SsoIdentity } from '../sso-identity';
import { authPartition, LOGOUT_WAIT_MS } from '../auth-window';
import { WINDOW_REDIRECT_URI, type OidcProviderConfig } from './oidc-config';
import { claimValues, rolesFromClaims } from './oidc-claims';
import { OidcError } from './oidc-errors';
import { listenForCallback } from './loopback-listener';
import { OidcRelyingParty, type OidcTokens, type RelyingPartyOptions, type SignInInteraction } from './oidc-relying-party';
import type { OidcTokenStore, StoredOidcSignIn } from './oidc-token-store';

export const OIDC_ATTEMPT_MS = 5 * 60_000;
const SYSTEM_BROWSER_PATH = '/callback';
/** Where the IdP returns after RP-initiated logout (register it at the IdP). */
export const POST_LOGOUT_URI = 'http://127.0.0.1/logout-callback';

export interface OidcDeps {
  surface: AuthSurface | null;
  browser: SystemBrowser | null;
  store: OidcTokenStore;
  now: () => number;
  /** The group -> roles mapping in force now (an admin may have edited it); default: the configured one. */
  roleMapping?: () => OidcProviderConfig['roleMapping'];
  /** Request timeout and key-set clock of the relying party (tests). */
  rp?: RelyingPartyOptions;
  /** The sign-in window keeps the IdP's cookies on disk (policy `session.keepIdpSignIn`). */
  keepPartition?: boolean;
}

/** A finished sign-in, and the write that keeps it for the next launch (still running). */
export interface OidcSignInResult {
  identity: SsoIdentity;
  /**
   * Settles once the refresh token is durable in the vault (or the write failed). The session does
   * not wait for it: nothing relies on the kept token until the next refresh, sign-out or launch,
   * and those wait for it (SsoService).
   */
  kept: Promise<void>;
}

export class OidcSignIn {
  readonly rp: OidcRelyingParty;

  constructor(
    readonly config: OidcProviderConfig,
    private readonly deps: OidcDeps,
  ) {
    this.rp = new OidcRelyingParty(config, deps.rp);
  }

  /** A full interactive sign-in; the refresh token (if any) is being kept for the next launch. */
  async signIn(signal: AbortSignal, loginHint?: string, interaction?: SignInInteraction): Promise<OidcSignInResult> {
    const callback =
      this.config.mode === 'system-browser'
        ? await this.viaSystemBrowser(signal, loginHint, interaction)
        : await this.viaWindow(signal, loginHint, interaction);
    const tokens = await this.rp.finishLogin(callback.url, callback.checks);
    const identity = this.identityOf(tokens.claims);
    // Started after the current turn: the vault write's own CPU work (copy, JSON, encryption of the
    // whole vault) comes after the session is ready and answered, and its I/O runs beside.
    const kept = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.keep(tokens, identity));
    return { identity, kept };
  }

  /** Silent refresh of a kept sign-in (at launch, and ahead of expiry while running). */
  async refresh(kept: StoredOidcSignIn): Promise<{ identity: SsoIdentity; tokens: OidcTokens }> {
    const tokens = await this.rp.refresh(kept.refreshToken, kept.sub);
    const identity = this.identityOf(tokens.claims);
    await this.keep({ ...tokens, idToken: tokens.idToken ?? kept.idToken }, identity);
    return { identity, tokens };
  }

  /** The identity a kept sign-in had when the IdP last confirmed it (offline grace). */
  identityFromStore(kept: StoredOidcSignIn): SsoIdentity {
    return {
      protocol: 'oidc',
      providerId: this.config.id,
      providerName: this.config.displayName,
      subject: kept.identity.subject,
      username: kept.identity.username,
      displayName: kept.identity.displayName,
      email: null,
      verifiedEmail: kept.identity.verifiedEmail,
      roles: kept.identity.roles,
      groups: kept.identity.groups,
      idpSessionEndsAt: null,
      logout: { protocol: 'oidc', providerId: this.config.id, sub: kept.sub },
    };
  }

  /**
   * Forgets the kept sign-in and revokes its refresh token at the IdP (best effort: it is deleted
   * here whatever the IdP answers), without opening any window: an administrator ending it.
   */
  async forgetKeptSignIn(log: (message: string, fields: Record<string, unknown>) => void): Promise<void> {
    const kept = this.deps.store.load();
    if (!kept || kept.providerId !== this.config.id) return;
    await this.deps.store.clear();
    try {
      if (await this.rp.revoke(kept.refreshToken)) log('OIDC refresh token revoked', { provider: this.config.id });
    } catch (error) {
      log('OIDC revocation failed', { provider: this.config.id, reason: String(error) });
    }
  }

  /** Revokes the refresh token, ends the IdP session (RP-initiated logout), forgets both. */
  async signOut(log: (message: string, fields: Record<string, unknown>) => void): Promise<void> {
    const kept = this.deps.store.load();
    await this.deps.store.clear();
    if (!kept || kept.providerId !== this.config.id) return;
    try {
      if (await this.rp.revoke(kept.refreshToken)) log('OIDC refresh token revoked', { provider: this.config.id });
    } catch (error) {
      log('OIDC revocation failed', { provider: this.config.id, reason: String(error) });
    }
    try {
      const url = await this.rp.endSessionUrl(kept.idToken, POST_LOGOUT_URI);
      if (!url) return;
      if (this.config.mode === 'system-browser') await this.deps.browser?.open(url);
      else if (this.deps.surface) {
        await this.deps.surface.open({
          url,
          callbackUrl: POST_LOGOUT_URI,
          timeoutMs: LOGOUT_WAIT_MS,
          partition: authPartition(this.config.id),
          persistent: this.deps.keepPartition ?? false,
        });
      }
      log('OIDC end-session done', { provider: this.config.id });
    } catch (error) {
      log('OIDC end-session did not complete', { provider: this.config.id, reason: String(error) });
    } finally {
      await this.deps.surface?.clearPartition(authPartition(this.config.id)).catch(() => undefined);
    }
  }

  private async viaWindow(signal: AbortSignal, loginHint: string | undefined, interaction: SignInInteraction | undefined) {
    const surface = this.deps.surface;
    if (!surface) throw new OidcError('OIDC_DISCOVERY', 'no sign-in window available');
    const redirectUri = WINDOW_REDIRECT_URI;
    const { url, checks } = await this.rp.startLogin(redirectUri, loginHint, interaction);
    const answer = await surface.open({
      url,
      callbackUrl: redirectUri,
      timeoutMs: OIDC_ATTEMPT_MS,
      partition: authPartition(this.config.id),
      persistent: this.deps.keepPartition ?? false,
      signal,
    });
    return { url: answer.url, checks };
  }

  private async viaSystemBrowser(
    signal: AbortSignal,
    loginHint?: string,
    interaction?: SignInInteraction,
  ): Promise<{ url: string; checks: Awaited<ReturnType<OidcRelyingParty['startLogin']>>['checks'] }> {
    const browser = this.deps.browser;
    if (!browser) throw new OidcError('OIDC_DISCOVERY', 'no system browser available');
    const listener = await listenForCallback({
      path: SYSTEM_BROWSER_PATH,
      timeoutMs: OIDC_ATTEMPT_MS,
      signal,
      ...(this.config.loopbackPort !== undefined ? { port: this.config.loopbackPort } : {}),
    });
    try {
      const { url, checks } = await this.rp.startLogin(listener.redirectUri, loginHint, interaction);
      await browser.open(url);
      const answer: CallbackRequest = await listener.result;
      return { url: answer.url, checks };
    } finally {
      listener.close();
    }
  }

  private identityOf(claims: Record<string, unknown>): SsoIdentity {
    const sub = String(claims.sub ?? '');
    if (!sub) throw new OidcError('OIDC_SUBJECT_MISSING', 'no "sub" claim');
    const email = typeof claims.email === 'string' ? claims.email : null;
    const username = email ?? (typeof claims.preferred_username === 'string' ? claims.preferred_username : sub);
    const displayName = typeof claims.name === 'string' && claims.name ? claims.name : username;
    return {
      protocol: 'oidc',
      providerId: this.config.id,
      providerName: this.config.displayName,
      subject: sub,
      username,
      displayName,
      email,
      verifiedEmail: email && claims.email_verified === true ? email.toLowerCase() : null,
      roles: rolesFromClaims(
        claims,
        { ...this.config, roleMapping: this.deps.roleMapping?.() ?? this.config.roleMapping },
        displayName,
      ),
      groups: [...new Set(this.config.roleClaims.flatMap((path) => claimValues(claims, path)))],
      idpSessionEndsAt: null,
      logout: { protocol: 'oidc', providerId: this.config.id, sub },
    };
  }

  private async keep(tokens: OidcTokens, identity: SsoIdentity): Promise<void> {
    if (!tokens.refreshToken) {
      await this.deps.store.clear();
      return;
    }
    await this.deps.store.save({
      providerId: this.config.id,
      sub: identity.subject,
      refreshToken: tokens.refreshToken,
      idToken: tokens.idToken,
      identity: {
        subject: identity.subject,
        username: identity.username,
        displayName: identity.displayName,
        roles: identity.roles,
        groups: identity.groups,
        verifiedEmail: identity.verifiedEmail,
      },
      confirmedAt: this.deps.now(),
    });
  }
}
