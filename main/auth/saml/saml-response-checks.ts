/**
 * Checks on a raw SAML response before any signature work, as pure functions. They bound
 * what an attacker can make us parse (size, DTDs, every kind of node: xml-bounds.ts) and refuse
 * shapes that signature wrapping needs (a second assertion), algorithms outside the allow-list
 * (SHA-1), non-Success statuses and a wrong Destination (node-saml checks neither Destination
 * nor Recipient).
 */
import { DOMParser } from '@xmldom/xmldom';
import { SamlError } from './saml-errors';
import { scanXmlBounds, XML_LIMITS } from './xml-bounds';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

export const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * The only signature and digest algorithms accepted, as xml-crypto reads them: by local name, in
 * any namespace (an allow-list, so SHA-1, HMAC and anything unknown are refused however written).
 */
export const ALLOWED_ALGORITHMS = {
  SignatureMethod: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512'],
  DigestMethod: ['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512'],
} as const;

/** base64 SAMLResponse -> XML text, bounded. */
export function decodeSamlResponse(base64: string): string {
  if (base64.length > Math.ceil((MAX_RESPONSE_BYTES * 4) / 3) + 4)
    throw new SamlError('SAML_TOO_LARGE', `${base64.length} base64 characters`);
  if (!/^[A-Za-z0-9+/=\s]+$/.test(base64)) throw new SamlError('SAML_MALFORMED', 'SAMLResponse is not base64');
  return Buffer.from(base64, 'base64').toString('utf8');
}

/**
 * Parses with DTDs refused up front (no entity can be declared, so none can expand) and every
 * kind of node bounded by a linear scan of the text before the parser sees it.
 */
export function parseSamlXml(xml: string): Document {
  if (Buffer.byteLength(xml, 'utf8') > MAX_RESPONSE_BYTES) throw new SamlError('SAML_TOO_LARGE');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SamlError('SAML_DOCTYPE');
  scanXmlBounds(xml);
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

/**
 * Every SignatureMethod and DigestMethod of `doc` (a response, or a decrypted assertion) names
 * an allowed algorithm. xml-crypto finds these elements by local name in any namespace, and a
 * DigestMethod's Algorithm by local name too: so are they found here, every one of them, and an
 * element whose algorithm cannot be told (none, or two Algorithm attributes) is refused as well.
 */
export function checkAlgorithms(doc: Document): void {
  for (const [tag, allowed] of Object.entries(ALLOWED_ALGORITHMS) as Array<[string, readonly string[]]>) {
    for (const el of elements(doc, '*', tag)) {
      const algorithms = Array.from(el.attributes)
        .filter((attribute) => attribute.localName === 'Algorithm')
        .map((attribute) => attribute.value);
      if (algorithms.length !== 1 || !allowed.includes(algorithms[0]!)) {
        throw new SamlError('SAML_WEAK_ALGORITHM', algorithms.join(' ') || `${tag} without an algorithm`);
      }
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

/**
 * The parsed tree holds what the scan of its text counted, within the same bounds: a second
 * count, on what the parser actually built, in case the two ever read the text differently.
 */
function assertBoundedTree(root: Element): void {
  const counts = { elements: 0, attributes: 0, comments: 0, cdata: 0, namespaces: 0 };
  const over = (what: string, limit: number) => new SamlError('SAML_TOO_LARGE', `more than ${limit} ${what}`);
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > XML_LIMITS.depth) throw new SamlError('SAML_MALFORMED', `nested deeper than ${XML_LIMITS.depth}`);
    if (++counts.elements > XML_LIMITS.elements) throw over('elements (nodes)', XML_LIMITS.elements);
    const attributes = (node as Element).attributes;
    if (attributes.length > XML_LIMITS.attributesPerElement)
      throw over('attributes on one element', XML_LIMITS.attributesPerElement);
    counts.attributes += attributes.length;
    if (counts.attributes > XML_LIMITS.attributes) throw over('attributes', XML_LIMITS.attributes);
    for (const attribute of Array.from(attributes)) {
      if (attribute.name === 'xmlns' || attribute.prefix === 'xmlns') counts.namespaces++;
    }
    if (counts.namespaces > XML_LIMITS.namespaceDeclarations)
      throw over('namespace declarations', XML_LIMITS.namespaceDeclarations);
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (isElement(child)) stack.push([child, depth + 1]);
      else if (child.nodeType === 8) counts.comments++;
      else if (child.nodeType !== 3 && child.nodeType !== 4) {
        throw new SamlError('SAML_MALFORMED', `unexpected node (type ${child.nodeType})`);
      }
      if (child.nodeType === 4) counts.cdata++;
    }
    if (counts.comments > XML_LIMITS.comments) throw over('comments', XML_LIMITS.comments);
    if (counts.cdata > XML_LIMITS.cdataSections) throw over('CDATA sections', XML_LIMITS.cdataSections);
  }
}
