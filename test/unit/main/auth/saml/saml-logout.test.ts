/**
 * SAML single logout and SP metadata (issue 12 §3, "Single logout interop"): the LogoutRequest
 * sends the NameID back exactly as received (Format, NameQualifier, SPNameQualifier), the
 * LogoutResponse is read with both bindings and its status checked, a failure is logged and told
 * to the user, and the SP metadata publishes both SLO bindings. Against a real SimpleSAMLphp IdP
 * (its own SLO round trip) and hand-made LogoutResponses for what SimpleSAMLphp never sends.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { identityFromAssertion } from '../../../../../main/auth/saml/saml-identity';
import { SamlError, type SamlRefusal } from '../../../../../main/auth/saml/saml-errors';
import { spMetadataXml } from '../../../../../main/auth/saml/sp-metadata';
import type { SamlSessionRef, SamlServiceProvider } from '../../../../../main/auth/saml/saml-service-provider';
import { SsoService } from '../../../../../main/auth/sso-service';
import { OidcTokenStore } from '../../../../../main/auth/oidc/oidc-token-store';
import { AuthTimeoutError, type AuthSurface, type CallbackRequest } from '../../../../../main/platform';
import { logoutAndCaptureSloRedirect } from '../../../../idp/saml/browser-login';
import { acsPostBody, editAndResign, assertionElement, nameIdElement } from '../../../../idp/saml/tampering';
import { openTestVault } from '../../../helpers';
import { generateKeyAndCertificate, useSamlKit } from './saml-kit';

const SP_SLO_URL = 'https://portico.invalid/saml/corp/slo';
const kit = useSamlKit({ idp: { spSloUrl: SP_SLO_URL }, config: () => ({ sloUrl: kit.idp.sloUrl }) });
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const RESPONDER = 'urn:oasis:names:tc:SAML:2.0:status:Responder';

/** Signs alice in for real and returns her SP and the session reference single logout uses. */
async function signedIn(edit?: (assertion: Element) => void): Promise<{ sp: SamlServiceProvider; ref: SamlSessionRef }> {
  const login = await kit.login('alice');
  const xml = edit ? editAndResign(login.xml, kit.idpKey, (doc) => edit(assertionElement(doc))) : login.xml;
  const assertion = await login.sp.validateResponse(acsPostBody(xml), login.requestId);
  const { logout } = identityFromAssertion(assertion, login.sp.config);
  if (logout.protocol !== 'saml') throw new Error('expected a SAML session');
  return { sp: login.sp, ref: logout };
}

/** The LogoutRequest a logout URL carries (HTTP-Redirect: deflated, base64). */
function logoutRequestOf(url: string): Element {
  const encoded = new URL(url).searchParams.get('SAMLRequest')!;
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  return new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
}

function logoutResponse(inResponseTo: string, status: string, options: { issuer?: string; sub?: string } = {}): string {
  const sub = options.sub ? `<samlp:StatusCode Value="${options.sub}"/>` : '';
  return (
    '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"' +
    ` ID="_r1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" Destination="${SP_SLO_URL}" InResponseTo="${inResponseTo}">` +
    `<saml:Issuer>${options.issuer ?? kit.idp.entityId}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${status}">${sub}</samlp:StatusCode><samlp:StatusMessage>said so</samlp:StatusMessage></samlp:Status>` +
    '</samlp:LogoutResponse>'
  );
}

const redirectAnswer = (xml: string): CallbackRequest => ({
  method: 'GET',
  url: `${SP_SLO_URL}?SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`,
  body: null,
});
const postAnswer = (xml: string): CallbackRequest => ({
  method: 'POST',
  url: SP_SLO_URL,
  body: `SAMLResponse=${encodeURIComponent(Buffer.from(xml).toString('base64'))}`,
});

function refusalOf(work: () => void): { code: SamlRefusal; detail: string } {
  try {
    work();
  } catch (error) {
    if (error instanceof SamlError) return { code: error.code, detail: error.detail };
    throw error;
  }
  return expect.fail('expected a SamlError, but the LogoutResponse was accepted');
}

describe('SAML single logout: the LogoutRequest', () => {
  it('sends the NameID back as received: value, Format and SPNameQualifier (SimpleSAMLphp sets it), and the SessionIndex', async () => {
    const { sp, ref } = await signedIn();
    expect(ref.spNameQualifier).toBe(kit.config().spEntityId);
    const request = await sp.createLogoutRequest(ref);
    const root = logoutRequestOf(request!.url);
    expect(root.getAttribute('ID')).toBe(request!.requestId);
    const nameId = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'NameID')[0]!;
    expect(nameId.textContent).toBe(ref.nameId);
    expect(nameId.getAttribute('Format')).toBe(ref.nameIdFormat);
    expect(nameId.getAttribute('SPNameQualifier')).toBe(ref.spNameQualifier);
    expect(nameId.hasAttribute('NameQualifier')).toBe(false);
    expect(root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:protocol', 'SessionIndex')[0]?.textContent).toBe(
      ref.sessionIndex,
    );
  });

  it('sends a NameQualifier back too when the IdP set one (ADFS and Shibboleth do)', async () => {
    const { sp, ref } = await signedIn((assertion) =>
      nameIdElement(assertion).setAttribute('NameQualifier', 'https://idp.example/qualifier'),
    );
    expect(ref.nameQualifier).toBe('https://idp.example/qualifier');
    const nameId = logoutRequestOf((await sp.createLogoutRequest(ref))!.url).getElementsByTagNameNS(
      'urn:oasis:names:tc:SAML:2.0:assertion',
      'NameID',
    )[0]!;
    expect(nameId.getAttribute('NameQualifier')).toBe('https://idp.example/qualifier');
  });

  it('the real IdP ends the session and answers Success, which Portico reads from the HTTP-Redirect binding', async () => {
    const { sp, ref } = await signedIn();
    const request = (await sp.createLogoutRequest(ref))!;
    const redirect = await logoutAndCaptureSloRedirect(await kit.page('alice'), {
      logoutUrl: request.url,
      idp: kit.idp,
      spSloUrl: SP_SLO_URL,
    });
    expect(redirect.SAMLResponse).toBeTruthy();
    expect(() => sp.checkLogoutAnswer({ method: 'GET', url: redirect.url, body: null }, request.requestId)).not.toThrow();
    // Control: the same answer for another LogoutRequest is not taken.
    expect(refusalOf(() => sp.checkLogoutAnswer({ method: 'GET', url: redirect.url, body: null }, '_other')).code).toBe(
      'SAML_IN_RESPONSE_TO',
    );
  });
});

describe('SAML single logout: the LogoutResponse', () => {
  it('accepts Success by either binding', async () => {
    const { sp } = kit.serviceProvider();
    expect(() => sp.checkLogoutAnswer(redirectAnswer(logoutResponse('_q', SUCCESS)), '_q')).not.toThrow();
    expect(() => sp.checkLogoutAnswer(postAnswer(logoutResponse('_q', SUCCESS)), '_q')).not.toThrow();
  });

  it('refuses a failure status, and PartialLogout under Success (SAML_LOGOUT_FAILED, with what the IdP said)', async () => {
    const { sp } = kit.serviceProvider();
    const failed = refusalOf(() => sp.checkLogoutAnswer(postAnswer(logoutResponse('_q', RESPONDER)), '_q'));
    expect(failed).toEqual({ code: 'SAML_LOGOUT_FAILED', detail: `${RESPONDER} / said so` });
    const partial = 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout';
    expect(
      refusalOf(() => sp.checkLogoutAnswer(redirectAnswer(logoutResponse('_q', SUCCESS, { sub: partial })), '_q')).code,
    ).toBe('SAML_LOGOUT_FAILED');
  });

  it('refuses an answer to another request, from another IdP, or that is not a LogoutResponse', async () => {
    const { sp } = kit.serviceProvider();
    expect(refusalOf(() => sp.checkLogoutAnswer(postAnswer(logoutResponse('_old', SUCCESS)), '_q')).code).toBe(
      'SAML_IN_RESPONSE_TO',
    );
    const foreign = logoutResponse('_q', SUCCESS, { issuer: 'https://other-idp.test/' });
    expect(refusalOf(() => sp.checkLogoutAnswer(postAnswer(foreign), '_q')).code).toBe('SAML_ISSUER');
    const notLogout = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>';
    expect(refusalOf(() => sp.checkLogoutAnswer(postAnswer(notLogout), '_q')).code).toBe('SAML_MALFORMED');
  });

  it('reads it with the same bounds as a sign-in response: no DTD, no inflation past the size cap, no garbage', async () => {
    const { sp } = kit.serviceProvider();
    const doctype = `<!DOCTYPE x [<!ENTITY a "b">]>${logoutResponse('_q', SUCCESS)}`;
    expect(refusalOf(() => sp.checkLogoutAnswer(postAnswer(doctype), '_q')).code).toBe('SAML_DOCTYPE');
    // 10 MiB of spaces deflate to a few KiB: refused while inflating, never held in memory.
    const bomb = redirectAnswer(`${' '.repeat(10 * 1024 * 1024)}${logoutResponse('_q', SUCCESS)}`);
    expect(bomb.url.length).toBeLessThan(64 * 1024);
    expect(refusalOf(() => sp.checkLogoutAnswer(bomb, '_q')).code).toBe('SAML_TOO_LARGE');
    expect(
      refusalOf(() => sp.checkLogoutAnswer({ method: 'GET', url: `${SP_SLO_URL}?SAMLResponse=AAAA`, body: null }, '_q')).code,
    ).toBe('SAML_MALFORMED');
    expect(refusalOf(() => sp.checkLogoutAnswer({ method: 'GET', url: SP_SLO_URL, body: null }, '_q')).code).toBe(
      'SAML_MALFORMED',
    );
  });
});

describe('SAML single logout: what the user is told (SsoService.signOut)', () => {
  /** A stand-in sign-in window (the real ones run in e2e) answering the LogoutRequest with `answer`. */
  function windowAnswering(answer: (requestId: string) => Promise<CallbackRequest>): AuthSurface & { cleared: string[] } {
    const cleared: string[] = [];
    return {
      cleared,
      open: ({ url }) => answer(logoutRequestOf(url).getAttribute('ID')!),
      clearPartition: async (partition) => void cleared.push(partition),
    };
  }

  async function signOutWith(surface: AuthSurface) {
    const { ref } = await signedIn();
    const { vault } = await openTestVault();
    const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const sso = new SsoService({
      saml: [kit.config()],
      oidc: [],
      surface,
      browser: null,
      oidcStore: new OidcTokenStore(vault),
      log: { info: () => undefined, error: (message, fields) => logged.push({ message, fields }) },
    });
    return { notice: await sso.signOut(ref), logged };
  }

  it('says nothing when the IdP confirms', async () => {
    const surface = windowAnswering(async (id) => redirectAnswer(logoutResponse(id, SUCCESS)));
    const { notice, logged } = await signOutWith(surface);
    expect(notice).toBeNull();
    expect(logged).toEqual([]);
    expect(surface.cleared).toEqual(['sso-corp']);
  });

  it('tells the user and logs the status when the IdP refuses', async () => {
    const surface = windowAnswering(async (id) => postAnswer(logoutResponse(id, RESPONDER)));
    const { notice, logged } = await signOutWith(surface);
    expect(notice).toContain('You are signed out of Portico, but Corp did not confirm that your session there has ended.');
    expect(notice).toMatch(/\(SAML_LOGOUT_FAILED\)$/);
    expect(logged).toEqual([
      {
        message: 'SSO single logout did not complete',
        fields: { provider: 'corp', code: 'SAML_LOGOUT_FAILED', detail: `${RESPONDER} / said so` },
      },
    ]);
    expect(surface.cleared).toEqual(['sso-corp']);
  });

  it('tells the user when the IdP never answers', async () => {
    const { notice } = await signOutWith(windowAnswering(() => Promise.reject(new AuthTimeoutError(15_000))));
    expect(notice).toMatch(/did not confirm.*\(SAML_LOGOUT_FAILED\)$/);
  });
});

describe('SP metadata', () => {
  const parse = (xml: string) => {
    const problems: string[] = [];
    const doc = new DOMParser({
      errorHandler: {
        warning: (m: string) => problems.push(m),
        error: (m: string) => problems.push(m),
        fatalError: (m: string) => problems.push(m),
      },
    }).parseFromString(xml, 'text/xml');
    expect(problems).toEqual([]);
    return doc;
  };
  const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';

  it('publishes the SLO URL with both bindings Portico accepts, the ACS, and no keys when none are used', () => {
    const doc = parse(spMetadataXml(kit.config()));
    const slo = Array.from(doc.getElementsByTagNameNS(MD, 'SingleLogoutService')).map((e) => [
      e.getAttribute('Binding'),
      e.getAttribute('Location'),
    ]);
    expect(slo).toEqual([
      ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', SP_SLO_URL],
      ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', SP_SLO_URL],
    ]);
    const acs = doc.getElementsByTagNameNS(MD, 'AssertionConsumerService')[0]!;
    expect(acs.getAttribute('Location')).toBe(kit.config().acsUrl);
    expect(doc.getElementsByTagNameNS(MD, 'KeyDescriptor')).toHaveLength(0);
    expect(doc.documentElement!.getAttribute('entityID')).toBe(kit.config().spEntityId);
    // The same policy prints the same file (no random ID or timestamp).
    expect(spMetadataXml(kit.config())).toBe(spMetadataXml(kit.config()));
  });

  it('publishes no SLO without sloUrl, and the signing and encryption certificates when set', async () => {
    const signing = await generateKeyAndCertificate('portico-sp-signing');
    const config = kit.config({
      sloUrl: undefined,
      signing: { privateKey: signing.privateKeyPem, certificate: signing.certificatePem },
      decryption: { privateKey: signing.privateKeyPem, certificate: signing.certificatePem },
    });
    const doc = parse(spMetadataXml(config));
    expect(doc.getElementsByTagNameNS(MD, 'SingleLogoutService')).toHaveLength(0);
    expect(doc.getElementsByTagNameNS(MD, 'SPSSODescriptor')[0]!.getAttribute('AuthnRequestsSigned')).toBe('true');
    const keys = Array.from(doc.getElementsByTagNameNS(MD, 'KeyDescriptor')).map((k) => k.getAttribute('use'));
    expect(keys).toEqual(['signing', 'encryption']);
    const body = signing.certificatePem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'X509Certificate')[0]!.textContent).toBe(body);
  });
});
