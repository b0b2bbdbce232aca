/**
 * Portico as a SAML service provider for one configured IdP: builds AuthnRequests and
 * LogoutRequests with @node-saml/node-saml, and validates responses in two halves. The
 * verifier (saml-verifier.ts, on a worker thread) does the CPU-bound part: node-count bounds,
 * one assertion only, an algorithm allow-list (no SHA-1), a Response signature that must verify
 * when present, Destination, a non-Success status with a signed assertion, and node-saml's own
 * checks. This class keeps what needs state or the injected clock: the attempt a response must
 * answer (one use, 5 minutes), Issuer, Audience, Recipient, times, an IdP session already over,
 * and replay of an assertion ID.
 */
import { randomBytes } from 'node:crypto';
import { SAML, ValidateInResponseTo, type CacheItem, type CacheProvider, type SamlConfig } from '@node-saml/node-saml';
import type { CallbackRequest, Clock } from '../../platform';
import type { SsoSessionRef } from '../sso-identity';
import { spEndpoints, type SamlProviderConfig } from './saml-config';
import { SamlError } from './saml-errors';
import { decodeSamlResponse, sameUrl } from './saml-response-checks';
import type { SamlAssertion } from './saml-assertion';
import { baseSamlOptions } from './saml-options';
import { sharedSamlVerifier, type SamlVerifier } from './saml-worker-client';
import { checkLogoutResponse, logoutResponseXml, readLogoutResponse } from './saml-logout';
import { spMetadataXml } from './sp-metadata';

/** How long a started sign-in may take (the auth window also times out at 5 minutes). */
export const LOGIN_ATTEMPT_MS = 5 * 60_000;

export interface LoginRequest {
  url: string;
  requestId: string;
}

export type LogoutRequest = LoginRequest;

/** What single logout needs of a SAML sign-in. */
export type SamlSessionRef = Extract<SsoSessionRef, { protocol: 'saml' }>;

export class SamlServiceProvider {
  /** For requests and logout; responses are validated by a SAML made for each (see validateResponse). */
  private readonly saml: SAML;
  private readonly requestIds: RequestIdCache;
  private readonly endpoints: ReturnType<typeof spEndpoints>;
  /** Assertion IDs already accepted, until they expire: the same response is never used twice. */
  private readonly seenAssertions = new Map<string, number>();
  private nextRequestId: string | null = null;

  constructor(
    readonly config: SamlProviderConfig,
    private readonly clock: Clock,
    private readonly verifier: SamlVerifier = sharedSamlVerifier(),
  ) {
    this.endpoints = spEndpoints(config);
    this.requestIds = new RequestIdCache(clock);
    this.saml = new SAML(this.samlOptions());
  }

  get acsUrl(): string {
    return this.endpoints.acsUrl;
  }

  get sloCallbackUrl(): string {
    return this.endpoints.sloUrl;
  }

  /** A new AuthnRequest with a fresh id, remembered for this attempt only. */
  async createLoginRequest(options: { forceAuthn?: boolean } = {}): Promise<LoginRequest> {
    const requestId = `_${randomBytes(20).toString('hex')}`;
    this.nextRequestId = requestId;
    try {
      // ForceAuthn (SAML core 3.4.1): the IdP authenticates again, whatever its session. Same
      // options otherwise, and the same request-id cache, so the answer validates as any other.
      const saml = options.forceAuthn ? new SAML({ ...this.samlOptions(), forceAuthn: true }) : this.saml;
      const url = await saml.getAuthorizeUrlAsync(randomBytes(16).toString('hex'), undefined, {});
      return { url, requestId };
    } finally {
      this.nextRequestId = null;
    }
  }

  /**
   * Validates the IdP's POST body (application/x-www-form-urlencoded) for the attempt
   * `requestId`. Throws SamlError with the reason; returns the verified assertion. The
   * CPU-bound verification runs in the verifier (a worker thread: saml-worker-client.ts); the
   * attempt, replay and times are checked here.
   */
  async validateResponse(body: string, requestId: string): Promise<SamlAssertion> {
    const samlResponse = new URLSearchParams(body).get('SAMLResponse');
    if (!samlResponse) throw new SamlError('SAML_MALFORMED', 'no SAMLResponse in the POST');
    decodeSamlResponse(samlResponse); // Size and alphabet, before anything leaves this thread.
    if (!this.requestIds.isOpen(requestId)) throw new SamlError('SAML_IN_RESPONSE_TO', 'no such attempt, or it expired');
    const outcome = await this.verifier.verify({ config: this.config, samlResponse, requestId });
    // A response that answered the attempt uses it up, whatever its fate (as node-saml did).
    if (outcome.ok || outcome.answered) this.requestIds.close(requestId);
    if (!outcome.ok) throw new SamlError(outcome.code, outcome.detail);
    // The attributes crossed a thread as a plain object: keep them free of inherited keys.
    const attributes = Object.assign(Object.create(null), outcome.assertion.attributes) as SamlAssertion['attributes'];
    const verified: SamlAssertion = { ...outcome.assertion, attributes };
    // SAML profiles 4.1.4.2: a Response's Issuer, when present, must be the IdP.
    const issuer = outcome.responseIssuer;
    if (issuer !== null && issuer !== this.config.idpEntityId) throw new SamlError('SAML_ISSUER', issuer);
    this.checkAssertion(verified, requestId);
    this.rememberAssertion(verified);
    return verified;
  }

  /** SP metadata for IT to register Portico at the IdP. */
  metadataXml(): string {
    return spMetadataXml(this.config);
  }

  /**
   * A LogoutRequest URL for the IdP's SLO endpoint (HTTP-Redirect), or null when none is
   * configured. The NameID goes back exactly as the IdP sent it: value, Format, NameQualifier
   * and SPNameQualifier (a strict IdP matches the session on all of them).
   */
  async createLogoutRequest(ref: SamlSessionRef): Promise<LogoutRequest | null> {
    if (!this.config.sloUrl) return null;
    const requestId = `_${randomBytes(20).toString('hex')}`;
    this.nextRequestId = requestId;
    try {
      const url = await this.saml.getLogoutUrlAsync(
        {
          issuer: this.config.idpEntityId,
          nameID: ref.nameId,
          nameIDFormat: ref.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
          ...(ref.nameQualifier ? { nameQualifier: ref.nameQualifier } : {}),
          ...(ref.spNameQualifier ? { spNameQualifier: ref.spNameQualifier } : {}),
          sessionIndex: ref.sessionIndex ?? undefined,
        },
        randomBytes(16).toString('hex'),
        {},
      );
      return { url, requestId };
    } finally {
      this.nextRequestId = null;
    }
  }

  /** Throws SamlError unless `answer` (at the SLO URL) is a successful LogoutResponse to `requestId`. */
  checkLogoutAnswer(answer: CallbackRequest, requestId: string): void {
    checkLogoutResponse(readLogoutResponse(logoutResponseXml(answer)), requestId, this.config.idpEntityId);
  }

  /** Checks node-saml does not make (or makes with its own clock): ours use the injected one. */
  private checkAssertion(assertion: SamlAssertion, requestId: string): void {
    const now = this.clock.now();
    const skew = this.config.clockSkewSeconds * 1000;
    if (assertion.issuer !== this.config.idpEntityId) throw new SamlError('SAML_ISSUER', assertion.issuer);
    if (!assertion.audiences.includes(this.endpoints.entityId))
      throw new SamlError('SAML_AUDIENCE', assertion.audiences.join(', '));
    if (!assertion.recipient || !sameUrl(assertion.recipient, this.endpoints.acsUrl)) {
      throw new SamlError('SAML_RECIPIENT', assertion.recipient ?? 'missing');
    }
    if (assertion.inResponseTo !== requestId) throw new SamlError('SAML_IN_RESPONSE_TO', 'subject confirmation');
    if (assertion.notBefore !== null && now + skew < assertion.notBefore) throw new SamlError('SAML_NOT_YET_VALID');
    for (const limit of [assertion.notOnOrAfter, assertion.subjectNotOnOrAfter]) {
      if (limit !== null && now - skew >= limit) throw new SamlError('SAML_EXPIRED');
    }
    // The IdP session this sign-in belongs to is already over (SAML core 2.7.2): no clock skew
    // here, because a session never ends later than the IdP said.
    if (assertion.sessionNotOnOrAfter !== null && now >= assertion.sessionNotOnOrAfter) {
      throw new SamlError('SAML_EXPIRED', 'SessionNotOnOrAfter has passed');
    }
    if (!assertion.id || this.seenAssertions.has(assertion.id)) throw new SamlError('SAML_REPLAYED', assertion.id);
  }

  private rememberAssertion(assertion: SamlAssertion): void {
    const now = this.clock.now();
    for (const [id, expiry] of this.seenAssertions) if (expiry <= now) this.seenAssertions.delete(id);
    const expiry = Math.max(assertion.notOnOrAfter ?? 0, assertion.subjectNotOnOrAfter ?? 0, now + LOGIN_ATTEMPT_MS);
    this.seenAssertions.set(assertion.id, expiry + this.config.clockSkewSeconds * 1000);
  }

  private samlOptions(): SamlConfig {
    return {
      ...baseSamlOptions(this.config),
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: LOGIN_ATTEMPT_MS,
      cacheProvider: this.requestIds,
      generateUniqueId: () => this.nextRequestId ?? `_${randomBytes(20).toString('hex')}`,
    };
  }
}

/**
 * The AuthnRequest ids node-saml accepts as InResponseTo: kept for one attempt's lifetime,
 * removed once used (node-saml removes on every validation, success or failure).
 */
class RequestIdCache implements CacheProvider {
  private readonly items = new Map<string, CacheItem>();

  constructor(private readonly clock: Clock) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    this.prune();
    const item = { value, createdAt: this.clock.now() };
    this.items.set(key, item);
    return item;
  }

  async getAsync(key: string): Promise<string | null> {
    this.prune();
    return this.items.get(key)?.value ?? null;
  }

  /** An attempt started here, not yet answered, within its time. */
  isOpen(key: string): boolean {
    this.prune();
    return this.items.has(key);
  }

  close(key: string): void {
    this.items.delete(key);
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return null;
    const item = this.items.get(key);
    this.items.delete(key);
    return item?.value ?? null;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [key, item] of this.items) if (now - item.createdAt >= LOGIN_ATTEMPT_MS) this.items.delete(key);
  }
}
