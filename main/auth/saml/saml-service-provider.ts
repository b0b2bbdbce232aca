/**
 * Portico as a SAML service provider for one configured IdP: builds AuthnRequests and
 * validates responses with @node-saml/node-saml (signatures, issuer, audience, times,
 * InResponseTo against a per-attempt cache), adding what node-saml leaves out: size, DTD and
 * node-count limits, one assertion only, an algorithm allow-list (no SHA-1), a Response
 * signature that must verify when present, Destination and Recipient, a non-Success status
 * with a signed assertion, an IdP session already over, and replay of an assertion ID.
 */
import { randomBytes } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { SAML, ValidateInResponseTo, type CacheItem, type CacheProvider, type SamlConfig } from '@node-saml/node-saml';
import { decryptXml } from '@node-saml/node-saml/lib/xml';
import type { CallbackRequest, Clock } from '../../platform';
import type { SsoSessionRef } from '../sso-identity';
import { spEndpoints, type SamlProviderConfig } from './saml-config';
import { fromNodeSamlError, SamlError } from './saml-errors';
import {
  checkAlgorithms,
  checkResponseShape,
  childElements,
  decodeSamlResponse,
  elements,
  NS,
  parseSamlXml,
  sameUrl,
} from './saml-response-checks';
import { readAssertion, type SamlAssertion } from './saml-assertion';
import { checkLogoutResponse, logoutResponseXml, readLogoutResponse } from './saml-logout';
import { spMetadataXml } from './sp-metadata';
import { certificatesThatSigned, checkSignaturePlacement, ownSignatures } from './saml-signatures';

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
   * `requestId`. Throws SamlError with the reason; returns the verified assertion.
   */
  async validateResponse(body: string, requestId: string): Promise<SamlAssertion> {
    const samlResponse = new URLSearchParams(body).get('SAMLResponse');
    if (!samlResponse) throw new SamlError('SAML_MALFORMED', 'no SAMLResponse in the POST');
    const xml = decodeSamlResponse(samlResponse);
    const doc = parseSamlXml(xml);
    const shape = checkResponseShape(doc, this.endpoints.acsUrl);
    if (shape.inResponseTo !== requestId) {
      throw new SamlError('SAML_IN_RESPONSE_TO', shape.inResponseTo ? 'answers another attempt' : 'unsolicited');
    }
    const response = doc.documentElement!;
    const assertion = childElements(response, NS.assertion, 'Assertion')[0];
    checkSignaturePlacement(doc, assertion ? [response, assertion] : [response]);
    const signed = [...ownSignatures(response), ...(assertion ? ownSignatures(assertion) : [])].map((s) => ({
      doc,
      signature: s,
    }));
    signed.push(...(await this.checkEncryptedAssertion(doc)));
    // The checks so far and node-saml's below each take one uninterrupted stretch of the main
    // thread (node-saml never yields): let the event loop run in between.
    await setImmediate();
    const certificates = this.signingCertificates(signed);
    await setImmediate();
    // A Response signature that is there must verify, whatever requireSignedResponse says:
    // a broken one means the Response was changed after the IdP signed it.
    const responseSigned = this.config.requireSignedResponse || ownSignatures(response).length > 0;

    let assertionXml: string;
    try {
      const saml = new SAML({ ...this.samlOptions(), idpCert: certificates, wantAuthnResponseSigned: responseSigned });
      const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
      const signedAssertion = profile?.getAssertionXml?.();
      if (!signedAssertion) throw new SamlError('SAML_NO_SUBJECT', 'no assertion');
      assertionXml = signedAssertion;
    } catch (error) {
      if (error instanceof SamlError) throw error;
      throw fromNodeSamlError(error);
    }

    const verified = readAssertion(assertionXml);
    // SAML profiles 4.1.4.2: a Response's Issuer, when present, must be the IdP.
    if (shape.issuer !== null && shape.issuer !== this.config.idpEntityId) throw new SamlError('SAML_ISSUER', shape.issuer);
    this.checkAssertion(verified, requestId);
    this.rememberAssertion(verified);
    return verified;
  }

  /**
   * The configured certificates that signed at least one of `signed` (see saml-signatures.ts);
   * a signature none of them signed is refused here, before node-saml canonicalises anything.
   */
  private signingCertificates(signed: ReadonlyArray<{ doc: Document; signature: Element }>): string[] {
    const certificates = this.config.idpCertificates;
    const used = new Set<number>();
    for (const { doc, signature } of signed) {
      const signers = certificatesThatSigned(doc, signature, certificates);
      if (signers.length === 0) {
        const what = (signature.parentNode as Element | null)?.localName ?? 'element';
        throw new SamlError('SAML_SIGNATURE', `the ${what} signature was not made by any of idpCertificates`);
      }
      for (const index of signers) used.add(index);
    }
    // No signature at all: node-saml refuses the unsigned assertion itself (with every certificate).
    return used.size > 0 ? certificates.filter((_, index) => used.has(index)) : [...certificates];
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

  /**
   * An EncryptedAssertion hides its signature from the checks on the raw response, and node-saml
   * verifies it whatever its algorithm (SHA-1 included): decrypt it here first and hold its content
   * to the same limits (anyone can encrypt for Portico's certificate, so it is untrusted until
   * node-saml has verified it). Without a decryption key node-saml refuses it (SAML_ENCRYPTION).
   */
  private async checkEncryptedAssertion(doc: Document): Promise<Array<{ doc: Document; signature: Element }>> {
    const encrypted = elements(doc, NS.assertion, 'EncryptedAssertion')[0];
    if (!encrypted || !this.config.decryption) return [];
    let decrypted: string;
    try {
      decrypted = await decryptXml(encrypted.toString(), this.config.decryption.privateKey);
    } catch (error) {
      throw new SamlError('SAML_ENCRYPTION', error instanceof Error ? error.message : String(error));
    }
    const inner = parseSamlXml(decrypted);
    checkAlgorithms(inner);
    const assertion = inner.documentElement!;
    if (assertion.namespaceURI !== NS.assertion || assertion.localName !== 'Assertion') {
      throw new SamlError('SAML_ENCRYPTION', `decrypted content is ${assertion.nodeName}, not an Assertion`);
    }
    checkSignaturePlacement(inner, [assertion]);
    return ownSignatures(assertion).map((signature) => ({ doc: inner, signature }));
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
    const signing = this.config.signing;
    return {
      entryPoint: this.config.idpSsoUrl,
      issuer: this.endpoints.entityId,
      callbackUrl: this.endpoints.acsUrl,
      audience: this.endpoints.entityId,
      idpIssuer: this.config.idpEntityId,
      idpCert: this.config.idpCertificates,
      // The identity must come from a signed assertion, whatever else is signed.
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: this.config.requireSignedResponse,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: LOGIN_ATTEMPT_MS,
      cacheProvider: this.requestIds,
      generateUniqueId: () => this.nextRequestId ?? `_${randomBytes(20).toString('hex')}`,
      acceptedClockSkewMs: this.config.clockSkewSeconds * 1000,
      // Let the IdP pick the NameID format (Entra: persistent) and the authentication method
      // (asking for PasswordProtectedTransport breaks passwordless and MFA sign-ins).
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      ...(signing
        ? { privateKey: signing.privateKey, signatureAlgorithm: 'sha256' as const, digestAlgorithm: 'sha256' as const }
        : {}),
      ...(this.config.decryption ? { decryptionPvk: this.config.decryption.privateKey } : {}),
      ...(this.config.sloUrl ? { logoutUrl: this.config.sloUrl, logoutCallbackUrl: this.endpoints.sloUrl } : {}),
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
