/**
 * Portico's SAML SP metadata for one provider: what IT uploads to the IdP (or copies from) to
 * register Portico. Pure and deterministic (no random ID, no timestamp), so the same policy
 * always prints the same file.
 *
 * It publishes what Portico does: the ACS (HTTP-POST), the signing certificate when
 * AuthnRequests are signed, the encryption certificate when assertions may be encrypted, and,
 * when single logout is configured, the SLO URL with BOTH bindings Portico accepts there
 * (the sign-in window catches a redirect and a POST alike): an IdP that finds only one binding
 * it does not use refuses to send the LogoutResponse.
 */
import { spEndpoints, type SamlProviderConfig } from './saml-config';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
export const BINDINGS = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;
/** What xml-encryption (node-saml's decrypter) can decrypt, strongest first. */
const ENCRYPTION_METHODS = [
  'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
];

export function spMetadataXml(provider: SamlProviderConfig): string {
  const { entityId, acsUrl, sloUrl } = spEndpoints(provider);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<EntityDescriptor xmlns="${MD}" xmlns:ds="${DSIG}" entityID="${attr(entityId)}">`,
    `  <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="${provider.signing ? 'true' : 'false'}" WantAssertionsSigned="true">`,
  ];
  if (provider.signing) lines.push(...keyDescriptor('signing', provider.signing.certificate));
  if (provider.decryption) {
    lines.push(
      ...keyDescriptor(
        'encryption',
        provider.decryption.certificate,
        ENCRYPTION_METHODS.map((method) => `    <EncryptionMethod Algorithm="${method}"/>`),
      ),
    );
  }
  if (provider.sloUrl) {
    for (const binding of [BINDINGS.redirect, BINDINGS.post]) {
      lines.push(`    <SingleLogoutService Binding="${binding}" Location="${attr(sloUrl)}"/>`);
    }
  }
  lines.push(
    `    <AssertionConsumerService Binding="${BINDINGS.post}" Location="${attr(acsUrl)}" index="1" isDefault="true"/>`,
    '  </SPSSODescriptor>',
    '</EntityDescriptor>',
  );
  return `${lines.join('\n')}\n`;
}

function keyDescriptor(use: 'signing' | 'encryption', certificate: string, extra: string[] = []): string[] {
  return [
    `    <KeyDescriptor use="${use}">`,
    `      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
    ...extra,
    '    </KeyDescriptor>',
  ];
}

/** The base64 DER of a certificate given as PEM or as bare base64. */
export function certificateBody(certificate: string): string {
  return certificate.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}
