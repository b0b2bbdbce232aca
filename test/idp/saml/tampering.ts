/**
 * What an attacker does to a real, IdP-signed SAML response, as pure functions on XML strings:
 * edit it, move signed parts around (signature wrapping, XSW1–XSW8 as SAML Raider builds them),
 * strip or re-sign signatures (with the IdP's own key, to isolate one check, or with another key),
 * split text with comments, and add DTDs or huge or deep trees. Nothing here validates anything:
 * the tests hand the result to Portico's service provider and assert why it is refused.
 */
import { constants, createCipheriv, publicEncrypt, randomBytes, sign, X509Certificate } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

export const SAML_NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
} as const;

export const XMLDSIG = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  envelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

const XMLNS = 'http://www.w3.org/2000/xmlns/';

export const STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  authnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
} as const;

/** A key to sign with; with `certificatePem`, the certificate goes into the Signature's KeyInfo. */
export interface SigningKey {
  privateKeyPem: string;
  certificatePem?: string;
}

/** Default: RSA-SHA256 with SHA-256 digests, as the IdP signs. */
export interface SigningAlgorithms {
  signature?: string;
  digest?: string;
}

// ---------------------------------------------------------------------------------------------
// Parsing and navigating

export function parseXml(xml: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (message: string) => problems.push(message),
      fatalError: (message: string) => problems.push(message),
    },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0 || !doc?.documentElement) throw new Error(`tampering: cannot parse XML: ${problems[0] ?? 'empty'}`);
  return doc;
}

export function serializeXml(doc: Document): string {
  return new XMLSerializer().serializeToString(doc);
}

/** Parses, lets `edit` change the document in place, serializes. */
export function editXml(xml: string, edit: (doc: Document) => void): string {
  const doc = parseXml(xml);
  edit(doc);
  return serializeXml(doc);
}

export function childElements(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (isElement(node) && node.namespaceURI === ns && node.localName === localName) out.push(node);
  }
  return out;
}

/** The one child `ns:localName` of `parent`; throws when there is none (a test built on a wrong shape). */
export function childElement(parent: Element, ns: string, localName: string): Element {
  const found = childElements(parent, ns, localName)[0];
  if (!found) throw new Error(`tampering: <${parent.nodeName}> has no ${localName} child`);
  return found;
}

export function descendants(root: Document | Element, ns: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, localName));
}

export function descendant(root: Document | Element, ns: string, localName: string): Element {
  const found = descendants(root, ns, localName)[0];
  if (!found) throw new Error(`tampering: no ${localName} element`);
  return found;
}

/** The Response (document element). */
export function responseElement(doc: Document): Element {
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SAML_NS.protocol || root.localName !== 'Response') {
    throw new Error('tampering: the document is not a samlp:Response');
  }
  return root;
}

/** The Response's own (child) Assertion. */
export function assertionElement(doc: Document): Element {
  return childElement(responseElement(doc), SAML_NS.assertion, 'Assertion');
}

/** The enveloped signature of `element` (its ds:Signature child), if any. */
export function ownSignature(element: Element): Element | null {
  return childElements(element, SAML_NS.dsig, 'Signature')[0] ?? null;
}

export function elementById(doc: Document, id: string): Element {
  const matches = Array.from(doc.getElementsByTagName('*')).filter((el) => el.getAttribute('ID') === id);
  if (matches.length !== 1) throw new Error(`tampering: ${matches.length} elements with ID ${id}`);
  return matches[0]!;
}

function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

// ---------------------------------------------------------------------------------------------
// Editing content

export function setText(element: Element, text: string): void {
  while (element.firstChild) element.removeChild(element.firstChild);
  element.appendChild(element.ownerDocument.createTextNode(text));
}

export function nameIdElement(assertion: Element): Element {
  return childElement(childElement(assertion, SAML_NS.assertion, 'Subject'), SAML_NS.assertion, 'NameID');
}

export function subjectConfirmationData(assertion: Element): Element {
  const subject = childElement(assertion, SAML_NS.assertion, 'Subject');
  const confirmation = childElement(subject, SAML_NS.assertion, 'SubjectConfirmation');
  return childElement(confirmation, SAML_NS.assertion, 'SubjectConfirmationData');
}

export function conditionsElement(assertion: Element): Element {
  return childElement(assertion, SAML_NS.assertion, 'Conditions');
}

/** The Attribute named `name` in the assertion's AttributeStatement(s). */
export function attributeElement(assertion: Element, name: string): Element {
  for (const statement of childElements(assertion, SAML_NS.assertion, 'AttributeStatement')) {
    const found = childElements(statement, SAML_NS.assertion, 'Attribute').find((a) => a.getAttribute('Name') === name);
    if (found) return found;
  }
  throw new Error(`tampering: no attribute ${name}`);
}

/** Replaces the values of attribute `name` (keeping the IdP's xsi:type on the new values). */
export function setAttributeValues(assertion: Element, name: string, values: readonly string[]): void {
  const attribute = attributeElement(assertion, name);
  const existing = childElements(attribute, SAML_NS.assertion, 'AttributeValue');
  const template = existing[0];
  for (const value of existing) attribute.removeChild(value);
  for (const value of values) {
    const element = template
      ? (template.cloneNode(false) as Element)
      : attribute.ownerDocument.createElementNS(SAML_NS.assertion, 'saml:AttributeValue');
    setText(element, value);
    attribute.appendChild(element);
  }
}

/** Replaces the text of `element` by `before`, an empty XML comment, and `after` (`a<!---->b`). */
export function splitTextWithComment(element: Element, before: string, after: string): void {
  const doc = element.ownerDocument;
  while (element.firstChild) element.removeChild(element.firstChild);
  element.appendChild(doc.createTextNode(before));
  element.appendChild(doc.createComment(''));
  element.appendChild(doc.createTextNode(after));
}

/** xs:dateTime as SAML writes it (seconds, Z). */
export function samlTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------
// Signatures

/** Removes signatures: every ds:Signature, or only the Response's or only the Assertion's own. */
export function removeSignatures(xml: string, which: 'all' | 'response' | 'assertion'): string {
  return editXml(xml, (doc) => {
    const targets =
      which === 'all'
        ? descendants(doc, SAML_NS.dsig, 'Signature')
        : [ownSignature(which === 'response' ? responseElement(doc) : assertionElement(doc))];
    for (const signature of targets) signature?.parentNode?.removeChild(signature);
  });
}

/**
 * Signs the element whose ID is `id` as an IdP does: its previous enveloped signature removed,
 * RSA-SHA256 over exclusive c14n with the enveloped-signature transform, a Reference to `#id`, and
 * the new ds:Signature placed right after the element's Issuer (where SAML's schema puts it).
 */
export function signElement(xml: string, id: string, key: SigningKey, algorithms: SigningAlgorithms = {}): string {
  if (!/^[A-Za-z_][\w.-]*$/.test(id)) throw new Error(`tampering: unexpected ID ${id}`);
  const unsigned = editXml(xml, (doc) => {
    const signature = ownSignature(elementById(doc, id));
    signature?.parentNode?.removeChild(signature);
  });
  const target = `//*[@ID='${id}']`;
  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    ...(key.certificatePem ? { publicCert: key.certificatePem } : {}),
    signatureAlgorithm: algorithms.signature ?? XMLDSIG.rsaSha256,
    canonicalizationAlgorithm: XMLDSIG.excC14n,
  });
  signer.addReference({
    xpath: target,
    transforms: [XMLDSIG.envelopedSignature, XMLDSIG.excC14n],
    digestAlgorithm: algorithms.digest ?? XMLDSIG.sha256,
  });
  signer.computeSignature(unsigned, {
    prefix: 'ds',
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

/** Signs the Assertion again (after an edit), with `key`. */
export function resignAssertion(xml: string, key: SigningKey, algorithms: SigningAlgorithms = {}): string {
  return signElement(xml, idOf(xml, 'assertion'), key, algorithms);
}

/** Signs the Response again (after an edit), with `key`. */
export function resignResponse(xml: string, key: SigningKey, algorithms: SigningAlgorithms = {}): string {
  return signElement(xml, idOf(xml, 'response'), key, algorithms);
}

/**
 * The Assertion first, then the Response (whose signature covers the assertion's new one): the
 * result is a response whose every signature verifies with `key`, whatever was edited before.
 */
export function resignAssertionAndResponse(xml: string, key: SigningKey, algorithms: SigningAlgorithms = {}): string {
  return resignResponse(resignAssertion(xml, key, algorithms), key, algorithms);
}

/** Edits the response, then re-signs what it signed before (assertion, response, both) with `key`. */
export function editAndResign(xml: string, key: SigningKey, edit: (doc: Document) => void): string {
  const before = parseXml(xml);
  const assertionWasSigned = ownSignature(assertionElement(before)) !== null;
  const responseWasSigned = ownSignature(responseElement(before)) !== null;
  let out = editXml(xml, edit);
  if (assertionWasSigned) out = resignAssertion(out, key);
  if (responseWasSigned) out = resignResponse(out, key);
  return out;
}

/**
 * Whether the enveloped signature of the element with ID `id` verifies with `certificatePem`
 * (xml-crypto, which also refuses a document where that ID is not unique). For tests to show that
 * a tampered response still carries a genuinely valid signature: that is what makes it an attack.
 */
export function signatureVerifies(xml: string, id: string, certificatePem: string): boolean {
  const doc = parseXml(xml);
  const signature = ownSignature(elementById(doc, id));
  if (!signature) return false;
  const verifier = new SignedXml({ publicCert: certificatePem });
  verifier.loadSignature(signature);
  try {
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}

function idOf(xml: string, which: 'response' | 'assertion'): string {
  const doc = parseXml(xml);
  const id = (which === 'response' ? responseElement(doc) : assertionElement(doc)).getAttribute('ID');
  if (!id) throw new Error(`tampering: the ${which} has no ID`);
  return id;
}

// ---------------------------------------------------------------------------------------------
// Signature wrapping (XSW1–XSW8)

export const XSW_VARIANTS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
export type XswVariant = (typeof XSW_VARIANTS)[number];

export const XSW_DESCRIPTIONS: Record<XswVariant, string> = {
  1: 'evil Response as root; the signed original Response (its signature removed) inside the root ds:Signature',
  2: 'evil Response as root; the signed original Response (its signature removed) as a sibling before the ds:Signature',
  3: 'evil Assertion (new ID, unsigned) inserted as a sibling before the signed Assertion',
  4: 'evil Assertion (new ID, unsigned) in place of the signed Assertion, which becomes its child',
  5: 'the signed Assertion made evil (new ID, keeps the ds:Signature); an unsigned copy of the original appended to the Response',
  6: 'the signed Assertion made evil (new ID, keeps the ds:Signature); the unsigned original copy moved inside that ds:Signature',
  7: 'evil Assertion (same ID, unsigned) inside a samlp:Extensions before the signed Assertion',
  8: 'the signed Assertion made evil (same ID, keeps the ds:Signature); the unsigned original inside a ds:Object in that ds:Signature',
};

/**
 * Builds signature-wrapping variant `variant` from a real signed response, following SAML Raider's
 * XSW1–XSW8 (after "On Breaking SAML: Be Whoever You Want to Be", Somorovsky et al., 2012). `makeEvil`
 * changes the attacker's copy of the assertion (e.g. another NameID and groups); the signed
 * original, which still verifies, is moved where a careless verifier finds it while a careless
 * reader takes the evil copy.
 */
export function wrapSignature(xml: string, variant: XswVariant, makeEvil: (assertion: Element) => void): string {
  return editXml(xml, (doc) => {
    const response = responseElement(doc);
    const assertion = assertionElement(doc);
    switch (variant) {
      case 1:
      case 2: {
        const responseSignature = ownSignature(response);
        if (!responseSignature) throw new Error('tampering: XSW1/XSW2 need a signed Response');
        const original = response.cloneNode(true) as Element;
        const copiedSignature = ownSignature(original);
        if (copiedSignature) original.removeChild(copiedSignature);
        makeEvil(assertion);
        if (variant === 1) responseSignature.appendChild(original);
        else response.insertBefore(original, responseSignature);
        response.setAttribute('ID', '_evil_response_ID');
        return;
      }
      case 3:
      case 4: {
        const evil = assertion.cloneNode(true) as Element;
        const copiedSignature = ownSignature(evil);
        if (copiedSignature) evil.removeChild(copiedSignature);
        evil.setAttribute('ID', '_evil_assertion_ID');
        makeEvil(evil);
        if (variant === 3) {
          response.insertBefore(evil, assertion);
        } else {
          response.replaceChild(evil, assertion);
          evil.appendChild(assertion);
        }
        return;
      }
      case 5:
      case 6:
      case 8: {
        const signature = ownSignature(assertion);
        if (!signature) throw new Error('tampering: XSW5/6/8 need a signed Assertion');
        const original = assertion.cloneNode(true) as Element;
        const copiedSignature = ownSignature(original);
        if (copiedSignature) original.removeChild(copiedSignature);
        makeEvil(assertion);
        if (variant === 5) {
          assertion.setAttribute('ID', '_evil_assertion_ID');
          response.appendChild(original);
        } else if (variant === 6) {
          assertion.setAttribute('ID', '_evil_assertion_ID');
          signature.appendChild(original);
        } else {
          const object = doc.createElementNS(SAML_NS.dsig, 'ds:Object');
          object.appendChild(original);
          signature.appendChild(object);
        }
        return;
      }
      case 7: {
        const extensions = doc.createElementNS(SAML_NS.protocol, 'samlp:Extensions');
        const evil = assertion.cloneNode(true) as Element;
        const copiedSignature = ownSignature(evil);
        if (copiedSignature) evil.removeChild(copiedSignature);
        makeEvil(evil);
        extensions.appendChild(evil);
        response.insertBefore(extensions, assertion);
        return;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Encryption

/**
 * Replaces the Response's Assertion or EncryptedAssertion with an EncryptedAssertion of
 * `plaintext` (any text: a forged assertion, a DTD...) for `recipientCertificatePem`, as XML
 * Encryption does it: AES-256-GCM content, its key wrapped with RSA-OAEP. Anyone can do this:
 * the SP's encryption certificate is public (it is in its metadata).
 */
export function replaceWithEncryptedAssertion(xml: string, plaintext: string, recipientCertificatePem: string): string {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const content = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const wrappedKey = publicEncrypt(
    { key: new X509Certificate(recipientCertificatePem).publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    key,
  );
  const encrypted = parseXml(
    `<saml:EncryptedAssertion xmlns:saml="${SAML_NS.assertion}">` +
      `<xenc:EncryptedData xmlns:xenc="${SAML_NS.xenc}" Type="${SAML_NS.xenc}Element">` +
      `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>` +
      `<ds:KeyInfo xmlns:ds="${SAML_NS.dsig}"><xenc:EncryptedKey>` +
      `<xenc:EncryptionMethod Algorithm="${SAML_NS.xenc}rsa-oaep-mgf1p"/>` +
      `<xenc:CipherData><xenc:CipherValue>${wrappedKey.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
      `</xenc:EncryptedKey></ds:KeyInfo>` +
      `<xenc:CipherData><xenc:CipherValue>${content.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
      `</xenc:EncryptedData></saml:EncryptedAssertion>`,
  ).documentElement!;
  return editXml(xml, (doc) => {
    const response = responseElement(doc);
    const current = [
      ...childElements(response, SAML_NS.assertion, 'Assertion'),
      ...childElements(response, SAML_NS.assertion, 'EncryptedAssertion'),
    ];
    if (current.length !== 1) throw new Error(`tampering: expected one assertion, found ${current.length}`);
    response.replaceChild(doc.importNode(encrypted, true), current[0]!);
  });
}

// ---------------------------------------------------------------------------------------------
// Parser abuse

/** Puts `<!DOCTYPE samlp:Response [ internalSubset ]>` in front of the response. */
export function withDoctype(xml: string, internalSubset: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE samlp:Response [\n${internalSubset}\n]>\n${stripXmlDeclaration(xml)}`;
}

/**
 * "Billion laughs": `levels` entities, each ten references to the previous one (10^levels copies of
 * "lol" once expanded: 10^9 ≈ 3 GB), referenced from the NameID.
 */
export function billionLaughs(xml: string, levels = 9): string {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let level = 1; level <= levels; level++) {
    entities.push(`<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`);
  }
  const withReference = editXml(xml, (doc) => setText(nameIdElement(assertionElement(doc)), 'ENTITY_HERE'));
  return withDoctype(withReference.replace('ENTITY_HERE', `&lol${levels};`), entities.join('\n'));
}

/** An external entity (XXE) reading a local file into the NameID. */
export function externalEntity(xml: string, systemId = 'file:///etc/passwd'): string {
  const withReference = editXml(xml, (doc) => setText(nameIdElement(assertionElement(doc)), 'ENTITY_HERE'));
  return withDoctype(withReference.replace('ENTITY_HERE', '&xxe;'), `<!ENTITY xxe SYSTEM "${systemId}">`);
}

/**
 * A samlp:Extensions (allowed by the schema, before Status) holding `content`: `depth` nested
 * elements, or `count` sibling elements.
 */
export function withExtensions(xml: string, content: { nestedDepth: number } | { siblings: number }): string {
  return editXml(xml, (doc) => {
    const response = responseElement(doc);
    const extensions = doc.createElementNS(SAML_NS.protocol, 'samlp:Extensions');
    // Declared once here, so that the serializer does not repeat it on every element.
    extensions.setAttributeNS(XMLNS, 'xmlns:x', 'urn:portico:test');
    if ('nestedDepth' in content) {
      let parent: Element = extensions;
      for (let level = 0; level < content.nestedDepth; level++) {
        const child = doc.createElementNS('urn:portico:test', 'x:e');
        parent.appendChild(child);
        parent = child;
      }
    } else {
      for (let i = 0; i < content.siblings; i++) extensions.appendChild(doc.createElementNS('urn:portico:test', 'x:e'));
    }
    response.insertBefore(extensions, childElement(response, SAML_NS.protocol, 'Status'));
  });
}

/**
 * Raw markup (comments, processing instructions, CDATA, elements with many attributes...) spliced
 * into the Response just before its Status, as text: what a parser and canonicaliser must then
 * cope with. The Response's own signature no longer verifies; the Assertion's still does.
 */
export function withRawMarkup(xml: string, markup: string): string {
  const at = xml.indexOf('<samlp:Status>');
  if (at < 0) throw new Error('tampering: no <samlp:Status> to insert before');
  return `${xml.slice(0, at)}${markup}${xml.slice(at)}`;
}

/** `count` copies of `unit(i)`, joined: the bulk of a parser-abuse payload. */
export function repeated(count: number, unit: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => unit(i)).join('');
}

/**
 * Re-signs the element with ID `id` (with `key` and `algorithms`), then moves the SignatureMethod
 * and DigestMethod of its signature into another namespace and signs the changed SignedInfo
 * again, so that the signature still verifies for xml-crypto, which finds both elements by local
 * name in any namespace. With `attributeNamespace`, the DigestMethod keeps its namespace and its
 * Algorithm attribute moves instead (xml-crypto reads that one by local name too).
 */
export function withAlgorithmsInForeignNamespace(
  xml: string,
  id: string,
  key: SigningKey,
  algorithms: SigningAlgorithms,
  move: 'elements' | 'attribute' = 'elements',
): string {
  const FOREIGN = 'urn:portico:test:foreign';
  const signed = signElement(xml, id, key, algorithms);
  const moved = editXml(signed, (doc) => {
    const signedInfo = childElement(ownSignature(elementById(doc, id))!, SAML_NS.dsig, 'SignedInfo');
    for (const original of descendants(signedInfo, SAML_NS.dsig, '*')) {
      if (original.localName !== 'SignatureMethod' && original.localName !== 'DigestMethod') continue;
      const algorithm = original.getAttribute('Algorithm')!;
      if (move === 'attribute') {
        if (original.localName !== 'DigestMethod') continue;
        original.removeAttribute('Algorithm');
        original.setAttributeNS(FOREIGN, 'f:Algorithm', algorithm);
        continue;
      }
      const replacement = doc.createElementNS(FOREIGN, `f:${original.localName}`);
      replacement.setAttribute('Algorithm', algorithm);
      original.parentNode!.replaceChild(replacement, original);
    }
  });
  // The SignedInfo changed: its SignatureValue is computed again, as xml-crypto canonicalises it.
  const doc = parseXml(moved);
  const signature = ownSignature(elementById(doc, id))!;
  const loaded = new SignedXml();
  loaded.loadSignature(signature);
  const canonical = (loaded as unknown as { getCanonSignedInfoXml(doc: Document): string }).getCanonSignedInfoXml(doc);
  const hash = (algorithms.signature ?? XMLDSIG.rsaSha256).endsWith('sha1') ? 'sha1' : 'sha256';
  setText(
    childElement(signature, SAML_NS.dsig, 'SignatureValue'),
    sign(hash, Buffer.from(canonical), key.privateKeyPem).toString('base64'),
  );
  return serializeXml(doc);
}

/** Pads the response with `bytes` of whitespace before the Status (still well-formed, same signatures). */
export function padded(xml: string, bytes: number): string {
  return editXml(xml, (doc) => {
    const response = responseElement(doc);
    response.insertBefore(doc.createTextNode(' '.repeat(bytes)), childElement(response, SAML_NS.protocol, 'Status'));
  });
}

function stripXmlDeclaration(xml: string): string {
  return xml.replace(/^\s*<\?xml[^>]*\?>\s*/, '');
}

// ---------------------------------------------------------------------------------------------
// Transport

export function toBase64(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

export function fromBase64(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

/** The ACS POST body (application/x-www-form-urlencoded) carrying `xml` as SAMLResponse. */
export function acsPostBody(xml: string): string {
  return `SAMLResponse=${encodeURIComponent(toBase64(xml))}`;
}
