/**
 * Single sign-on for the configured providers (SAML today): one attempt at a time, in the
 * auth surface (a dedicated window, or the system browser), ending in a verified identity
 * with its roles. Single logout is best effort: the local session ends regardless.
 */
import type { ProviderSummary } from '../../preload/contract';
import { AppError } from '../errors';
import { AuthCancelledError, AuthTimeoutError, systemClock, type AuthSurface } from '../platform';
import type { Logger } from '../app';
import { discoverProvider } from './discovery';
import type { SamlProviderConfig } from './saml/saml-config';
import { SamlError } from './saml/saml-errors';
import { identityFromAssertion, type SsoIdentity } from './saml/saml-identity';
import { LOGIN_ATTEMPT_MS, SamlServiceProvider } from './saml/saml-service-provider';

const LOGOUT_WAIT_MS = 15_000;

function partitionOf(providerId: string): string {
  return `sso-${providerId}`;
}

export class SsoService {
  private readonly providers = new Map<string, SamlServiceProvider>();
  private attempt: AbortController | null = null;

  constructor(
    samlProviders: readonly SamlProviderConfig[],
    private readonly surface: AuthSurface | null,
    private readonly log: Logger,
  ) {
    // SAML timestamps are the IdP's wall-clock times: they are checked against this machine's
    // wall clock (as node-saml does), not the app clock that drives session policy.
    for (const config of samlProviders) this.providers.set(config.id, new SamlServiceProvider(config, systemClock));
  }

  list(): ProviderSummary[] {
    return [...this.providers.values()].map(({ config }) => ({
      id: config.id,
      displayName: config.displayName,
      protocol: 'saml',
    }));
  }

  discover(email: string): ProviderSummary | null {
    const found = discoverProvider(
      email,
      [...this.providers.values()].map((p) => p.config),
    );
    return found ? (this.list().find((p) => p.id === found.id) ?? null) : null;
  }

  metadata(providerId: string): string {
    return this.provider(providerId).metadataXml();
  }

  /** Runs one sign-in at the IdP and returns who signed in, or throws an AppError to show. */
  async signIn(providerId: string): Promise<SsoIdentity> {
    const sp = this.provider(providerId);
    const surface = this.requireSurface();
    if (this.attempt) throw new AppError('SSO_IN_PROGRESS', 'A sign-in window is already open. Finish or close it first.');
    const attempt = new AbortController();
    this.attempt = attempt;
    try {
      const request = await sp.createLoginRequest();
      const answer = await surface.open({
        url: request.url,
        callbackUrl: sp.acsUrl,
        timeoutMs: LOGIN_ATTEMPT_MS,
        partition: partitionOf(providerId),
        signal: attempt.signal,
      });
      if (answer.method !== 'POST' || answer.body === null) {
        throw new SamlError('SAML_MALFORMED', `${answer.method} without a body at the ACS URL`);
      }
      const assertion = await sp.validateResponse(answer.body, request.requestId);
      const identity = identityFromAssertion(assertion, sp.config);
      this.log.info('SSO sign-in', { provider: providerId, roles: identity.roles });
      return identity;
    } catch (error) {
      throw this.toUserError(error, sp.config.displayName, providerId);
    } finally {
      this.attempt = null;
    }
  }

  /** Closes an open sign-in window (e.g. the app is quitting). */
  cancel(): void {
    this.attempt?.abort();
  }

  /** Sends a LogoutRequest to the IdP when an SLO URL is configured. Never throws. */
  async signOut(identity: Pick<SsoIdentity, 'providerId' | 'nameId' | 'nameIdFormat' | 'sessionIndex'>): Promise<void> {
    const sp = this.providers.get(identity.providerId);
    if (!sp || !this.surface) return;
    const partition = partitionOf(identity.providerId);
    try {
      const url = await sp.createLogoutRequest(identity.nameId, identity.nameIdFormat, identity.sessionIndex);
      if (url) {
        await this.surface.open({ url, callbackUrl: sp.sloCallbackUrl, timeoutMs: LOGOUT_WAIT_MS, partition });
        this.log.info('SSO single logout answered', { provider: identity.providerId });
      }
    } catch (error) {
      // The local session is already over; the IdP session may outlive it.
      this.log.info('SSO single logout did not complete', { provider: identity.providerId, reason: String(error) });
    } finally {
      // Whatever the IdP did, this app forgets its IdP cookies.
      await this.surface.clearPartition(partition).catch(() => undefined);
    }
  }

  private provider(id: string): SamlServiceProvider {
    const sp = this.providers.get(id);
    if (!sp) throw new AppError('UNKNOWN_PROVIDER', 'This sign-in option is not configured. Restart Portico or contact IT.');
    return sp;
  }

  private requireSurface(): AuthSurface {
    if (!this.surface) throw new AppError('APP_UNAVAILABLE', 'Single sign-on is not available in this build.');
    return this.surface;
  }

  private toUserError(error: unknown, providerName: string, providerId: string): AppError {
    if (error instanceof AppError) return error;
    if (error instanceof AuthCancelledError)
      return new AppError('SSO_CANCELLED', 'Sign-in cancelled. Choose a sign-in option to try again.');
    if (error instanceof AuthTimeoutError) {
      return new AppError('SSO_TIMEOUT', `${providerName} did not finish the sign-in within 5 minutes. Try again.`);
    }
    if (error instanceof SamlError) {
      this.log.error('SAML response refused', { provider: providerId, code: error.code, detail: error.detail });
      return error.toAppError();
    }
    this.log.error('SSO sign-in failed', { provider: providerId, error: String(error) });
    return new AppError('SSO_REFUSED', `Sign-in with ${providerName} failed. Try again; if it keeps happening, contact IT.`);
  }
}
