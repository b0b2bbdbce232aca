/**
 * Smoke test of the SAML IdP harness: a real SimpleSAMLphp IdP, a real Chromium login, and
 * node-saml (the library Portico's SP uses) as the judge of what comes back. If this fails, the
 * SAML integration tests built on the harness cannot be trusted either.
 */
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../host/chromium';
import {
  buildAuthnRequestUrl,
  fetchSignedResponse,
  loginAndCaptureAcsPost,
  logoutAndCaptureSloRedirect,
} from '../../idp/saml/browser-login';
import {
  ENTRA_CLAIMS,
  ENTRA_GROUPS,
  ENTRA_OBJECT_IDS,
  parseIdpMetadata,
  SIGNATURE_RSA_SHA256,
  startSamlIdp,
  type SamlIdp,
} from '../../idp/saml/simplesamlphp';

const SP_ENTITY_ID = 'https://portico.test/saml/sp';
// Never resolved: the browser's POST to it is answered by page.route.
const ACS_URL = 'https://portico.invalid/saml/acs';
const SLO_URL = 'https://portico.invalid/saml/slo';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

let idp: SamlIdp;
let browser: Browser;

beforeAll(async () => {
  idp = await startSamlIdp({ spEntityId: SP_ENTITY_ID, acsUrls: [ACS_URL], spSloUrl: SLO_URL });
  browser = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await idp?.stop();
});

/** The checks Portico's SP is expected to make, with the IdP's certificate as the only trust anchor. */
function serviceProvider(): SAML {
  return new SAML({
    idpCert: idp.certPem,
    issuer: SP_ENTITY_ID,
    audience: SP_ENTITY_ID,
    callbackUrl: ACS_URL,
    idpIssuer: idp.entityId,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.never,
    entryPoint: idp.ssoUrl,
    logoutUrl: idp.sloUrl,
  });
}

async function signedLogin(username: string): Promise<{ profile: Profile; xml: string; requestId: string }> {
  const password = `${username}-password`;
  const response = await fetchSignedResponse(browser, { idp, spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL, username, password });
  const { profile } = await serviceProvider().validatePostResponseAsync({ SAMLResponse: response.samlResponse });
  if (!profile) throw new Error('node-saml returned no profile');
  return { profile, xml: response.xml, requestId: response.requestId };
}

describe('SimpleSAMLphp IdP harness', () => {
  it('publishes metadata with its entity id, endpoints and signing certificate', async () => {
    expect(idp.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await fetch(idp.metadataUrl);
    expect(response.status).toBe(200);
    const metadata = parseIdpMetadata(await response.text());
    expect(metadata.entityId).toBe(idp.entityId);
    expect(metadata.ssoRedirectUrl).toBe(idp.ssoUrl);
    expect(metadata.sloRedirectUrl).toBe(idp.sloUrl);
    const certBase64 = idp.certPem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(metadata.signingCertificates).toContain(certBase64);
  });

  it("returns alice's Entra claims in a response node-saml accepts, signed with RSA-SHA256", async () => {
    const { profile, xml, requestId } = await signedLogin('alice');
    expect(profile.issuer).toBe(idp.entityId);
    expect(profile.inResponseTo).toBe(requestId);
    // A persistent NameID, stable across logins as Entra's is (Entra's is an opaque pairwise value;
    // the harness uses the object id).
    expect(profile.nameID).toBe(ENTRA_OBJECT_IDS.alice);
    expect(profile.nameIDFormat).toBe(PERSISTENT);
    // node-saml gives a multi-valued attribute as an array but a single value as a plain string.
    expect(profile[ENTRA_CLAIMS.groups]).toEqual([ENTRA_GROUPS.admins.name, ENTRA_GROUPS.employees.id]);
    expect(profile[ENTRA_CLAIMS.objectId]).toBe(ENTRA_OBJECT_IDS.alice);
    expect(profile[ENTRA_CLAIMS.email]).toBe('alice@corp.test');
    expect(profile[ENTRA_CLAIMS.name]).toBe('alice@corp.test');
    expect(profile[ENTRA_CLAIMS.displayName]).toBe('Alice Admin');
    // Both the Response and the Assertion are signed, both with RSA-SHA256.
    const methods = [...xml.matchAll(/SignatureMethod Algorithm="([^"]+)"/g)].map((match) => match[1]);
    expect(methods).toEqual([SIGNATURE_RSA_SHA256, SIGNATURE_RSA_SHA256]);
    expect(xml).toMatch(/SessionNotOnOrAfter="[^"]+"/);
  });

  it("sends olga's overage link instead of groups", async () => {
    const { profile } = await signedLogin('olga');
    expect(profile[ENTRA_CLAIMS.groupsLink]).toMatch(/^https:\/\/graph\.windows\.net\/.+\/getMemberObjects$/);
    expect(profile).not.toHaveProperty([ENTRA_CLAIMS.groups]);
    expect(profile[ENTRA_CLAIMS.displayName]).toBe('Olga Overage');
  });

  it('never posts to the ACS after a wrong password, and says why', async () => {
    const { url } = await buildAuthnRequestUrl({ idp, spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const login = loginAndCaptureAcsPost(page, {
        startUrl: url,
        acsUrl: ACS_URL,
        username: 'alice',
        password: 'not-alice-password',
        timeoutMs: 3_000,
      });
      await expect(login).rejects.toThrow(
        /no POST to https:\/\/portico\.invalid\/saml\/acs[\s\S]*Incorrect username or password/,
      );
    } finally {
      await context.close();
    }
    expect(await idp.readLog()).toContain('Unsuccessful login attempt');
  });

  it('ends its session on an SP-initiated logout and answers with a signed LogoutResponse', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const login = await buildAuthnRequestUrl({ idp, spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL });
      const password = 'bob-password';
      const post = await loginAndCaptureAcsPost(page, { startUrl: login.url, acsUrl: ACS_URL, username: 'bob', password });
      const sp = serviceProvider();
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: post.SAMLResponse });
      if (!profile) throw new Error('node-saml returned no profile');

      const logoutUrl = await sp.getLogoutUrlAsync(profile, 'after-logout', {});
      const redirect = await logoutAndCaptureSloRedirect(page, { logoutUrl, idp, spSloUrl: SLO_URL });
      expect(redirect.RelayState).toBe('after-logout');
      expect(redirect.SigAlg).toBe(SIGNATURE_RSA_SHA256);
      const query = new URL(redirect.url).search.slice(1);
      const result = await sp.validateRedirectAsync(Object.fromEntries(new URL(redirect.url).searchParams), query);
      expect(result).toEqual({ profile: null, loggedOut: true });

      // No IdP session any more: the next AuthnRequest shows the login form instead of posting.
      await page.goto((await buildAuthnRequestUrl({ idp, spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL })).url);
      await page.locator('input[name="username"]').waitFor({ timeout: 5_000 });
    } finally {
      await context.close();
    }
  });

  it('stop() ends php and removes its files', async () => {
    const { pid, logFile } = idp;
    await idp.stop();
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(existsSync(logFile)).toBe(false);
    await idp.stop(); // idempotent: afterAll calls it again
  });
});
