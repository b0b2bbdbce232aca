/**
 * The linear scan that bounds every kind of node before any parser runs (main/auth/saml/xml-bounds.ts):
 * what it counts, that it never counts less than the parser builds, and what it refuses. Pure: no IdP.
 */
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { SamlError, type SamlRefusal } from '../../../../../main/auth/saml/saml-errors';
import { scanXmlBounds, XML_LIMITS } from '../../../../../main/auth/saml/xml-bounds';

function refusal(xml: string): { code: SamlRefusal; detail: string } {
  try {
    scanXmlBounds(xml);
  } catch (error) {
    if (error instanceof SamlError) return { code: error.code, detail: error.detail };
    throw error;
  }
  return expect.fail('expected a refusal, but the scan passed');
}

/** What xmldom builds: elements, every attribute (namespace declarations included), comments. */
function parsedCounts(xml: string) {
  const doc = new DOMParser({ errorHandler: { warning: () => undefined } }).parseFromString(xml, 'text/xml');
  const all = Array.from(doc.getElementsByTagName('*'));
  let comments = 0;
  const walk = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 8) comments++;
      walk(child);
    }
  };
  walk(doc);
  return {
    elements: all.length,
    attributes: all.reduce((sum, el) => sum + el.attributes.length, 0),
    comments,
  };
}

const SAMPLE =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1" Version="2.0">' +
  '<saml:Issuer>https://idp.test/</saml:Issuer><!-- a comment -->' +
  '<saml:Assertion ID="_2" Version="2.0"><saml:Subject><saml:NameID Format="f">a<!---->b</saml:NameID></saml:Subject>' +
  '<saml:AttributeStatement><saml:Attribute Name="x &gt; y" FriendlyName=\'has "quotes" and > and <!-- inside\'>' +
  '<saml:AttributeValue xmlns:xs="urn:xs" xmlns:xsi="urn:xsi" xsi:type="xs:string"><![CDATA[<not markup>]]></saml:AttributeValue>' +
  '</saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>';

describe('scanXmlBounds', () => {
  it('counts what the parser builds, and markup inside attribute values and CDATA as text', () => {
    const counts = scanXmlBounds(SAMPLE);
    const parsed = parsedCounts(SAMPLE);
    expect(counts).toMatchObject({ elements: parsed.elements, attributes: parsed.attributes, comments: parsed.comments });
    expect(counts).toMatchObject({ elements: 8, comments: 2, cdataSections: 1, namespaceDeclarations: 4, maxDepth: 5 });
  });

  it('never counts fewer attributes than a lenient parser keeps (no value, spaces around =, no space between)', () => {
    const xml = '<r a b = "1" c="2"d="3" xmlns = "urn:x"/>';
    expect(scanXmlBounds(xml).attributes).toBeGreaterThanOrEqual(parsedCounts(xml).attributes);
    expect(scanXmlBounds(xml).namespaceDeclarations).toBe(1);
  });

  it('accepts a byte-order mark and the XML declaration, and nothing else of the kind', () => {
    expect(scanXmlBounds('\ufeff<?xml version="1.0"?><r/>').elements).toBe(1);
    expect(refusal('<r><?pi data?></r>')).toEqual({ code: 'SAML_MALFORMED', detail: 'processing instruction' });
    expect(refusal('<r/><?xml version="1.0"?>')).toEqual({ code: 'SAML_MALFORMED', detail: 'processing instruction' });
    expect(refusal('<?xml-stylesheet href="x"?><r/>')).toEqual({ code: 'SAML_MALFORMED', detail: 'processing instruction' });
  });

  it('refuses every markup declaration as a DTD (SAML_DOCTYPE)', () => {
    for (const xml of ['<!DOCTYPE r><r/>', '<r><!ELEMENT r ANY></r>', '<r><!ATTLIST r a CDATA "x"></r>']) {
      expect(refusal(xml).code).toBe('SAML_DOCTYPE');
    }
  });

  it('refuses unterminated markup (SAML_MALFORMED)', () => {
    for (const [xml, what] of [
      ['<r><!-- open', /comment/],
      ['<r><![CDATA[ open', /CDATA/],
      ['<r a="open>', /attribute value/],
      ['<r', /start tag/],
      ['<r a="1" <b/>', /start tag/],
      ['<r></r', /end tag/],
    ] as const) {
      const found = refusal(xml);
      expect(found.code).toBe('SAML_MALFORMED');
      expect(found.detail).toMatch(what);
    }
  });

  it('refuses at the first node over each bound (SAML_TOO_LARGE), and accepts exactly the bound', () => {
    const repeat = (n: number, unit: string) => unit.repeat(n);
    const cases: Array<[string, (n: number) => string, number, RegExp]> = [
      ['elements', (n) => `<r>${repeat(n - 1, '<e/>')}</r>`, XML_LIMITS.elements, /elements/],
      ['comments', (n) => `<r>${repeat(n, '<!---->')}</r>`, XML_LIMITS.comments, /comments/],
      ['CDATA sections', (n) => `<r>${repeat(n, '<![CDATA[]]>')}</r>`, XML_LIMITS.cdataSections, /CDATA/],
      [
        'attributes on one element',
        (n) => `<r${Array.from({ length: n }, (_, i) => ` a${i}=""`).join('')}/>`,
        XML_LIMITS.attributesPerElement,
        /one element/,
      ],
      // Five to an element, so that the elements stay within their own bound.
      [
        'attributes',
        (n) =>
          `<r>${Array.from({ length: n }, (_, i) => `${i % 5 ? '' : '<e'} a${i}=""${i % 5 === 4 || i === n - 1 ? '/>' : ''}`).join('')}</r>`,
        XML_LIMITS.attributes,
        /more than \d+ attributes$/,
      ],
      [
        'namespace declarations',
        (n) => `<r>${Array.from({ length: n }, (_, i) => `<e xmlns:p${i}="urn:x"/>`).join('')}</r>`,
        XML_LIMITS.namespaceDeclarations,
        /namespace declarations/,
      ],
    ];
    for (const [what, build, limit, detail] of cases) {
      expect(() => scanXmlBounds(build(limit)), what).not.toThrow();
      const found = refusal(build(limit + 1));
      expect(found.code, what).toBe('SAML_TOO_LARGE');
      expect(found.detail, what).toMatch(detail);
    }
  });

  it('refuses nesting deeper than the bound (SAML_MALFORMED), self-closing elements adding no depth', () => {
    const nested = (n: number) => `${'<e>'.repeat(n)}${'</e>'.repeat(n)}`;
    expect(scanXmlBounds(nested(XML_LIMITS.depth)).maxDepth).toBe(XML_LIMITS.depth);
    expect(refusal(nested(XML_LIMITS.depth + 1))).toEqual({
      code: 'SAML_MALFORMED',
      detail: `nested deeper than ${XML_LIMITS.depth}`,
    });
    expect(scanXmlBounds(`<r>${'<e/>'.repeat(100)}</r>`).maxDepth).toBe(1);
  });

  it('scans the largest response the size cap allows in one pass, whatever it holds', () => {
    // 256 KiB of comments: refused at the ninth, without reading the rest.
    expect(refusal(`<r>${'<!---->'.repeat(37_000)}</r>`).detail).toBe(`more than ${XML_LIMITS.comments} comments`);
    // 256 KiB of text and quoted attribute values: accepted, one element.
    expect(scanXmlBounds(`<r a="${'x'.repeat(128 * 1024)}">${'y'.repeat(128 * 1024)}</r>`).elements).toBe(1);
  });
});
