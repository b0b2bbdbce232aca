/**
 * SAML SP, signatures (SECURITY.md "SAML SP"): signature wrapping XSW1–XSW8, stripped and partial
 * signatures, a key from KeyInfo, a response signed by another IdP, and a NameID split by an XML
 * comment. Every response starts as a real one, signed by a real SimpleSAMLphp IdP for a real
 * AuthnRequest of Portico's SamlServiceProvider, and is then tampered with as an attacker would.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SamlServiceProvider } from '../../../../../main/auth/saml/saml-service-provider';
import { identityFromAssertion } from '../../../../../main/auth/saml/saml-identity';
import type { SamlRefusal } from '../../../../../main/auth/saml/saml-errors';
import { loginAndCaptureAcsPost } from '../../../../idp/saml/browser-login';
import { ENTRA_CLAIMS, ENTRA_GROUPS, ENTRA_OBJECT_IDS, startSamlIdp, type SamlIdp } from '../../../../idp/saml/simplesamlphp';
import {
  acsPostBody,
  assertionElement,
  attributeElement,
  childElements,
  descendants,
  editAndResign,
  editXml,
  fromBase64,
  nameIdElement,
  ownSignature,
  parseXml,
  removeSignatures,
  resignAssertionAndResponse,
  resignResponse,
  responseElement,
  SAML_NS,
  setAttributeValues,
  setText,
  signatureVerifies,
  splitTextWithComment,
  withAlgorithmsInForeignNamespace,
  wrapSignature,
  XMLDSIG,
  XSW_DESCRIPTIONS,
  XSW_VARIANTS,
  type XswVariant,
} from '../../../../idp/saml/tampering';
import { ACS_URL, expectRefusal, generateKeyAndCertificate, MALLORY, SP_ENTITY_ID, useSamlKit } from './saml-kit';

const kit = useSamlKit();

/** What the attacker wants the SP to read: the admin, in the admin group. */
function impersonateAdmin(assertion: Element): void {
  setText(nameIdElement(assertion), 'admin@corp.test');
  setAttributeValues(assertion, ENTRA_CLAIMS.groups, [ENTRA_GROUPS.admins.name]);
  setAttributeValues(assertion, ENTRA_CLAIMS.objectId, ['admin@corp.test']);
}

function nameIds(xml: string): string[] {
  return descendants(parseXml(xml), SAML_NS.assertion, 'NameID').map((el) => el.textContent ?? '');
}

function assertionId(xml: string): string {
  return assertionElement(parseXml(xml)).getAttribute('ID') ?? '';
}

function responseId(xml: string): string {
  return responseElement(parseXml(xml)).getAttribute('ID') ?? '';
}

describe('SAML SP signatures: control', () => {
  it('accepts the untouched response of a real login (so every refusal below is caused by the tampering)', async () => {
    const login = await kit.login('bob');
    expect(signatureVerifies(login.xml, assertionId(login.xml), kit.idp.certPem)).toBe(true);
    expect(signatureVerifies(login.xml, responseId(login.xml), kit.idp.certPem)).toBe(true);
    const assertion = await login.sp.validateResponse(acsPostBody(login.xml), login.requestId);
    expect(assertion.nameId).toBe(ENTRA_OBJECT_IDS.bob);
    expect(identityFromAssertion(assertion, login.sp.config).roles).toEqual(['viewer']);
  });
});

describe('SAML SP signatures: XML signature wrapping (SAML Raider XSW1–XSW8)', () => {
  // Each variant keeps the IdP's valid signature over bob's (viewer) original assertion and adds an
  // evil copy claiming to be the admin. The SP must refuse, never read the evil copy.
  const expected: Record<XswVariant, SamlRefusal> = {
    1: 'SAML_MULTIPLE_ASSERTIONS',
    2: 'SAML_MULTIPLE_ASSERTIONS',
    3: 'SAML_MULTIPLE_ASSERTIONS',
    4: 'SAML_MULTIPLE_ASSERTIONS',
    5: 'SAML_MULTIPLE_ASSERTIONS',
    6: 'SAML_MULTIPLE_ASSERTIONS',
    7: 'SAML_MULTIPLE_ASSERTIONS',
    8: 'SAML_MULTIPLE_ASSERTIONS',
  };

  it.each(XSW_VARIANTS.map((variant) => [variant, XSW_DESCRIPTIONS[variant]] as const))(
    'XSW%i (%s) is refused',
    async (variant) => {
      const login = await kit.login('bob');
      const wrapped = wrapSignature(login.xml, variant, impersonateAdmin);

      // The attack is real: the evil admin copy is there, and so is bob's original, byte for byte
      // under the signature (its ID is unchanged and the IdP's signature over it is kept).
      expect(nameIds(wrapped).sort()).toEqual(['admin@corp.test', ENTRA_OBJECT_IDS.bob].sort());
      const original = descendants(parseXml(wrapped), SAML_NS.assertion, 'Assertion').filter(
        (a) => a.getAttribute('ID') === assertionId(login.xml),
      );
      expect(original.length).toBeGreaterThanOrEqual(1);

      await expectRefusal(login.sp.validateResponse(acsPostBody(wrapped), login.requestId), expected[variant]);
    },
  );
});

describe('SAML SP signatures: missing, partial and foreign signatures', () => {
  it('refuses a response with every ds:Signature stripped (SAML_SIGNATURE)', async () => {
    const login = await kit.login('bob');
    const stripped = editXml(removeSignatures(login.xml, 'all'), (doc) => impersonateAdmin(assertionElement(doc)));
    expect(descendants(parseXml(stripped), SAML_NS.dsig, 'Signature')).toHaveLength(0);
    await expectRefusal(login.sp.validateResponse(acsPostBody(stripped), login.requestId), 'SAML_SIGNATURE');
  });

  it('refuses an unsigned assertion inside a validly signed response (SAML_SIGNATURE)', async () => {
    const login = await kit.login('bob');
    // The assertion's signature removed; the response re-signed by the IdP's own key, so only
    // "the assertion is not signed" is left to refuse it.
    const unsignedAssertion = resignResponse(removeSignatures(login.xml, 'assertion'), kit.idpKey);
    const doc = parseXml(unsignedAssertion);
    expect(ownSignature(assertionElement(doc))).toBeNull();
    expect(signatureVerifies(unsignedAssertion, responseId(login.xml), kit.idp.certPem)).toBe(true);
    await expectRefusal(login.sp.validateResponse(acsPostBody(unsignedAssertion), login.requestId), 'SAML_SIGNATURE');
  });

  it('refuses a response whose own signature was removed when the connection requires signed responses', async () => {
    const provider = kit.serviceProvider({ requireSignedResponse: true });
    const { sp } = provider;
    const login = await kit.login('bob', provider);
    const unsignedResponse = removeSignatures(login.xml, 'response');
    expect(signatureVerifies(unsignedResponse, assertionId(login.xml), kit.idp.certPem)).toBe(true);
    await expectRefusal(sp.validateResponse(acsPostBody(unsignedResponse), login.requestId), 'SAML_SIGNATURE');

    // Control: the same connection accepts an untouched response.
    const clean = await kit.login('bob', provider);
    await expect(sp.validateResponse(acsPostBody(clean.xml), clean.requestId)).resolves.toMatchObject({
      nameId: ENTRA_OBJECT_IDS.bob,
    });
  });

  it('refuses an edited assertion that keeps the IdP signature (SAML_SIGNATURE)', async () => {
    const login = await kit.login('bob');
    const edited = editXml(login.xml, (doc) => impersonateAdmin(assertionElement(doc)));
    expect(signatureVerifies(edited, assertionId(login.xml), kit.idp.certPem)).toBe(false);
    await expectRefusal(login.sp.validateResponse(acsPostBody(edited), login.requestId), 'SAML_SIGNATURE');
  });

  it('refuses an assertion re-signed with an attacker key whose certificate is in KeyInfo (SAML_SIGNATURE)', async () => {
    const attacker = await generateKeyAndCertificate('portico-test-idp');
    const login = await kit.login('bob');
    const forged = editAndResign(login.xml, attacker, (doc) => impersonateAdmin(assertionElement(doc)));
    // Valid for anyone who trusts the certificate the response itself carries in KeyInfo.
    expect(signatureVerifies(forged, assertionId(login.xml), attacker.certificatePem)).toBe(true);
    expect(forged).toContain(attacker.certificatePem.replace(/-----[A-Z ]+-----|\s/g, '').slice(0, 64));
    await expectRefusal(login.sp.validateResponse(acsPostBody(forged), login.requestId), 'SAML_SIGNATURE');
  });

  it('a comment inside the NameID keeps the signature valid, and the NameID is read whole', async () => {
    const login = await kit.login('mallory');
    // mallory's real stable id is `admin@corp.test.evil.test`; she splits it with an XML comment.
    // Exclusive c14n drops comments, so the IdP's ORIGINAL signatures still verify: that is the
    // attack (CVE-2017-11427 family). A reader that takes the first text node sees admin@corp.test.
    const split = editXml(login.xml, (doc) => {
      const assertion = assertionElement(doc);
      splitTextWithComment(nameIdElement(assertion), 'admin@corp.test', '.evil.test');
      const id = childElements(attributeElement(assertion, ENTRA_CLAIMS.objectId), SAML_NS.assertion, 'AttributeValue')[0]!;
      splitTextWithComment(id, 'admin@corp.test', '.evil.test');
    });
    expect(split).toContain('admin@corp.test<!---->.evil.test');
    expect(nameIdElement(assertionElement(parseXml(split))).firstChild?.nodeValue).toBe('admin@corp.test');
    expect(signatureVerifies(split, assertionId(login.xml), kit.idp.certPem)).toBe(true);
    expect(signatureVerifies(split, responseId(login.xml), kit.idp.certPem)).toBe(true);

    const assertion = await login.sp.validateResponse(acsPostBody(split), login.requestId);
    expect(assertion.nameId).toBe('admin@corp.test.evil.test');
    expect(assertion.attributes[ENTRA_CLAIMS.objectId]).toEqual(['admin@corp.test.evil.test']);
    expect(() => identityFromAssertion(assertion, login.sp.config)).toThrow(expect.objectContaining({ code: 'SSO_NO_ROLES' }));
  });

  it("control for the comment attack: mallory's untouched response carries her real stable id", async () => {
    const login = await kit.login('mallory');
    const assertion = await login.sp.validateResponse(acsPostBody(login.xml), login.requestId);
    expect(assertion.nameId).toBe(MALLORY.attributes[ENTRA_CLAIMS.objectId]![0]);
  });
});

describe('SAML SP signatures: only signed bytes count', () => {
  /** An AttributeStatement giving bob the admin group, in the Response's Extensions: outside the signed assertion. */
  function addAdminGroupOutsideAssertion(xml: string): string {
    return editXml(xml, (doc) => {
      const response = responseElement(doc);
      const extensions = doc.createElementNS(SAML_NS.protocol, 'samlp:Extensions');
      const statement = doc.createElementNS(SAML_NS.assertion, 'saml:AttributeStatement');
      const attribute = doc.createElementNS(SAML_NS.assertion, 'saml:Attribute');
      attribute.setAttribute('Name', ENTRA_CLAIMS.groups);
      const value = doc.createElementNS(SAML_NS.assertion, 'saml:AttributeValue');
      setText(value, ENTRA_GROUPS.admins.name);
      attribute.appendChild(value);
      statement.appendChild(attribute);
      extensions.appendChild(statement);
      response.insertBefore(extensions, childElements(response, SAML_NS.protocol, 'Status')[0]!);
    });
  }

  it('ignores attributes added outside the signed assertion of an unsigned Response (bob stays a viewer)', async () => {
    const login = await kit.login('bob');
    const added = addAdminGroupOutsideAssertion(removeSignatures(login.xml, 'response'));
    expect(added).toContain(`<saml:AttributeValue>${ENTRA_GROUPS.admins.name}</saml:AttributeValue>`);
    const assertion = await login.sp.validateResponse(acsPostBody(added), login.requestId);
    expect(assertion.attributes[ENTRA_CLAIMS.groups]).toEqual([ENTRA_GROUPS.viewers.name, ENTRA_GROUPS.employees.id]);
    expect(identityFromAssertion(assertion, login.sp.config).roles).toEqual(['viewer']);
  });

  it('refuses a Response whose own signature no longer verifies, although signed Responses are not required (SAML_SIGNATURE)', async () => {
    const login = await kit.login('bob');
    expect(login.sp.config.requireSignedResponse).toBe(false);
    // The same addition, with the IdP's Response signature left in place: it now signs other bytes.
    const added = addAdminGroupOutsideAssertion(login.xml);
    expect(signatureVerifies(added, responseId(login.xml), kit.idp.certPem)).toBe(false);
    expect(signatureVerifies(added, assertionId(login.xml), kit.idp.certPem)).toBe(true);
    await expectRefusal(login.sp.validateResponse(acsPostBody(added), login.requestId), 'SAML_SIGNATURE');
  });

  it('refuses a signature placed anywhere but on the Response or the Assertion (SAML_SIGNATURE)', async () => {
    const login = await kit.login('bob');
    // A copy of the Assertion's genuine signature, inside an Extensions: it signs nothing Portico reads.
    const extra = editXml(removeSignatures(login.xml, 'response'), (doc) => {
      const response = responseElement(doc);
      const extensions = doc.createElementNS(SAML_NS.protocol, 'samlp:Extensions');
      extensions.appendChild(ownSignature(assertionElement(doc))!.cloneNode(true));
      response.insertBefore(extensions, childElements(response, SAML_NS.protocol, 'Status')[0]!);
    });
    const error = await expectRefusal(login.sp.validateResponse(acsPostBody(extra), login.requestId), 'SAML_SIGNATURE');
    expect(error.detail).toMatch(/outside the Response and Assertion/);
  });

  it('refuses SHA-1 digests under an RSA-SHA256 signature by the IdP key (SAML_WEAK_ALGORITHM)', async () => {
    const login = await kit.login('bob');
    const sha1Digests = resignAssertionAndResponse(login.xml, kit.idpKey, { digest: XMLDSIG.sha1 });
    expect(signatureVerifies(sha1Digests, assertionId(login.xml), kit.idp.certPem)).toBe(true);
    const error = await expectRefusal(
      login.sp.validateResponse(acsPostBody(sha1Digests), login.requestId),
      'SAML_WEAK_ALGORITHM',
    );
    expect(error.detail).toBe(XMLDSIG.sha1);
  });
});

describe('SAML SP signatures: algorithms are checked wherever xml-crypto finds them', () => {
  it('refuses SHA-1 when SignatureMethod and DigestMethod sit in another namespace (SAML_WEAK_ALGORITHM)', async () => {
    const login = await kit.login('bob');
    const sha1 = { signature: XMLDSIG.rsaSha1, digest: XMLDSIG.sha1 };
    const hidden = withAlgorithmsInForeignNamespace(
      removeSignatures(login.xml, 'response'),
      assertionId(login.xml),
      kit.idpKey,
      sha1,
    );
    // The attack is real: xml-crypto (what node-saml verifies with) finds the foreign-namespace
    // elements by local name, verifies with SHA-1, and accepts; no ds:SignatureMethod is left.
    expect(signatureVerifies(hidden, assertionId(login.xml), kit.idp.certPem)).toBe(true);
    expect(descendants(parseXml(hidden), SAML_NS.dsig, 'SignatureMethod')).toHaveLength(0);
    expect(descendants(parseXml(hidden), SAML_NS.dsig, 'DigestMethod')).toHaveLength(0);
    const error = await expectRefusal(login.sp.validateResponse(acsPostBody(hidden), login.requestId), 'SAML_WEAK_ALGORITHM');
    expect(error.detail).toBe(XMLDSIG.rsaSha1);
  });

  it('refuses a SHA-1 digest whose Algorithm attribute sits in another namespace (SAML_WEAK_ALGORITHM)', async () => {
    const login = await kit.login('bob');
    const hidden = withAlgorithmsInForeignNamespace(
      removeSignatures(login.xml, 'response'),
      assertionId(login.xml),
      kit.idpKey,
      { digest: XMLDSIG.sha1 },
      'attribute',
    );
    expect(signatureVerifies(hidden, assertionId(login.xml), kit.idp.certPem)).toBe(true);
    const digest = descendants(parseXml(hidden), SAML_NS.dsig, 'DigestMethod')[0]!;
    expect(digest.hasAttribute('Algorithm')).toBe(false);
    const error = await expectRefusal(login.sp.validateResponse(acsPostBody(hidden), login.requestId), 'SAML_WEAK_ALGORITHM');
    expect(error.detail).toBe(XMLDSIG.sha1);
  });

  it('control: the same construction with SHA-256 is accepted (only the algorithm is refused above)', async () => {
    const login = await kit.login('bob');
    const moved = withAlgorithmsInForeignNamespace(
      removeSignatures(login.xml, 'response'),
      assertionId(login.xml),
      kit.idpKey,
      {},
    );
    expect(signatureVerifies(moved, assertionId(login.xml), kit.idp.certPem)).toBe(true);
    await expect(login.sp.validateResponse(acsPostBody(moved), login.requestId)).resolves.toMatchObject({
      nameId: ENTRA_OBJECT_IDS.bob,
    });
  });
});

describe('SAML SP signatures: several configured certificates (rollover)', () => {
  let others: Array<{ privateKeyPem: string; certificatePem: string }> = [];
  beforeAll(async () => {
    others = await Promise.all([1, 2, 3, 4].map((i) => generateKeyAndCertificate(`rollover-${i}`)));
  }, 30_000);

  it('accepts a response signed with the last of five configured certificates', async () => {
    const provider = kit.serviceProvider({ idpCertificates: [...others.map((o) => o.certificatePem), kit.idp.certPem] });
    const login = await kit.login('bob', provider);
    await expect(provider.sp.validateResponse(acsPostBody(login.xml), login.requestId)).resolves.toMatchObject({
      nameId: ENTRA_OBJECT_IDS.bob,
    });
  });

  it('refuses an assertion re-signed by a key none of the five certificates belongs to (SAML_SIGNATURE)', async () => {
    const provider = kit.serviceProvider({ idpCertificates: [...others.map((o) => o.certificatePem), kit.idp.certPem] });
    const login = await kit.login('bob', provider);
    const attacker = await generateKeyAndCertificate('attacker');
    const forged = editAndResign(login.xml, attacker, (doc) => impersonateAdmin(assertionElement(doc)));
    const error = await expectRefusal(provider.sp.validateResponse(acsPostBody(forged), login.requestId), 'SAML_SIGNATURE');
    expect(error.detail).toMatch(/not made by any of idpCertificates/);
  });

  it('accepts a Response signed with one configured certificate and its Assertion with another', async () => {
    const provider = kit.serviceProvider({ idpCertificates: [others[0]!.certificatePem, kit.idp.certPem] });
    const login = await kit.login('bob', provider);
    const mixed = resignResponse(login.xml, others[0]!);
    expect(signatureVerifies(mixed, responseId(login.xml), others[0]!.certificatePem)).toBe(true);
    await expect(provider.sp.validateResponse(acsPostBody(mixed), login.requestId)).resolves.toMatchObject({
      nameId: ENTRA_OBJECT_IDS.bob,
    });
  });
});

describe('SAML SP signatures: a response signed by another IdP', () => {
  // A second, real IdP that knows Portico's SP (same entity id and ACS) but is NOT the IdP of this
  // connection: what a tenant-confusion or rogue-IdP attack would send.
  let other: SamlIdp;
  let otherSession: BrowserContext;
  beforeAll(async () => {
    other = await startSamlIdp({ spEntityId: SP_ENTITY_ID, acsUrls: [ACS_URL] });
    otherSession = await kit.browser.newContext();
  }, 30_000);
  afterAll(async () => {
    await otherSession?.close();
    await other?.stop();
  });

  /** Portico's AuthnRequest for THIS connection, carried to the other IdP (same SimpleSAMLphp path). */
  async function loginAtOtherIdp(): Promise<{ xml: string; requestId: string; sp: SamlServiceProvider }> {
    const { sp } = kit.serviceProvider();
    const { url, requestId } = await sp.createLoginRequest();
    const startUrl = new URL(url);
    const otherSso = new URL(other.ssoUrl);
    startUrl.host = otherSso.host;
    expect(startUrl.pathname).toBe(otherSso.pathname);
    const page = otherSession.pages()[0] ?? (await otherSession.newPage());
    const post = await loginAndCaptureAcsPost(page, {
      startUrl: startUrl.href,
      acsUrl: ACS_URL,
      username: 'alice',
      password: 'alice-password',
    });
    return { xml: fromBase64(post.SAMLResponse), requestId, sp };
  }

  it("refuses the other IdP's genuine response (SAML_SIGNATURE)", async () => {
    const { xml, requestId, sp } = await loginAtOtherIdp();
    expect(signatureVerifies(xml, assertionId(xml), other.certPem)).toBe(true);
    await expectRefusal(sp.validateResponse(acsPostBody(xml), requestId), 'SAML_SIGNATURE');
  });

  it("refuses it even when it names this connection's IdP as Issuer (SAML_SIGNATURE)", async () => {
    const { xml, requestId, sp } = await loginAtOtherIdp();
    const otherKey = { privateKeyPem: other.keyPem, certificatePem: other.certPem };
    const posing = resignAssertionAndResponse(
      editXml(xml, (doc) => {
        for (const issuer of descendants(doc, SAML_NS.assertion, 'Issuer')) setText(issuer, kit.idp.entityId);
      }),
      otherKey,
    );
    expect(signatureVerifies(posing, assertionId(posing), other.certPem)).toBe(true);
    await expectRefusal(sp.validateResponse(acsPostBody(posing), requestId), 'SAML_SIGNATURE');
  });
});
