/**
 * When the sign-in window's page is an IdP error rather than a step of the sign-in: a document
 * the IdP served with an HTTP error status. 401 and 407 are not errors here: they are how
 * Windows integrated authentication (ADFS, Kerberos) and some login forms (Keycloak after a
 * wrong password) ask for credentials, and the sign-in goes on from them. An error page served
 * with 200 (Entra ID, SimpleSAMLphp) cannot be told apart: the SSO messages say what to check.
 */
import { AuthIdpErrorPageError } from '../platform';
import { isCallbackUrl } from './callback-matcher';

export function isIdpErrorStatus(status: number): boolean {
  return status >= 400 && status !== 401 && status !== 407;
}

/**
 * The error for a main-frame document `url` served with `status`, or null when it is a normal
 * page or the callback itself (never the IdP's to answer).
 */
export function idpErrorPage(url: string, status: number, callbackUrl: string): AuthIdpErrorPageError | null {
  if (!isIdpErrorStatus(status) || isCallbackUrl(url, callbackUrl)) return null;
  let page = url;
  try {
    const parsed = new URL(url);
    page = `${parsed.origin}${parsed.pathname}`;
  } catch {
    // Not a URL: keep it as the browser reported it.
  }
  return new AuthIdpErrorPageError(status, page);
}
