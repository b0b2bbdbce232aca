/**
 * SAML SP against IdPs configured differently (SECURITY.md "SAML SP": RSA-SHA1 refused, the SP
 * signs with SHA-256; encrypted assertions). Each describe block starts its own real IdP; the
 * file shares one Chromium.
 */
import { decryptXml } from '@node-saml/node-saml/lib/xml';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromAssertion } from '../../../../../main/auth/saml/saml-identity';
import { chromiumLaunchOptions } from '../../../../host/chromium';
import {
  ENTRA_CLAIMS,
  ENTRA_GROUPS,
  ENTRA_OBJECT_IDS,
  SIGNATURE_RSA_SHA1,
  SIGNATURE_RSA_SHA256,
} from '../../../../idp/saml/simplesamlphp';
import {
  acsPostBody,
  descendant,
  descendants,
  editXml,
  nameIdElement,
  ownSignature,
  parseXml,
  removeSignatures,
  replaceWithEncryptedAssertion,
  SAML_NS,
  setAttributeValues,
  setText,
} from '../../../../idp/saml/tampering';
import { expectRefusal, generateKeyAndCertificate, useSamlKit } from './saml-kit';

let browser: Browser | undefined;
beforeAll(async () => {
  browser = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
}, 30_000);
afterAll(async () => {
  await browser?.close();
});
const sharedBrowser = (): Browser => {
  if (!browser) throw new Error('the browser is not launched');
  return browser;
};

type KeyPair = Awaited<ReturnType<typeof generateKeyAndCertificate>>;
function keyPair(commonName: string): () => KeyPair {
  let pair: KeyPair | undefined;
  beforeAll(async () => {
    pair = await generateKeyAndCertificate(commonName);
  }, 30_000);
  return () => {
    if (!pair) throw new Error(`${commonName}: key pair not generated yet`);
    return pair;
  };
}

function algorithms(xml: string): string[] {
  const doc = parseXml(xml);
  return [...descendants(doc, SAML_NS.dsig, 'SignatureMethod'), ...descendants(doc, SAML_NS.dsig, 'DigestMethod')].map(
    (el) => el.getAttribute('Algorithm') ?? '',
  );
}

describe('an IdP signing with RSA-SHA1', () => {
  const kit = useSamlKit({ browser: sharedBrowser, idp: { signatureAlgorithm: SIGNATURE_RSA_SHA1 } });

  it('is refused (SAML_WEAK_ALGORITHM), although its signature is valid', async () => {
    const login = await kit.login('alice');
    expect(algorithms(login.xml)).toContain(SIGNATURE_RSA_SHA1);
    const error = await expectRefusal(login.sp.validateResponse(acsPostBody(login.xml), login.requestId), 'SAML_WEAK_ALGORITHM');
    expect(error.toAppError().message).toContain('SHA-256');
  });
});

describe('an IdP encrypting assertions for Portico', () => {
  const encryption = keyPair('portico-sp-encryption');
  const kit = useSamlKit({
    browser: sharedBrowser,
    idp: () => ({ spEncryptionCertPem: encryption().certificatePem }),
    config: () => ({ decryption: { privateKey: encryption().privateKeyPem, certificate: encryption().certificatePem } }),
  });

  it('is accepted with the decryption key, and the identity comes from the decrypted, signed assertion', async () => {
    const login = await kit.login('alice');
    const doc = parseXml(login.xml);
    expect(descendants(doc, SAML_NS.assertion, 'EncryptedAssertion')).toHaveLength(1);
    expect(descendants(doc, SAML_NS.assertion, 'Assertion')).toHaveLength(0);
    expect(login.xml).not.toContain(ENTRA_OBJECT_IDS.alice);

    const assertion = await login.sp.validateResponse(acsPostBody(login.xml), login.requestId);
    expect(assertion.nameId).toBe(ENTRA_OBJECT_IDS.alice);
    expect(identityFromAssertion(assertion, login.sp.config).roles).toEqual(['admin']);
  });

  it('is refused without the decryption key (SAML_ENCRYPTION)', async () => {
    const provider = kit.serviceProvider({ decryption: undefined });
    const { sp } = provider;
    expect(sp.config.decryption).toBeUndefined();
    const login = await kit.login('alice', provider);
    await expectRefusal(sp.validateResponse(acsPostBody(login.xml), login.requestId), 'SAML_ENCRYPTION');
  });

  it('is refused with another decryption key (SAML_ENCRYPTION)', async () => {
    const other = await generateKeyAndCertificate('portico-sp-other');
    const provider = kit.serviceProvider({ decryption: { privateKey: other.privateKeyPem, certificate: other.certificatePem } });
    const { sp } = provider;
    const login = await kit.login('alice', provider);
    await expectRefusal(sp.validateResponse(acsPostBody(login.xml), login.requestId), 'SAML_ENCRYPTION');
  });

  describe("assertions encrypted by an attacker (Portico's encryption certificate is public)", () => {
    /** alice's real response, its assertion decrypted (still signed by the IdP), the Response's own signature removed. */
    async function decryptedLogin() {
      const login = await kit.login('alice');
      const encrypted = descendant(parseXml(login.xml), SAML_NS.assertion, 'EncryptedAssertion').toString();
      const plaintext = await decryptXml(encrypted, encryption().privateKeyPem);
      expect(plaintext).toContain(ENTRA_OBJECT_IDS.alice);
      return { login, plaintext, unsignedResponse: removeSignatures(login.xml, 'response') };
    }

    it('control: the IdP-signed assertion, re-encrypted by the test, is accepted', async () => {
      const { login, plaintext, unsignedResponse } = await decryptedLogin();
      const reencrypted = replaceWithEncryptedAssertion(unsignedResponse, plaintext, encryption().certificatePem);
      expect(reencrypted).not.toContain(ENTRA_OBJECT_IDS.alice);
      const assertion = await login.sp.validateResponse(acsPostBody(reencrypted), login.requestId);
      expect(assertion.nameId).toBe(ENTRA_OBJECT_IDS.alice);
    });

    it('refuses a forged, unsigned admin assertion encrypted for Portico (SAML_SIGNATURE)', async () => {
      const { login, plaintext, unsignedResponse } = await decryptedLogin();
      const forged = editXml(plaintext, (doc) => {
        const assertion = doc.documentElement!;
        assertion.removeChild(ownSignature(assertion)!);
        setText(nameIdElement(assertion), 'admin@corp.test');
        setAttributeValues(assertion, ENTRA_CLAIMS.groups, [ENTRA_GROUPS.admins.name]);
      });
      const xml = replaceWithEncryptedAssertion(unsignedResponse, forged, encryption().certificatePem);
      await expectRefusal(login.sp.validateResponse(acsPostBody(xml), login.requestId), 'SAML_SIGNATURE');
    });

    it('refuses a DOCTYPE hidden inside an EncryptedAssertion (SAML_DOCTYPE)', async () => {
      const { login, plaintext, unsignedResponse } = await decryptedLogin();
      const withDtd = `<!DOCTYPE saml:Assertion [<!ENTITY lol "lol">]>${plaintext.replace(/^\s*<\?xml[^>]*\?>/, '')}`;
      const xml = replaceWithEncryptedAssertion(unsignedResponse, withDtd, encryption().certificatePem);
      await expectRefusal(login.sp.validateResponse(acsPostBody(xml), login.requestId), 'SAML_DOCTYPE');
    });
  });
});

describe('an IdP signing with RSA-SHA1 inside an encrypted assertion (the Response itself unsigned)', () => {
  // The only signature is inside the EncryptedAssertion, out of sight of a check on the raw XML.
  const encryption = keyPair('portico-sp-encryption-sha1');
  const kit = useSamlKit({
    browser: sharedBrowser,
    idp: () => ({
      signatureAlgorithm: SIGNATURE_RSA_SHA1,
      signResponse: false,
      spEncryptionCertPem: encryption().certificatePem,
    }),
    config: () => ({ decryption: { privateKey: encryption().privateKeyPem, certificate: encryption().certificatePem } }),
  });

  it('is refused (SAML_WEAK_ALGORITHM)', async () => {
    const login = await kit.login('alice');
    expect(descendants(parseXml(login.xml), SAML_NS.dsig, 'Signature')).toHaveLength(0);
    await expectRefusal(login.sp.validateResponse(acsPostBody(login.xml), login.requestId), 'SAML_WEAK_ALGORITHM');
  });
});

describe('an IdP that requires signed AuthnRequests', () => {
  const signing = keyPair('portico-sp-signing');
  const kit = useSamlKit({
    browser: sharedBrowser,
    idp: () => ({ spSigningCertPem: signing().certificatePem }),
    config: () => ({ signing: { privateKey: signing().privateKeyPem, certificate: signing().certificatePem } }),
  });

  it('gets a request signed with RSA-SHA256 and answers it', async () => {
    const provider = kit.serviceProvider();
    const { sp } = provider;
    const { url } = await sp.createLoginRequest();
    const query = new URL(url).searchParams;
    expect(query.get('SigAlg')).toBe(SIGNATURE_RSA_SHA256);
    expect(query.get('Signature')).toMatch(/^[A-Za-z0-9+/]+=*$/);

    const login = await kit.login('alice', provider);
    const assertion = await sp.validateResponse(acsPostBody(login.xml), login.requestId);
    expect(assertion.nameId).toBe(ENTRA_OBJECT_IDS.alice);
  });

  it('does not answer an SP that does not sign its requests (no POST to the ACS)', async () => {
    const provider = kit.serviceProvider({ signing: undefined });
    const { sp } = provider;
    const { url } = await sp.createLoginRequest();
    expect(new URL(url).searchParams.get('Signature')).toBeNull();
    const context = await sharedBrowser().newContext();
    try {
      const page = await context.newPage();
      const acsRequests: string[] = [];
      await page.route(
        (target) => target.href.startsWith(sp.acsUrl),
        async (route) => {
          acsRequests.push(route.request().method());
          await route.abort();
        },
      );
      // The IdP answers the unsigned request with its error page at once (no login form, no
      // auto-POST), so the page's load is the end of the story.
      await page.goto(url);
      const text = await page.locator('body').innerText();
      expect(text).toMatch(/unhandled exception/i);
      expect(await page.locator('input[name="password"]').count()).toBe(0);
      expect(acsRequests).toEqual([]);
    } finally {
      await context.close();
    }
    // Why, in the IdP's own words (its log is the only place it says so).
    expect(await kit.idp.readLog()).toContain('no signature found on message');
  });
});
