/**
 * Single sign-on for the configured providers (SAML and OIDC): one attempt at a time, in
 * the auth surface (a dedicated window) or the system browser, ending in a verified
 * identity with its roles. OIDC sign-ins are kept (refresh token in the vault) and
 * refreshed silently; single logout is best effort and the local session ends regardless.
 *
 * The sign-in window's partition is kept on disk when policy `session.keepIdpSignIn` allows
 * (the IdP's session then outlives a restart) and cleared at sign-out. A sign-in may ask the
 * IdP to authenticate whatever its session ("Use another account", unlock, recent sign-in).
 * Everyone who signs in is recorded for the Users screen (./sso-people).
 */
import type { LocalRole, ProviderSummary } from '../../preload/contract';
import { AppError } from '../errors';
import {
  AuthCancelledError,
  AuthIdpErrorPageError,
  AuthTimeoutError,
  systemClock,
  type AuthSurface,
  type Clock,
  type SystemBrowser,
} from '../platform';
import type { Logger } from '../platform';
import { discoverProvider } from './discovery';
import type { SamlProviderConfig } from './saml/saml-config';
import { SamlError } from './saml/saml-errors';
import { logoutNotice } from './saml/saml-logout';
import { identityFromAssertion } from './saml/saml-identity';
import { LOGIN_ATTEMPT_MS, SamlServiceProvider } from './saml/saml-service-provider';
import type { OidcProviderConfig } from './oidc/oidc-config';
import { OidcError, fromOpenIdClientError } from './oidc/oidc-errors';
import type { RelyingPartyOptions } from './oidc/oidc-relying-party';
import { OidcSignIn } from './oidc/oidc-sign-in';
import type { OidcTokenStore } from './oidc/oidc-token-store';
import type { SignInInteraction } from './oidc/oidc-relying-party';
import type { SsoIdentity, SsoSessionRef } from './sso-identity';
import { authPartition, LOGOUT_WAIT_MS, idpErrorPageMessage, samlWindowHint } from './auth-window';
import type { SsoPeople, SsoPerson } from './sso-people';

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
  /** OIDC request timeout and key-set clock (tests). */
  oidcOptions?: RelyingPartyOptions;
  /** Keep the sign-in window's partition on disk (policy `session.keepIdpSignIn`); default false. */
  keepIdpSignIn?: boolean;
  /** Where everyone who signs in is recorded (the Users screen); none in some tests. */
  people?: SsoPeople | null;
}

export type { SignInInteraction };

export interface SsoSignInOptions {
  /** The email typed on the sign-in screen (OIDC login_hint). */
  loginHint?: string;
  /** The IdP must ask who signs in, even while its own session is valid. */
  interaction?: SignInInteraction;
}

/** What ending someone's kept sign-in did (for the audit record and the answer). */
export interface EndedKeptSignIn {
  refreshTokenRevoked: boolean;
  idpCookiesCleared: boolean;
}

/** A kept OIDC sign-in that ended because the IdP's answer refused it (for the audit log). */
export interface KeptSignInRefusal {
  providerId: string;
  username: string;
  /** The refusal code: an OIDC_* code, or the app's (SSO_NO_ROLES when no role is mapped any more). */
  code: string;
  detail: string;
  during: 'launch' | 'running';
}

/**
 * The outcome of restoring a kept sign-in at launch: the identity the IdP confirmed (or, offline,
 * last confirmed), or why not, with the kept sign-in it is about (a session kept across the
 * restart for it must end too).
 */
export type RestoreResult = { identity: SsoIdentity } | { notice: string; signIn: { providerId: string; sub: string } } | null;

/** How a refresh failed: the IdP could not be asked, it refused the grant, or its answer was refused. */
type RefreshFailure =
  { kind: 'unreachable'; detail: string } | { kind: 'revoked' | 'refused'; code: string; detail: string; reason: string | null };

export class SsoService {
  private readonly saml = new Map<string, SamlServiceProvider>();
  private readonly oidc = new Map<string, OidcSignIn>();
  private readonly order: ProviderSummary[] = [];
  private attempt: AbortController | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  /** Called when a running sign-in ends at the IdP (refresh refused): the app signs out. */
  onSignInLost: (notice: string) => void = () => undefined;
  /** Called after a refresh while running confirmed the sign-in, with the identity (roles) it has now. */
  onSignInConfirmed: (identity: SsoIdentity) => void = () => undefined;
  /** Called for every kept sign-in a refresh ended (at launch or while running), before the notice. */
  onKeptSignInRefused: (refusal: KeptSignInRefusal) => void = () => undefined;
  /** Vault writes keeping OIDC sign-ins for the next launch, not awaited by the sign-in itself. */
  private readonly keeping = new Set<Promise<void>>();

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
          keepPartition: deps.keepIdpSignIn ?? false,
          ...(deps.oidcOptions ? { rp: deps.oidcOptions } : {}),
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

  /**
   * Runs one sign-in at the IdP and returns who signed in, or throws an AppError to show.
   * `interaction`: the IdP must authenticate (or let the person pick an account) even while its
   * session is valid: SAML ForceAuthn, OIDC prompt=login or select_account.
   */
  async signIn(providerId: string, options: SsoSignInOptions = {}): Promise<SsoIdentity> {
    const name = this.displayName(providerId);
    if (this.attempt) throw new AppError('SSO_IN_PROGRESS', 'A sign-in window is already open. Finish or close it first.');
    const attempt = new AbortController();
    this.attempt = attempt;
    try {
      const oidc = this.oidc.get(providerId);
      let identity: SsoIdentity;
      if (oidc) {
        const result = await oidc.signIn(attempt.signal, options.loginHint, options.interaction);
        identity = result.identity;
        this.keepInBackground(result.kept, providerId);
        this.scheduleRefresh(oidc);
      } else {
        identity = await this.samlSignIn(providerId, attempt.signal, options.interaction);
      }
      this.deps.log.info('SSO sign-in', { provider: providerId, roles: identity.roles });
      const viaKeptWindow = this.keepsPartition() && (!oidc || oidc.config.mode === 'window');
      // Off the sign-in's critical path (a whole-vault write): the Users screen's record lands
      // beside the session's start; flush() and the people list wait for it.
      this.track(this.record(identity, { viaKeptWindow }));
      return identity;
    } catch (error) {
      throw this.toUserError(error, name, providerId);
    } finally {
      this.attempt = null;
    }
  }

  /**
   * At launch: a kept OIDC sign-in is refreshed silently. Refused by the IdP (whatever its error
   * code), or an answer Portico refuses -> forgotten, logged and audited, with the reason for the
   * sign-in screen. No answer (network, timeout, 5xx) -> the identity it last confirmed, for at
   * most the provider's `maxOfflineHours`; the kept sign-in stays for the next try.
   */
  async restore(): Promise<RestoreResult> {
    await this.flush();
    const kept = this.deps.oidcStore.load();
    if (!kept) return null;
    const oidc = this.oidc.get(kept.providerId);
    if (!oidc) {
      await this.deps.oidcStore.clear();
      return null;
    }
    const signIn = { providerId: kept.providerId, sub: kept.sub };
    try {
      const { identity } = await oidc.refresh(kept);
      this.scheduleRefresh(oidc);
      await this.record(identity, { viaKeptWindow: false, refresh: true });
      return { identity };
    } catch (error) {
      const failure = refreshFailure(error);
      if (failure.kind !== 'unreachable') {
        await this.endKeptSignIn(kept, failure, 'launch');
        return { notice: this.endedNotice(oidc, failure), signIn };
      }
      const offlineMs = oidc.config.maxOfflineHours * 3600_000;
      const now = (this.deps.clock ?? systemClock).now();
      this.deps.log.info('OIDC refresh at launch failed: the identity provider did not answer', {
        provider: kept.providerId,
        reason: failure.detail,
      });
      if (offlineMs > 0 && now - kept.confirmedAt < offlineMs) return { identity: oidc.identityFromStore(kept) };
      return {
        notice: `Portico could not reach ${oidc.config.displayName} to confirm your sign-in. Check your network connection and sign in again.`,
        signIn,
      };
    }
  }

  /**
   * At launch, when policy no longer keeps the sign-in window's partitions: forgets what an
   * earlier launch kept on disk.
   */
  async forgetKeptPartitionsUnlessAllowed(): Promise<void> {
    const surface = this.deps.surface;
    if (this.keepsPartition() || !surface) return;
    for (const { id } of this.order) {
      await surface.clearPartition(authPartition(id)).catch(() => undefined);
      await this.deps.people?.partitionCleared(id).catch(() => undefined);
    }
  }

  /** People who signed in here, with what is kept for their next sign-in. */
  people(): Array<SsoPerson & { providerName: string; refreshTokenKept: boolean }> {
    const kept = this.deps.oidcStore.load();
    return (this.deps.people?.list() ?? []).map((person) => ({
      ...person,
      providerName: this.order.find((p) => p.id === person.providerId)?.displayName ?? person.providerId,
      refreshTokenKept: kept !== null && `${kept.providerId}:${kept.sub}` === person.id,
    }));
  }

  /**
   * An administrator ends what this computer keeps for someone's next sign-in: their OIDC refresh
   * token is revoked at the IdP (best effort) and deleted, and the sign-in window's IdP cookies,
   * when the last sign-in there was theirs, are cleared. Their current session, if any, goes on.
   */
  async endPersonsKeptSignIn(personId: string): Promise<EndedKeptSignIn> {
    const person = this.deps.people?.get(personId) ?? null;
    if (!person) throw new AppError('NOT_FOUND', 'Portico has no record of this person signing in here. Refresh the list.');
    await this.flush();
    const kept = this.deps.oidcStore.load();
    let refreshTokenRevoked = false;
    if (kept && `${kept.providerId}:${kept.sub}` === personId) {
      this.stopRefresh();
      await this.oidc.get(kept.providerId)?.forgetKeptSignIn((message, fields) => this.deps.log.info(message, fields));
      if (this.deps.oidcStore.load() !== null) await this.deps.oidcStore.clear();
      refreshTokenRevoked = true;
    }
    let idpCookiesCleared = false;
    if (person.idpCookies && this.deps.surface) {
      await this.deps.surface.clearPartition(authPartition(person.providerId));
      await this.deps.people?.partitionCleared(person.providerId);
      idpCookiesCleared = true;
    }
    return { refreshTokenRevoked, idpCookiesCleared };
  }

  private track(write: Promise<void>): void {
    this.keeping.add(write);
    void write.finally(() => this.keeping.delete(write));
  }

  /** Waits until the sign-ins being kept are in the vault (before relying on them, and at quit). */
  async flush(): Promise<void> {
    await Promise.all([...this.keeping]);
  }

  /** Closes an open sign-in window (e.g. the app is quitting). */
  cancel(): void {
    this.attempt?.abort();
  }

  /**
   * Ends the session at the IdP, best effort: never throws. Resolves with what to tell the user
   * when the IdP did not confirm that its session ended (SAML single logout), else null.
   */
  async signOut(ref: SsoSessionRef): Promise<string | null> {
    this.stopRefresh();
    if (ref.protocol === 'oidc') {
      await this.oidc.get(ref.providerId)?.signOut((message, fields) => this.deps.log.info(message, fields));
      return null;
    }
    const sp = this.saml.get(ref.providerId);
    const surface = this.deps.surface;
    if (!sp || !surface) return null;
    const partition = authPartition(ref.providerId);
    try {
      const request = await sp.createLogoutRequest(ref);
      if (!request) return null;
      const answer = await surface.open({
        url: request.url,
        callbackUrl: sp.sloCallbackUrl,
        timeoutMs: LOGOUT_WAIT_MS,
        partition,
        persistent: this.keepsPartition(),
      });
      sp.checkLogoutAnswer(answer, request.requestId);
      this.deps.log.info('SSO single logout answered', { provider: ref.providerId });
      return null;
    } catch (error) {
      // The local session is already over; the IdP session may outlive it: say so.
      const code = error instanceof SamlError ? error.code : 'SAML_LOGOUT_FAILED';
      const detail = error instanceof SamlError ? error.detail : String(error);
      this.deps.log.error('SSO single logout did not complete', { provider: ref.providerId, code, detail });
      return logoutNotice(sp.config.displayName, code);
    } finally {
      // Whatever the IdP did, this app forgets its IdP cookies (on disk too).
      await surface.clearPartition(partition).catch(() => undefined);
      await this.deps.people?.partitionCleared(ref.providerId).catch(() => undefined);
    }
  }

  stopRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private async samlSignIn(providerId: string, signal: AbortSignal, interaction?: SignInInteraction): Promise<SsoIdentity> {
    const sp = this.saml.get(providerId)!;
    const surface = this.deps.surface;
    if (!surface) throw new AppError('APP_UNAVAILABLE', 'Single sign-on is not available in this build.');
    // SAML core 3.4.1: ForceAuthn makes the IdP authenticate the person again, whatever its session.
    const request = await sp.createLoginRequest({ forceAuthn: interaction !== undefined });
    const answer = await surface.open({
      url: request.url,
      callbackUrl: sp.acsUrl,
      timeoutMs: LOGIN_ATTEMPT_MS,
      partition: authPartition(providerId),
      persistent: this.keepsPartition(),
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
    await this.flush();
    const kept = this.deps.oidcStore.load();
    const oidc = kept ? this.oidc.get(kept.providerId) : undefined;
    if (!kept || !oidc) return;
    try {
      const { tokens, identity } = await oidc.refresh(kept);
      await this.record(identity, { viaKeptWindow: false, refresh: true });
      this.onSignInConfirmed(identity);
      const now = (this.deps.clock ?? systemClock).now();
      const next = tokens.expiresAt ? Math.max(30_000, tokens.expiresAt - now - REFRESH_AHEAD_MS) : 50 * 60_000;
      this.scheduleRefresh(oidc, next);
    } catch (error) {
      const failure = refreshFailure(error);
      if (failure.kind === 'unreachable') {
        this.deps.log.info('OIDC refresh failed: the identity provider did not answer; trying again later', {
          provider: kept.providerId,
          reason: failure.detail,
        });
        this.scheduleRefresh(oidc, 5 * 60_000);
        return;
      }
      // As at launch: a refused grant, or an answer that fails validation (bad token, tenant no
      // longer allowed, no role any more), ends the sign-in; never mistaken for "offline".
      await this.endKeptSignIn(kept, failure, 'running');
      this.onSignInLost(this.endedNotice(oidc, failure));
    }
  }

  /** A refresh refused: the kept sign-in is forgotten, and the refusal logged and reported. */
  private async endKeptSignIn(
    kept: { providerId: string; identity: { username: string } },
    failure: Exclude<RefreshFailure, { kind: 'unreachable' }>,
    during: KeptSignInRefusal['during'],
  ): Promise<void> {
    await this.deps.oidcStore.clear();
    this.deps.log.error(
      `OIDC sign-in ended: the identity provider ${failure.kind === 'revoked' ? 'refused' : 'gave an unacceptable answer to'} its refresh`,
      {
        provider: kept.providerId,
        during,
        code: failure.code,
        detail: failure.detail,
      },
    );
    this.onKeptSignInRefused({
      providerId: kept.providerId,
      username: kept.identity.username,
      code: failure.code,
      detail: failure.detail,
      during,
    });
  }

  private endedNotice(oidc: OidcSignIn, failure: Exclude<RefreshFailure, { kind: 'unreachable' }>): string {
    if (failure.kind === 'revoked')
      return `Your sign-in with ${oidc.config.displayName} has ended (it was revoked or expired). Sign in again.`;
    return `${failure.reason ?? `${oidc.config.displayName} did not confirm your sign-in (${failure.code}).`} Sign in again.`;
  }

  private keepsPartition(): boolean {
    return this.deps.keepIdpSignIn === true;
  }

  /** The Users screen's record of who signed in: a failed write is logged, never fails the sign-in. */
  private async record(identity: SsoIdentity, options: { viaKeptWindow: boolean; refresh?: boolean }): Promise<void> {
    try {
      await this.deps.people?.signedIn(identity, options);
    } catch (error) {
      this.deps.log.error('Could not record the SSO sign-in for the Users screen', {
        provider: identity.providerId,
        error: String(error),
      });
    }
  }

  /** A sign-in's refresh token is written while the session starts; failures are logged here. */
  private keepInBackground(write: Promise<void>, providerId: string): void {
    const done = write.catch(async (error: unknown) => {
      this.deps.log.error('OIDC sign-in could not be kept for the next launch (vault write failed)', {
        provider: providerId,
        error: String(error),
      });
      // Never leave an earlier sign-in kept in its place (it would be restored at the next launch).
      await this.deps.oidcStore.clear().catch(() => undefined);
    });
    this.keeping.add(done);
    void done.finally(() => this.keeping.delete(done));
  }

  private displayName(providerId: string): string {
    const found = this.order.find((p) => p.id === providerId);
    if (!found) throw new AppError('UNKNOWN_PROVIDER', 'This sign-in option is not configured. Restart Portico or contact IT.');
    return found.displayName;
  }

  private toUserError(error: unknown, providerName: string, providerId: string): AppError {
    if (error instanceof AppError) return error;
    // A SAML IdP's error page usually looks like any page: the ends of a silent window say what to check.
    const hint = this.saml.has(providerId) ? ` ${samlWindowHint(providerName)}` : '';
    if (error instanceof AuthCancelledError)
      return new AppError('SSO_CANCELLED', `Sign-in cancelled. Choose a sign-in option to try again.${hint}`);
    if (error instanceof AuthTimeoutError) {
      return new AppError('SSO_TIMEOUT', `${providerName} did not finish the sign-in within 5 minutes. Try again.${hint}`);
    }
    if (error instanceof AuthIdpErrorPageError) {
      this.deps.log.error('SSO sign-in window: error page', { provider: providerId, status: error.status, page: error.page });
      const protocol = this.saml.has(providerId) ? 'saml' : 'oidc';
      return new AppError('SSO_IDP_ERROR', `${idpErrorPageMessage(providerName, error.status, protocol)} (SSO_IDP_ERROR)`);
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

/**
 * What a failed refresh means. Only no answer at all (network, DNS, TLS, timeout, 5xx: ./oidc/idp-fetch)
 * is "unreachable". The IdP refusing the grant, with any error code (invalid_grant, invalid_request,
 * unauthorized_client, ...) or a bare 4xx, is "revoked". Anything else is an answer Portico refuses.
 */
function refreshFailure(error: unknown): RefreshFailure {
  if (error instanceof AppError) return { kind: 'refused', code: error.code, detail: error.message, reason: error.message };
  const refused = fromOpenIdClientError(error);
  if (refused.code === 'OIDC_UNREACHABLE') return { kind: 'unreachable', detail: refused.detail };
  const kind = refused.code === 'OIDC_PROVIDER_ERROR' ? 'revoked' : 'refused';
  return { kind, code: refused.code, detail: refused.detail.slice(0, 300), reason: null };
}
