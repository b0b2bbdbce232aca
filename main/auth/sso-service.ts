/**
 * Single sign-on for the configured providers (SAML and OIDC): one attempt at a time, in
 * the auth surface (a dedicated window) or the system browser, ending in a verified
 * identity with its roles. OIDC sign-ins are kept (refresh token in the vault) and
 * refreshed silently; single logout is best effort and the local session ends regardless.
 */
import type { LocalRole, ProviderSummary } from '../../preload/contract';
import { AppError } from '../errors';
import { AuthCancelledError, AuthTimeoutError, systemClock, type AuthSurface, type Clock, type SystemBrowser } from '../platform';
import type { Logger } from '../app';
import { discoverProvider } from './discovery';
import type { SamlProviderConfig } from './saml/saml-config';
import { SamlError } from './saml/saml-errors';
import { identityFromAssertion } from './saml/saml-identity';
import { LOGIN_ATTEMPT_MS, SamlServiceProvider } from './saml/saml-service-provider';
import type { OidcProviderConfig } from './oidc/oidc-config';
import { OidcError, fromOpenIdClientError } from './oidc/oidc-errors';
import { OidcSignIn } from './oidc/oidc-sign-in';
import type { OidcTokenStore } from './oidc/oidc-token-store';
import type { SsoIdentity, SsoSessionRef } from './sso-identity';
import { authPartition, LOGOUT_WAIT_MS } from './auth-window';

/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;

export interface SsoDeps {
  saml: readonly SamlProviderConfig[];
  oidc: readonly OidcProviderConfig[];
  surface: AuthSurface | null;
  browser: SystemBrowser | null;
  oidcStore: OidcTokenStore;
  clock?: Clock;
  log: Logger;
  /** The group -> roles mapping in force for a provider now (admins may edit it); default: configured. */
  mappingFor?: (providerId: string) => Record<string, LocalRole[]> | null;
}

/** The outcome of restoring a kept sign-in at launch. */
export type RestoreResult = { identity: SsoIdentity } | { notice: string } | null;

export class SsoService {
  private readonly saml = new Map<string, SamlServiceProvider>();
  private readonly oidc = new Map<string, OidcSignIn>();
  private readonly order: ProviderSummary[] = [];
  private attempt: AbortController | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  /** Called when a running sign-in ends at the IdP (refresh refused): the app signs out. */
  onSignInLost: (notice: string) => void = () => undefined;

  constructor(private readonly deps: SsoDeps) {
    const clock = deps.clock ?? systemClock;
    // SAML timestamps are the IdP's wall-clock times: they are checked against this machine's
    // wall clock (as node-saml does), not the app clock that drives session policy.
    for (const config of deps.saml) {
      this.saml.set(config.id, new SamlServiceProvider(config, systemClock));
      this.order.push({ id: config.id, displayName: config.displayName, protocol: 'saml' });
    }
    for (const config of deps.oidc) {
      this.oidc.set(
        config.id,
        new OidcSignIn(config, {
          surface: deps.surface,
          browser: deps.browser,
          store: deps.oidcStore,
          now: () => clock.now(),
          roleMapping: () => deps.mappingFor?.(config.id) ?? config.roleMapping,
        }),
      );
      this.order.push({ id: config.id, displayName: config.displayName, protocol: 'oidc' });
    }
  }

  list(): ProviderSummary[] {
    return [...this.order];
  }

  discover(email: string): ProviderSummary | null {
    const all = [...this.deps.saml, ...this.deps.oidc];
    const found = discoverProvider(email, all);
    return found ? (this.order.find((p) => p.id === found.id) ?? null) : null;
  }

  metadata(providerId: string): string {
    const sp = this.saml.get(providerId);
    if (!sp) throw new AppError('UNKNOWN_PROVIDER', 'SP metadata exists for SAML providers only.');
    return sp.metadataXml();
  }

  /** Runs one sign-in at the IdP and returns who signed in, or throws an AppError to show. */
  async signIn(providerId: string, loginHint?: string): Promise<SsoIdentity> {
    const name = this.displayName(providerId);
    if (this.attempt) throw new AppError('SSO_IN_PROGRESS', 'A sign-in window is already open. Finish or close it first.');
    const attempt = new AbortController();
    this.attempt = attempt;
    try {
      const oidc = this.oidc.get(providerId);
      const identity = oidc ? await oidc.signIn(attempt.signal, loginHint) : await this.samlSignIn(providerId, attempt.signal);
      this.deps.log.info('SSO sign-in', { provider: providerId, roles: identity.roles });
      if (oidc) this.scheduleRefresh(oidc);
      return identity;
    } catch (error) {
      throw this.toUserError(error, name, providerId);
    } finally {
      this.attempt = null;
    }
  }

  /**
   * At launch: a kept OIDC sign-in is refreshed silently. Refused by the IdP -> forgotten,
   * with the reason for the sign-in screen. IdP unreachable -> the identity it last
   * confirmed, for at most the provider's `maxOfflineHours`.
   */
  async restore(): Promise<RestoreResult> {
    const kept = this.deps.oidcStore.load();
    if (!kept) return null;
    const oidc = this.oidc.get(kept.providerId);
    if (!oidc) {
      await this.deps.oidcStore.clear();
      return null;
    }
    try {
      const { identity } = await oidc.refresh(kept);
      this.scheduleRefresh(oidc);
      return { identity };
    } catch (error) {
      if (isRefusedGrant(error)) {
        await this.deps.oidcStore.clear();
        return { notice: `Your sign-in with ${oidc.config.displayName} has ended (it was revoked or expired). Sign in again.` };
      }
      if (!isUnreachable(error)) {
        // The IdP answered, but not acceptably (another subject, a bad token, no role any more):
        // a refusal, never mistaken for "offline".
        await this.deps.oidcStore.clear();
        const reason = error instanceof AppError ? error.message : `${oidc.config.displayName} did not confirm your sign-in.`;
        return { notice: `${reason} Sign in again.` };
      }
      const offlineMs = oidc.config.maxOfflineHours * 3600_000;
      const now = (this.deps.clock ?? systemClock).now();
      this.deps.log.info('OIDC refresh at launch failed', { provider: kept.providerId, reason: String(error) });
      if (offlineMs > 0 && now - kept.confirmedAt < offlineMs) return { identity: oidc.identityFromStore(kept) };
      return {
        notice: `Portico could not reach ${oidc.config.displayName} to confirm your sign-in. Check your network connection and sign in again.`,
      };
    }
  }

  /** Closes an open sign-in window (e.g. the app is quitting). */
  cancel(): void {
    this.attempt?.abort();
  }

  /** Ends the session at the IdP, best effort: never throws. */
  async signOut(ref: SsoSessionRef): Promise<void> {
    this.stopRefresh();
    if (ref.protocol === 'oidc') {
      await this.oidc.get(ref.providerId)?.signOut((message, fields) => this.deps.log.info(message, fields));
      return;
    }
    const sp = this.saml.get(ref.providerId);
    const surface = this.deps.surface;
    if (!sp || !surface) return;
    const partition = authPartition(ref.providerId);
    try {
      const url = await sp.createLogoutRequest(ref.nameId, ref.nameIdFormat, ref.sessionIndex);
      if (url) {
        await surface.open({ url, callbackUrl: sp.sloCallbackUrl, timeoutMs: LOGOUT_WAIT_MS, partition });
        this.deps.log.info('SSO single logout answered', { provider: ref.providerId });
      }
    } catch (error) {
      // The local session is already over; the IdP session may outlive it.
      this.deps.log.info('SSO single logout did not complete', { provider: ref.providerId, reason: String(error) });
    } finally {
      // Whatever the IdP did, this app forgets its IdP cookies.
      await surface.clearPartition(partition).catch(() => undefined);
    }
  }

  stopRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private async samlSignIn(providerId: string, signal: AbortSignal): Promise<SsoIdentity> {
    const sp = this.saml.get(providerId)!;
    const surface = this.deps.surface;
    if (!surface) throw new AppError('APP_UNAVAILABLE', 'Single sign-on is not available in this build.');
    const request = await sp.createLoginRequest();
    const answer = await surface.open({
      url: request.url,
      callbackUrl: sp.acsUrl,
      timeoutMs: LOGIN_ATTEMPT_MS,
      partition: authPartition(providerId),
      signal,
    });
    if (answer.method !== 'POST' || answer.body === null) {
      throw new SamlError('SAML_MALFORMED', `${answer.method} without a body at the ACS URL`);
    }
    const groupRoles = this.deps.mappingFor?.(providerId) ?? sp.config.groupRoles;
    return identityFromAssertion(await sp.validateResponse(answer.body, request.requestId), { ...sp.config, groupRoles });
  }

  /** Keeps the kept OIDC sign-in fresh while the app runs; a refusal signs the user out. */
  private scheduleRefresh(oidc: OidcSignIn, delayMs = 50 * 60_000): void {
    this.stopRefresh();
    this.refreshTimer = setTimeout(() => void this.refreshKeptSignIn(), delayMs);
    this.refreshTimer.unref();
  }

  /**
   * Refreshes the kept OIDC sign-in now (the refresh timer calls this; tests too): schedules
   * the next refresh, or ends the sign-in through `onSignInLost` when the IdP refuses it.
   */
  async refreshKeptSignIn(): Promise<void> {
    const kept = this.deps.oidcStore.load();
    const oidc = kept ? this.oidc.get(kept.providerId) : undefined;
    if (!kept || !oidc) return;
    try {
      const { tokens } = await oidc.refresh(kept);
      const now = (this.deps.clock ?? systemClock).now();
      const next = tokens.expiresAt ? Math.max(30_000, tokens.expiresAt - now - REFRESH_AHEAD_MS) : 50 * 60_000;
      this.scheduleRefresh(oidc, next);
    } catch (error) {
      if (isRefusedGrant(error)) {
        await this.deps.oidcStore.clear();
        this.onSignInLost(`Your sign-in with ${oidc.config.displayName} has ended (it was revoked or expired). Sign in again.`);
      } else if (!isUnreachable(error)) {
        // As at launch: an answer that fails validation (bad token, tenant no longer allowed,
        // no role any more) is a refusal, never mistaken for "offline".
        await this.deps.oidcStore.clear();
        const reason = error instanceof AppError ? error.message : `${oidc.config.displayName} did not confirm your sign-in.`;
        this.onSignInLost(`${reason} Sign in again.`);
      } else {
        this.scheduleRefresh(oidc, 5 * 60_000); // Offline for now: try again later.
      }
    }
  }

  private displayName(providerId: string): string {
    const found = this.order.find((p) => p.id === providerId);
    if (!found) throw new AppError('UNKNOWN_PROVIDER', 'This sign-in option is not configured. Restart Portico or contact IT.');
    return found.displayName;
  }

  private toUserError(error: unknown, providerName: string, providerId: string): AppError {
    if (error instanceof AppError) return error;
    if (error instanceof AuthCancelledError)
      return new AppError('SSO_CANCELLED', 'Sign-in cancelled. Choose a sign-in option to try again.');
    if (error instanceof AuthTimeoutError) {
      return new AppError('SSO_TIMEOUT', `${providerName} did not finish the sign-in within 5 minutes. Try again.`);
    }
    if (error instanceof SamlError) {
      this.deps.log.error('SAML response refused', { provider: providerId, code: error.code, detail: error.detail });
      return error.toAppError();
    }
    if (this.oidc.has(providerId)) {
      const refused = error instanceof OidcError ? error : fromOpenIdClientError(error);
      this.deps.log.error('OIDC sign-in refused', { provider: providerId, code: refused.code, detail: refused.detail });
      return refused.toAppError();
    }
    this.deps.log.error('SSO sign-in failed', { provider: providerId, error: String(error) });
    return new AppError('SSO_REFUSED', `Sign-in with ${providerName} failed. Try again; if it keeps happening, contact IT.`);
  }
}

/** No answer from the IdP at all (network down, DNS, timeout), as opposed to an answer we refuse. */
function isUnreachable(error: unknown): boolean {
  if (error instanceof OidcError) return error.code === 'OIDC_DISCOVERY';
  const name = (error as Error)?.name;
  return error instanceof TypeError || name === 'AbortError' || name === 'TimeoutError';
}

/** The IdP refused the refresh token (revoked, expired, rotated away): sign-in has ended. */
function isRefusedGrant(error: unknown): boolean {
  const e = error as { error?: string; code?: string; cause?: { error?: string } };
  return (
    e?.error === 'invalid_grant' ||
    e?.cause?.error === 'invalid_grant' ||
    /invalid_grant/.test(String((error as Error)?.message ?? ''))
  );
}
