/**
 * Checks on a raw SAML response before any signature work, as pure functions. They bound
 * what an attacker can make us parse (size, DTDs, depth) and refuse shapes that signature
 * wrapping needs (a second assertion), weak algorithms (SHA-1), non-Success statuses and a
 * wrong Destination (node-saml checks neither Destination nor Recipient).
 */
import { DOMParser } from '@xmldom/xmldom';
import { SamlError } from './saml-errors';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

export const MAX_RESPONSE_BYTES = 256 * 1024;
const MAX_DEPTH = 48;
const MAX_ELEMENTS = 4000;
const WEAK_ALGORITHMS = /sha1$|#sha1|rsa-sha1|hmac-sha1|dsa-sha1/i;

/** base64 SAMLResponse -> XML text, bounded. */
export function decodeSamlResponse(base64: string): string {
  if (base64.length > Math.ceil((MAX_RESPONSE_BYTES * 4) / 3) + 4)
    throw new SamlError('SAML_TOO_LARGE', `${base64.length} base64 characters`);
  if (!/^[A-Za-z0-9+/=\s]+$/.test(base64)) throw new SamlError('SAML_MALFORMED', 'SAMLResponse is not base64');
  return Buffer.from(base64, 'base64').toString('utf8');
}

/** Parses with DTDs refused up front: no entity can be declared, so none can expand. */
export function parseSamlXml(xml: string): Document {
  if (Buffer.byteLength(xml, 'utf8') > MAX_RESPONSE_BYTES) throw new SamlError('SAML_TOO_LARGE');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SamlError('SAML_DOCTYPE');
  const problems: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (m: string) => problems.push(m),
      fatalError: (m: string) => problems.push(m),
    },
  }).parseFromString(xml, 'text/xml');
  if (problems.length || !doc?.documentElement) throw new SamlError('SAML_MALFORMED', problems[0] ?? 'no document element');
  assertBoundedTree(doc.documentElement);
  return doc;
}

export interface ResponseShape {
  destination: string | null;
  inResponseTo: string | null;
  status: string;
  issuer: string | null;
}

/**
 * The structural checks on the whole response. `acsUrl` is the URL the IdP was asked to
 * POST to; the response must say it was meant for it.
 */
export function checkResponseShape(doc: Document, acsUrl: string): ResponseShape {
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.protocol || root.localName !== 'Response') {
    throw new SamlError('SAML_MALFORMED', `root element is ${root.nodeName}`);
  }
  checkAlgorithms(doc);
  // Signature wrapping (XSW1-8) needs a second, unsigned or copied assertion somewhere in
  // the document; an IdP sends exactly one.
  const assertions = elements(doc, NS.assertion, 'Assertion').length + elements(doc, NS.assertion, 'EncryptedAssertion').length;
  if (assertions !== 1) throw new SamlError('SAML_MULTIPLE_ASSERTIONS', `${assertions} assertions`);

  const statusCode = childElements(childElements(root, NS.protocol, 'Status')[0], NS.protocol, 'StatusCode')[0];
  const status = statusCode?.getAttribute('Value') ?? '';
  if (status !== 'urn:oasis:names:tc:SAML:2.0:status:Success') {
    const nested = childElements(statusCode, NS.protocol, 'StatusCode')[0]?.getAttribute('Value');
    throw new SamlError('SAML_STATUS', [status || 'missing', nested].filter(Boolean).join(' / '));
  }
  const destination = root.getAttribute('Destination') || null;
  // SAML core 3.2.2: a signed response must carry Destination; every IdP we know sends it.
  if (destination === null || !sameUrl(destination, acsUrl))
    throw new SamlError('SAML_DESTINATION', `Destination ${destination ?? 'missing'}`);
  return {
    destination,
    inResponseTo: root.getAttribute('InResponseTo') || null,
    status,
    issuer: childElements(root, NS.assertion, 'Issuer')[0]?.textContent?.trim() ?? null,
  };
}

/** Refuses SHA-1 in any signature or digest of `doc` (a response, or a decrypted assertion). */
export function checkAlgorithms(doc: Document): void {
  for (const tag of ['SignatureMethod', 'DigestMethod']) {
    for (const el of elements(doc, NS.dsig, tag)) {
      const algorithm = el.getAttribute('Algorithm') ?? '';
      if (WEAK_ALGORITHMS.test(algorithm)) throw new SamlError('SAML_WEAK_ALGORITHM', algorithm);
    }
  }
}

/** Scheme, host, port and path must match exactly; no query or fragment games. */
export function sameUrl(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return (
      x.protocol === y.protocol && x.host === y.host && x.pathname === y.pathname && x.search === y.search && !x.hash && !y.hash
    );
  } catch {
    return false;
  }
}

export function elements(root: Document | Element, ns: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, localName));
}

export function childElements(parent: Element | undefined | null, ns: string, localName: string): Element[] {
  if (!parent) return [];
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (isElement(node) && node.namespaceURI === ns && node.localName === localName) out.push(node);
  }
  return out;
}

function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

function assertBoundedTree(root: Element): void {
  let count = 0;
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) throw new SamlError('SAML_MALFORMED', `nested deeper than ${MAX_DEPTH}`);
    if (++count > MAX_ELEMENTS) throw new SamlError('SAML_TOO_LARGE', `more than ${MAX_ELEMENTS} nodes`);
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (isElement(child)) stack.push([child, depth + 1]);
    }
  }
}
