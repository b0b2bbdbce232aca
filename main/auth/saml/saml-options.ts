/**
 * node-saml's options for one configured provider, shared by the service provider (requests,
 * logout) and the response verifier (which runs in a worker thread): one place decides them.
 */
import type { SamlConfig } from '@node-saml/node-saml';
import { spEndpoints, type SamlProviderConfig } from './saml-config';

export function baseSamlOptions(config: SamlProviderConfig): SamlConfig {
  const endpoints = spEndpoints(config);
  const signing = config.signing;
  return {
    entryPoint: config.idpSsoUrl,
    issuer: endpoints.entityId,
    callbackUrl: endpoints.acsUrl,
    audience: endpoints.entityId,
    idpIssuer: config.idpEntityId,
    idpCert: config.idpCertificates,
    // The identity must come from a signed assertion, whatever else is signed.
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: config.requireSignedResponse,
    acceptedClockSkewMs: config.clockSkewSeconds * 1000,
    // Let the IdP pick the NameID format (Entra: persistent) and the authentication method
    // (asking for PasswordProtectedTransport breaks passwordless and MFA sign-ins).
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    ...(signing
      ? { privateKey: signing.privateKey, signatureAlgorithm: 'sha256' as const, digestAlgorithm: 'sha256' as const }
      : {}),
    ...(config.decryption ? { decryptionPvk: config.decryption.privateKey } : {}),
    ...(config.sloUrl ? { logoutUrl: config.sloUrl, logoutCallbackUrl: endpoints.sloUrl } : {}),
  };
}
