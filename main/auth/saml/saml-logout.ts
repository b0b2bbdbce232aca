/**
 * The IdP's answer to Portico's LogoutRequest (single logout), as pure functions. It comes back
 * to the SP's SLO URL with either binding Portico publishes: HTTP-Redirect (a GET whose
 * SAMLResponse is deflated, then base64) or HTTP-POST (a form whose SAMLResponse is base64).
 *
 * Nothing is granted on a LogoutResponse: the local session has ended before the LogoutRequest
 * leaves. Its status only decides what the user is told (the IdP session ended, or may not
 * have), so it is read with the same bounds as any SAML message and checked for the request it
 * answers and the IdP it comes from, but a missing signature does not stop it being read.
 */
import { inflateRawSync } from 'node:zlib';
import type { CallbackRequest } from '../../platform';
import { SamlError } from './saml-errors';
import { childElements, decodeSamlResponse, MAX_RESPONSE_BYTES, NS, parseSamlXml } from './saml-response-checks';

export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

export interface LogoutResponse {
  inResponseTo: string | null;
  issuer: string | null;
  /** The top-level StatusCode, and the nested one that says more (e.g. PartialLogout). */
  status: string;
  subStatus: string | null;
  statusMessage: string | null;
}

/** The SAMLResponse of a callback request, by the binding it arrived with. */
export function logoutResponseXml(answer: CallbackRequest): string {
  if (answer.method === 'GET') {
    const encoded = new URL(answer.url).searchParams.get('SAMLResponse');
    if (!encoded) throw new SamlError('SAML_MALFORMED', 'no SAMLResponse in the logout redirect');
    if (!/^[A-Za-z0-9+/=\s]+$/.test(encoded)) throw new SamlError('SAML_MALFORMED', 'SAMLResponse is not base64');
    try {
      return inflateRawSync(Buffer.from(encoded, 'base64'), { maxOutputLength: MAX_RESPONSE_BYTES }).toString('utf8');
    } catch (error) {
      const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      throw new SamlError(tooLarge ? 'SAML_TOO_LARGE' : 'SAML_MALFORMED', 'the logout redirect does not inflate');
    }
  }
  if (answer.method === 'POST' && answer.body !== null) {
    const encoded = new URLSearchParams(answer.body).get('SAMLResponse');
    if (!encoded) throw new SamlError('SAML_MALFORMED', 'no SAMLResponse in the logout POST');
    return decodeSamlResponse(encoded);
  }
  throw new SamlError('SAML_MALFORMED', `${answer.method} without a SAMLResponse at the SLO URL`);
}

export function readLogoutResponse(xml: string): LogoutResponse {
  const root = parseSamlXml(xml).documentElement!;
  if (root.namespaceURI !== NS.protocol || root.localName !== 'LogoutResponse') {
    throw new SamlError('SAML_MALFORMED', `expected a LogoutResponse, got ${root.nodeName}`);
  }
  const status = childElements(root, NS.protocol, 'Status')[0];
  const code = childElements(status, NS.protocol, 'StatusCode')[0];
  return {
    inResponseTo: root.getAttribute('InResponseTo') || null,
    issuer: childElements(root, NS.assertion, 'Issuer')[0]?.textContent ?? null,
    status: code?.getAttribute('Value') ?? '',
    subStatus: childElements(code, NS.protocol, 'StatusCode')[0]?.getAttribute('Value') ?? null,
    statusMessage: childElements(status, NS.protocol, 'StatusMessage')[0]?.textContent ?? null,
  };
}

/**
 * Throws unless `response` says the LogoutRequest `requestId` succeeded at `idpEntityId`:
 * SAML_IN_RESPONSE_TO, SAML_ISSUER, or SAML_LOGOUT_FAILED with the status the IdP gave.
 */
export function checkLogoutResponse(response: LogoutResponse, requestId: string, idpEntityId: string): void {
  if (response.inResponseTo !== requestId) {
    throw new SamlError('SAML_IN_RESPONSE_TO', `the LogoutResponse answers ${response.inResponseTo ?? 'nothing'}`);
  }
  if (response.issuer !== null && response.issuer !== idpEntityId) throw new SamlError('SAML_ISSUER', response.issuer);
  // PartialLogout under Success still means some session survived (SAML core 3.7.3.2).
  const partial = response.subStatus?.endsWith(':PartialLogout') ?? false;
  if (response.status !== STATUS_SUCCESS || partial) {
    const said = [response.status || 'no status', response.subStatus, response.statusMessage].filter(Boolean).join(' / ');
    throw new SamlError('SAML_LOGOUT_FAILED', said);
  }
}

/**
 * What a user signed out of Portico is told when the IdP did not confirm that its session
 * ended. Portico forgets its own IdP cookies in any case; the IdP's session, and other apps'
 * sign-ins through it, may live on.
 */
export function logoutNotice(providerName: string, code: string): string {
  return (
    `You are signed out of Portico, but ${providerName} did not confirm that your session there has ended. ` +
    `If you use ${providerName} in a browser on this computer, sign out there too. (${code})`
  );
}
