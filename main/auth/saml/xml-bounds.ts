/**
 * A single linear pass over a SAML message's text that bounds every kind of node before any
 * XML parser or XML-DSig code sees it. Parsing and canonicalisation are not linear in every
 * node kind: xml-crypto removes comments one at a time (about 35,000 comments in 256 KiB cost
 * 20-40 s of CPU), and the parser itself spends over 200 ms on 65,000 empty elements. Counting
 * markup in the text is cheap whatever it holds, so the counts are taken here, from the text,
 * and only a message within every bound is parsed.
 *
 * The scan over-counts rather than under-counts where it cannot tell (an attribute without a
 * value, spaces around `=`), so that nothing the parser builds escapes a bound. Text nodes need
 * no bound of their own: there are at most two per element, plus one per comment or CDATA section.
 */
import { SamlError } from './saml-errors';

/**
 * Sized on measurements (test/bench/saml.ts): node-saml and xml-crypto spend 20-30 µs of CPU per
 * element, attribute or text node (XPath over the whole document, several times per signature),
 * so these bounds keep the worst response under the size cap within about 60 ms of CPU, on the
 * verifier's worker thread. An IdP's response is far smaller: Entra ID, with its maximum of 150
 * groups in a SAML token, sends about 250 elements.
 */
export const XML_LIMITS = {
  elements: 500,
  /** Nesting depth: a SAML response nests about 8 levels. */
  depth: 48,
  /** Attributes in the whole message, namespace declarations included. */
  attributes: 750,
  /** Attributes on one element, namespace declarations included (a Response root has about 8). */
  attributesPerElement: 32,
  /** Namespace declarations (some IdPs declare two on every AttributeValue). */
  namespaceDeclarations: 300,
  /**
   * XML comments. No IdP we know sends any, and canonicalisation is quadratic in them; a few are
   * allowed so that a comment inside a value (the comment-splitting attack) is still read whole.
   */
  comments: 8,
  /** CDATA sections: rare in SAML, each one also splits text. */
  cdataSections: 64,
} as const;

export interface XmlCounts {
  elements: number;
  attributes: number;
  maxDepth: number;
  maxAttributesPerElement: number;
  namespaceDeclarations: number;
  comments: number;
  cdataSections: number;
}

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const EQUALS = 0x3d;
const COLON = 0x3a;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * Counts the nodes `xml` would parse into, refusing as soon as a bound is passed (so the scan
 * itself stays linear). Throws SamlError: SAML_DOCTYPE for a DTD, SAML_MALFORMED for a
 * processing instruction, unterminated markup or nesting deeper than allowed, SAML_TOO_LARGE for
 * too many nodes of any kind.
 */
export function scanXmlBounds(xml: string): XmlCounts {
  const counts: XmlCounts = {
    elements: 0,
    attributes: 0,
    maxDepth: 0,
    maxAttributesPerElement: 0,
    namespaceDeclarations: 0,
    comments: 0,
    cdataSections: 0,
  };
  const tooMany = (what: string, limit: number) => new SamlError('SAML_TOO_LARGE', `more than ${limit} ${what}`);
  let depth = 0;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  // The XML declaration, only at the very start: the one processing-instruction-like thing allowed.
  if (xml.startsWith('<?xml', i) && (isSpace(xml.charCodeAt(i + 5)) || xml.startsWith('?>', i + 5))) {
    i = endOf(xml, '?>', i + 5, 'XML declaration');
  }
  while (i < xml.length) {
    if (xml.charCodeAt(i) !== LT) {
      i++;
      continue;
    }
    if (xml.startsWith('<!--', i)) {
      if (++counts.comments > XML_LIMITS.comments) throw tooMany('comments', XML_LIMITS.comments);
      i = endOf(xml, '-->', i + 4, 'comment');
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (++counts.cdataSections > XML_LIMITS.cdataSections) throw tooMany('CDATA sections', XML_LIMITS.cdataSections);
      i = endOf(xml, ']]>', i + 9, 'CDATA section');
    } else if (xml.startsWith('<!', i)) {
      // DOCTYPE, ENTITY, or anything else a DTD could hide: never accepted.
      throw new SamlError('SAML_DOCTYPE', 'markup declaration');
    } else if (xml.startsWith('<?', i)) {
      throw new SamlError('SAML_MALFORMED', 'processing instruction');
    } else if (xml.charCodeAt(i + 1) === SLASH) {
      i = endOf(xml, '>', i + 2, 'end tag');
      depth--;
    } else {
      const tag = scanStartTag(xml, i);
      if (++counts.elements > XML_LIMITS.elements) throw tooMany('elements (nodes)', XML_LIMITS.elements);
      if (tag.attributes > XML_LIMITS.attributesPerElement) {
        throw tooMany('attributes on one element', XML_LIMITS.attributesPerElement);
      }
      counts.maxAttributesPerElement = Math.max(counts.maxAttributesPerElement, tag.attributes);
      counts.attributes += tag.attributes;
      if (counts.attributes > XML_LIMITS.attributes) throw tooMany('attributes', XML_LIMITS.attributes);
      counts.namespaceDeclarations += tag.namespaceDeclarations;
      if (counts.namespaceDeclarations > XML_LIMITS.namespaceDeclarations) {
        throw tooMany('namespace declarations', XML_LIMITS.namespaceDeclarations);
      }
      if (!tag.selfClosing && ++depth > XML_LIMITS.depth) {
        throw new SamlError('SAML_MALFORMED', `nested deeper than ${XML_LIMITS.depth}`);
      }
      counts.maxDepth = Math.max(counts.maxDepth, depth);
      i = tag.end;
    }
  }
  return counts;
}

/** `xmlns="..."` or `xmlns:prefix="..."` starts at `i`. */
function isNamespaceDeclaration(xml: string, i: number): boolean {
  if (!xml.startsWith('xmlns', i)) return false;
  const next = xml.charCodeAt(i + 5);
  return next === EQUALS || next === COLON || isSpace(next);
}

/** The index just after `terminator`, searched from `from`; unterminated markup is malformed. */
function endOf(xml: string, terminator: string, from: number, what: string): number {
  const at = xml.indexOf(terminator, from);
  if (at < 0) throw new SamlError('SAML_MALFORMED', `unterminated ${what}`);
  return at + terminator.length;
}

/**
 * A start tag from its `<` to its `>`, quotes respected. Every name token after the element's
 * own name counts as an attribute (a value-less one too, which a lenient parser would keep).
 */
function scanStartTag(
  xml: string,
  start: number,
): { end: number; attributes: number; namespaceDeclarations: number; selfClosing: boolean } {
  let attributes = 0;
  let namespaceDeclarations = 0;
  let i = start + 1;
  // The element name.
  while (i < xml.length && !isSpace(xml.charCodeAt(i)) && xml.charCodeAt(i) !== GT && xml.charCodeAt(i) !== SLASH) i++;
  let previous = 0x20; // What came before the current position, outside quotes.
  while (i < xml.length) {
    const code = xml.charCodeAt(i);
    if (code === QUOTE || code === APOSTROPHE) {
      i = endOf(xml, String.fromCharCode(code), i + 1, 'attribute value');
      previous = code;
      continue;
    }
    if (code === GT) {
      return { end: i + 1, attributes, namespaceDeclarations, selfClosing: xml.charCodeAt(i - 1) === SLASH };
    }
    if (code === LT) throw new SamlError('SAML_MALFORMED', 'unterminated start tag');
    const startsName = !isSpace(code) && code !== EQUALS && code !== SLASH;
    if (startsName && (isSpace(previous) || previous === QUOTE || previous === APOSTROPHE)) {
      attributes++;
      if (isNamespaceDeclaration(xml, i)) namespaceDeclarations++;
    }
    previous = code;
    i++;
  }
  throw new SamlError('SAML_MALFORMED', 'unterminated start tag');
}
