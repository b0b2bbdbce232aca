/**
 * SAML SP, what an attacker can make Portico parse (SECURITY.md "SAML SP": DOCTYPE/XXE, entity
 * expansion, oversized or deeply nested XML refused with bounded memory). The payloads are built
 * around real IdP responses answering real login requests, so nothing but the payload is wrong.
 */
import { describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES } from '../../../../../main/auth/saml/saml-response-checks';
import { XML_LIMITS } from '../../../../../main/auth/saml/xml-bounds';
import { ENTRA_OBJECT_IDS } from '../../../../idp/saml/simplesamlphp';
import {
  acsPostBody,
  assertionElement,
  billionLaughs,
  externalEntity,
  padded,
  parseXml,
  removeSignatures,
  repeated,
  withDoctype,
  withExtensions,
  withRawMarkup,
} from '../../../../idp/saml/tampering';
import { expectRefusal, useSamlKit, type Login } from './saml-kit';

const kit = useSamlKit();

function validate(login: Login, xml: string) {
  return login.sp.validateResponse(acsPostBody(xml), login.requestId);
}

/** Runs `work`, returning how long it took and how much the heap grew meanwhile. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; heapGrowthBytes: number }> {
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started, heapGrowthBytes: process.memoryUsage().heapUsed - heapBefore };
}

describe('SAML SP parsing: control', () => {
  it('accepts the untouched response, and one whose unsigned extensions stay within the limits', async () => {
    const login = await kit.login('alice');
    await expect(validate(login, login.xml)).resolves.toMatchObject({ nameId: ENTRA_OBJECT_IDS.alice });
    // 40 levels and 100 elements are fine: the limits below are about size, not about Extensions.
    // (The Response's signature is removed: a broken one is refused; the signed assertion counts.)
    const second = await kit.login('alice');
    const unsigned = removeSignatures(second.xml, 'response');
    const xml = withExtensions(withExtensions(unsigned, { nestedDepth: 40 }), { siblings: 100 });
    await expect(validate(second, xml)).resolves.toMatchObject({ nameId: ENTRA_OBJECT_IDS.alice });
  });
});

describe('SAML SP parsing: DTDs', () => {
  it('refuses a billion-laughs entity bomb at once, without expanding it (SAML_DOCTYPE)', async () => {
    const login = await kit.login('alice');
    const bomb = billionLaughs(login.xml, 9);
    expect(bomb).toContain('<!ENTITY lol9 "&lol8;&lol8;');
    expect(bomb.length).toBeLessThan(16 * 1024);
    const { result, ms, heapGrowthBytes } = await measured(() => expectRefusal(validate(login, bomb), 'SAML_DOCTYPE'));
    expect(result.code).toBe('SAML_DOCTYPE');
    // 10^9 "lol"s would be ≈3 GB: refused in milliseconds with next to no memory.
    expect(ms).toBeLessThan(1_000);
    expect(heapGrowthBytes).toBeLessThan(32 * 1024 * 1024);
  });

  it('refuses an external entity (XXE) pointing at a local file (SAML_DOCTYPE)', async () => {
    const login = await kit.login('alice');
    const xxe = externalEntity(login.xml, 'file:///etc/passwd');
    expect(xxe).toContain('<!ENTITY xxe SYSTEM "file:///etc/passwd">');
    const error = await expectRefusal(validate(login, xxe), 'SAML_DOCTYPE');
    expect(error.message).not.toContain('root:');
  });

  it('refuses a DOCTYPE even without entities (SAML_DOCTYPE)', async () => {
    const login = await kit.login('alice');
    await expectRefusal(validate(login, withDoctype(login.xml, '')), 'SAML_DOCTYPE');
  });
});

describe('SAML SP parsing: size and shape', () => {
  it(`refuses a response over ${MAX_RESPONSE_BYTES / 1024} KiB before parsing it (SAML_TOO_LARGE)`, async () => {
    const login = await kit.login('alice');
    const big = padded(login.xml, MAX_RESPONSE_BYTES);
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_RESPONSE_BYTES);
    await expectRefusal(validate(login, big), 'SAML_TOO_LARGE');
  });

  it('refuses 1000 nested elements in an Extensions (SAML_MALFORMED: nested too deep)', async () => {
    const login = await kit.login('alice');
    const deep = withExtensions(login.xml, { nestedDepth: 1_000 });
    expect(Buffer.byteLength(deep)).toBeLessThan(MAX_RESPONSE_BYTES);
    const error = await expectRefusal(validate(login, deep), 'SAML_MALFORMED');
    expect(error.detail).toMatch(/nested deeper/);
  });

  it('refuses the deepest nesting that fits in the size limit without overflowing the stack (SAML_MALFORMED)', async () => {
    const login = await kit.login('alice');
    // <x:e>…</x:e> costs ≈ 11 bytes a level once serialized: ≈ 20,000 levels.
    const deep = withExtensions(login.xml, { nestedDepth: 20_000 });
    expect(Buffer.byteLength(deep)).toBeLessThan(MAX_RESPONSE_BYTES);
    const { result, ms } = await measured(() => expectRefusal(validate(login, deep), 'SAML_MALFORMED'));
    expect(result.detail).toMatch(/nested deeper/);
    expect(ms).toBeLessThan(5_000);
  });

  it(`refuses ${XML_LIMITS.elements + 100} sibling elements in an Extensions (SAML_TOO_LARGE: too many nodes)`, async () => {
    const login = await kit.login('alice');
    const wide = withExtensions(login.xml, { siblings: XML_LIMITS.elements + 100 });
    expect(Buffer.byteLength(wide)).toBeLessThan(MAX_RESPONSE_BYTES);
    const error = await expectRefusal(validate(login, wide), 'SAML_TOO_LARGE');
    expect(error.detail).toMatch(/elements \(nodes\)/);
  });

  it('refuses an assertion POSTed without its Response (SAML_MALFORMED)', async () => {
    const login = await kit.login('alice');
    const onlyAssertion = assertionElement(parseXml(login.xml)).toString();
    expect(parseXml(onlyAssertion).documentElement?.localName).toBe('Assertion');
    await expectRefusal(validate(login, onlyAssertion), 'SAML_MALFORMED');
  });

  it('refuses a POST without SAMLResponse, or with one that is not base64 (SAML_MALFORMED)', async () => {
    const login = await kit.login('alice');
    await expectRefusal(login.sp.validateResponse('RelayState=x', login.requestId), 'SAML_MALFORMED');
    await expectRefusal(login.sp.validateResponse('SAMLResponse=%3Cxml%3E', login.requestId), 'SAML_MALFORMED');
    // Control for the two above: the same attempt still accepts its real response.
    await expect(login.sp.validateResponse(acsPostBody(login.xml), login.requestId)).resolves.toMatchObject({
      nameId: ENTRA_OBJECT_IDS.alice,
    });
  });

  it('refuses a UTF-16 response whose DOCTYPE a UTF-8 text search would miss (SAML_MALFORMED)', async () => {
    const login = await kit.login('alice');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(billionLaughs(login.xml, 9), 'utf16le')]);
    const body = `SAMLResponse=${encodeURIComponent(utf16.toString('base64'))}`;
    await expectRefusal(login.sp.validateResponse(body, login.requestId), 'SAML_MALFORMED');
  });
});

describe('SAML SP parsing: every kind of node is bounded before any signature work', () => {
  // Canonicalisation removes comments one at a time: about 35,000 of them fit under the size cap
  // and cost 20-40 s of CPU, signature forged or not. (10,000 here: enough to show the refusal.)
  it('refuses a response made mostly of XML comments (SAML_TOO_LARGE)', async () => {
    const login = await kit.login('alice');
    const comments = withRawMarkup(
      login.xml,
      repeated(10_000, () => '<!---->'),
    );
    expect(Buffer.byteLength(comments)).toBeLessThan(MAX_RESPONSE_BYTES);
    const error = await expectRefusal(validate(login, comments), 'SAML_TOO_LARGE');
    expect(error.detail).toBe(`more than ${XML_LIMITS.comments} comments`);
  });

  it('counts before parsing: comments ahead of a syntax error are refused as too many, not as malformed', async () => {
    const login = await kit.login('alice');
    const broken = withRawMarkup(login.xml, `${repeated(XML_LIMITS.comments + 1, () => '<!---->')}<unclosed>`);
    const error = await expectRefusal(validate(login, broken), 'SAML_TOO_LARGE');
    expect(error.detail).toMatch(/comments/);
  });

  it('refuses a processing instruction (SAML_MALFORMED), but not the XML declaration', async () => {
    const login = await kit.login('alice');
    await expectRefusal(validate(login, withRawMarkup(login.xml, '<?portico x?>')), 'SAML_MALFORMED');
    const declared = await kit.login('alice');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${removeSignatures(declared.xml, 'response')}`;
    await expect(validate(declared, xml)).resolves.toMatchObject({ nameId: ENTRA_OBJECT_IDS.alice });
  });

  const bounded: Array<[string, (login: Login) => string, RegExp]> = [
    [
      'an element with 40 attributes',
      (login) => withRawMarkup(login.xml, `<x:e xmlns:x="urn:x"${repeated(40, (i) => ` a${i}=""`)}/>`),
      /attributes on one element/,
    ],
    [
      `${XML_LIMITS.attributes + 10} attributes in all`,
      (login) =>
        withRawMarkup(login.xml, `<x:x xmlns:x="urn:x">${repeated(77, () => `<x:e${repeated(10, (i) => ` a${i}=""`)}/>`)}</x:x>`),
      /more than 750 attributes/,
    ],
    [
      `${XML_LIMITS.namespaceDeclarations + 10} namespace declarations`,
      (login) =>
        withRawMarkup(
          login.xml,
          repeated(31, (j) => `<e${repeated(10, (i) => ` xmlns:p${i}="urn:${j}"`)}/>`),
        ),
      /namespace declarations/,
    ],
    [
      `${XML_LIMITS.cdataSections + 1} CDATA sections`,
      (login) => withRawMarkup(login.xml, `<e>${repeated(XML_LIMITS.cdataSections + 1, () => '<![CDATA[x]]>')}</e>`),
      /CDATA sections/,
    ],
  ];
  it.each(bounded)('refuses %s (SAML_TOO_LARGE)', async (_what, build, detail) => {
    const login = await kit.login('alice');
    const xml = build(login);
    expect(Buffer.byteLength(xml)).toBeLessThan(MAX_RESPONSE_BYTES);
    const error = await expectRefusal(validate(login, xml), 'SAML_TOO_LARGE');
    expect(error.detail).toMatch(detail);
  });

  it('accepts a few comments, attributes and namespace declarations outside the signed parts of an unsigned Response', async () => {
    const login = await kit.login('alice');
    const markup = `<!-- one --><x:e xmlns:x="urn:x" xmlns:y="urn:y" a="1" y:b="2"><![CDATA[text]]><!-- two --></x:e>`;
    const xml = withRawMarkup(removeSignatures(login.xml, 'response'), `<samlp:Extensions>${markup}</samlp:Extensions>`);
    await expect(validate(login, xml)).resolves.toMatchObject({ nameId: ENTRA_OBJECT_IDS.alice });
  });
});
