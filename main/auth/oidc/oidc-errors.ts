/** Why an OIDC sign-in was refused: one code per check, mapped from openid-client's errors. */
import { AppError } from '../../errors';

export const OIDC_REFUSALS = {
  OIDC_DISCOVERY: 'Portico could not read the identity provider’s configuration.',
  OIDC_ISSUER: 'The identity provider answered with another identity (issuer) than configured.',
  OIDC_STATE: 'The sign-in answer does not belong to the sign-in Portico started.',
  OIDC_PROVIDER_ERROR: 'The identity provider refused the sign-in.',
  OIDC_ID_TOKEN: 'The identity provider’s ID token failed validation.',
  OIDC_SIGNATURE: 'The identity provider’s ID token is not correctly signed.',
  OIDC_NONCE: 'The ID token does not belong to this sign-in (nonce).',
  OIDC_AUDIENCE: 'The ID token was issued for another application.',
  OIDC_EXPIRED: 'The ID token has expired or its times are invalid. Check this computer’s clock.',
  OIDC_USERINFO: 'The identity provider’s user information does not match the signed-in user.',
  OIDC_TOKEN: 'The identity provider did not issue tokens for this sign-in.',
  // Multi-tenant Microsoft Entra ID (issuer /organizations or /common): see ./entra-tenants.
  OIDC_TENANT_MISSING: 'The ID token does not say which Microsoft Entra organization (tenant) the account belongs to.',
  OIDC_TENANT_INVALID: 'The ID token names a Microsoft Entra tenant that is not a valid tenant ID.',
  OIDC_TENANT_ISSUER: 'The ID token was not issued by the Microsoft Entra organization (tenant) it names.',
  OIDC_TENANT_NOT_ALLOWED:
    'Your account belongs to a Microsoft Entra organization (tenant) that is not allowed to sign in to Portico.',
} as const;
export type OidcRefusal = keyof typeof OIDC_REFUSALS;

const DEFAULT_ADVICE = 'Sign-in was refused; try again, and contact IT if it keeps happening.';

export class OidcError extends Error {
  constructor(
    readonly code: OidcRefusal,
    readonly detail = '',
    /** What the user (or IT) can do about it, when more than "try again" helps. */
    readonly advice = DEFAULT_ADVICE,
  ) {
    super(`${code}: ${OIDC_REFUSALS[code]}${detail ? ` (${detail})` : ''}`);
    this.name = 'OidcError';
  }

  toAppError(): AppError {
    return new AppError('SSO_REFUSED', `${OIDC_REFUSALS[this.code]} ${this.advice} (${this.code})`);
  }
}

/** openid-client / oauth4webapi errors carry a `code` and, for claim checks, `cause.claim`. */
export function fromOpenIdClientError(error: unknown): OidcError {
  if (error instanceof OidcError) return error;
  const e = error as { code?: string; message?: string; cause?: { claim?: string; message?: string } | unknown; error?: string };
  // openid-client puts the specific reason in `cause.message`; the top-level message is generic.
  const causeMessage = (e?.cause as { message?: string } | undefined)?.message;
  const message = [e?.message ?? String(error), causeMessage].filter(Boolean).join(': ');
  const claim = (e?.cause as { claim?: string } | undefined)?.claim;
  const code = e?.code ?? '';
  if (/state/i.test(message) && /mismatch|missing|unexpected|parameter/i.test(message))
    return new OidcError('OIDC_STATE', message);
  if (code === 'OAUTH_AUTHORIZATION_RESPONSE_ERROR' || code === 'OAUTH_RESPONSE_BODY_ERROR')
    return new OidcError('OIDC_PROVIDER_ERROR', message);
  if (claim === 'nonce' || /nonce/i.test(message)) return new OidcError('OIDC_NONCE', message);
  if (claim === 'aud' || claim === 'azp' || /audience|azp/i.test(message)) return new OidcError('OIDC_AUDIENCE', message);
  if (claim === 'iss' || /issuer|"iss"/i.test(message)) return new OidcError('OIDC_ISSUER', message);
  if (claim === 'exp' || claim === 'iat' || claim === 'nbf' || /expired|timestamp|"iat"|"exp"/i.test(message))
    return new OidcError('OIDC_EXPIRED', message);
  if (/signature|alg|JWS|key/i.test(message)) return new OidcError('OIDC_SIGNATURE', message);
  if (/sub|userinfo/i.test(message)) return new OidcError('OIDC_USERINFO', message);
  return new OidcError('OIDC_ID_TOKEN', message);
}
