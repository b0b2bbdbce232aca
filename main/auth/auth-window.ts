/** Shared by the SAML and OIDC flows: where their windows run and how long a logout may take. */

/** One in-memory cookie partition per provider: re-authentication and logout reach its IdP session. */
export function authPartition(providerId: string): string {
  return `sso-${providerId}`;
}

/** Single logout is best effort: the local session has ended already. */
export const LOGOUT_WAIT_MS = 15_000;

/**
 * What the user is told when the sign-in window showed the IdP's error page (HTTP 4xx/5xx): the
 * usual causes are in Portico's registration at the IdP, which only IT can change.
 */
export function idpErrorPageMessage(providerName: string, status: number, protocol: 'saml' | 'oidc'): string {
  const check =
    protocol === 'saml'
      ? 'the sign-in URL (idpSsoUrl), the Identifier (Entity ID) and Reply URL registered for Portico, and whether it requires signed sign-in requests'
      : 'the issuer, the client id and the redirect URI registered for Portico';
  return (
    `${providerName} answered with an error page (HTTP ${status}) instead of signing you in. ` +
    `Ask IT to check ${check}; ${providerName}'s own logs say more.`
  );
}

/**
 * The end of a SAML sign-in window that never answered (closed, or the time limit): an IdP error
 * page served as an ordinary page (Entra ID, SimpleSAMLphp do) looks exactly like that.
 */
export function samlWindowHint(providerName: string): string {
  return (
    `If ${providerName} showed an error instead of its sign-in page, tell IT what it said: Portico's registration ` +
    'there may not match its settings (signed sign-in requests, Identifier, Reply URL).'
  );
}
