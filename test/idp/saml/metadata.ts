/**
 * Reads the few facts the harness needs from the IdP's generated metadata. The XML comes from
 * SimpleSAMLphp itself (a known, flat shape), so a small attribute scanner is enough and avoids
 * depending on node-saml's transitive XML packages.
 */

const BINDING_HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface IdpMetadata {
  entityId: string;
  /** SingleSignOnService, HTTP-Redirect binding. */
  ssoRedirectUrl: string;
  /** SingleLogoutService, HTTP-Redirect binding. */
  sloRedirectUrl: string;
  /** base64 DER of every certificate in a KeyDescriptor usable for signing. */
  signingCertificates: string[];
}

export function parseIdpMetadata(xml: string): IdpMetadata {
  const entity = elements(xml, 'EntityDescriptor')[0];
  const entityId = entity?.entityID;
  if (!entityId) throw new Error(`IdP metadata has no EntityDescriptor/@entityID:\n${xml}`);
  return {
    entityId,
    ssoRedirectUrl: redirectEndpoint(xml, 'SingleSignOnService'),
    sloRedirectUrl: redirectEndpoint(xml, 'SingleLogoutService'),
    signingCertificates: signingCertificates(xml),
  };
}

function redirectEndpoint(xml: string, localName: string): string {
  const endpoint = elements(xml, localName).find((attrs) => attrs.Binding === BINDING_HTTP_REDIRECT);
  if (!endpoint?.Location) throw new Error(`IdP metadata has no ${localName} with the HTTP-Redirect binding:\n${xml}`);
  return endpoint.Location;
}

/** Certificates of KeyDescriptors with use="signing" or no `use` (which means both uses). */
function signingCertificates(xml: string): string[] {
  const descriptors = xml.match(/<(?:[\w-]+:)?KeyDescriptor\b[\s\S]*?<\/(?:[\w-]+:)?KeyDescriptor>/g) ?? [];
  return descriptors
    .filter((descriptor) => {
      const use = elements(descriptor, 'KeyDescriptor')[0]?.use;
      return use === undefined || use === 'signing';
    })
    .flatMap((descriptor) => [...descriptor.matchAll(/<(?:[\w-]+:)?X509Certificate>([\s\S]*?)<\//g)])
    .map((match) => (match[1] ?? '').replace(/\s+/g, ''));
}

/** The attributes of every start tag named `localName` (any namespace prefix). */
function elements(xml: string, localName: string): Record<string, string>[] {
  const tags = xml.matchAll(new RegExp(`<(?:[\\w-]+:)?${localName}\\b([^>]*)>`, 'g'));
  return [...tags].map((tag) => {
    const attrs: Record<string, string> = {};
    for (const [, name, value] of (tag[1] ?? '').matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) {
      if (name !== undefined && value !== undefined) attrs[name] = decodeXmlEntities(value);
    }
    return attrs;
  });
}

function decodeXmlEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity] ?? whole;
  });
}
