/** Shared by the SAML and OIDC flows: where their windows run and how long a logout may take. */

/** One in-memory cookie partition per provider: re-authentication and logout reach its IdP session. */
export function authPartition(providerId: string): string {
  return `sso-${providerId}`;
}

/** Single logout is best effort: the local session has ended already. */
export const LOGOUT_WAIT_MS = 15_000;
