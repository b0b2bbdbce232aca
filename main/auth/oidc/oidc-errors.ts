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
  OIDC_SUBJECT_MISSING: 'The identity provider’s answer does not say who signed in (no "sub").',
  OIDC_TOKEN: 'The identity provider did not issue tokens for this sign-in.',
  // No answer at all (network, timeout, 5xx): the only failure a kept sign-in may wait out.
  OIDC_UNREACHABLE: 'Portico could not reach the identity provider (no answer, a timeout or a server error).',
  OIDC_RESPONSE_INVALID: 'The identity provider’s answer could not be read (it is not the JSON the protocol requires).',
  OIDC_RESPONSE_TOO_LARGE: 'The identity provider sent an answer larger than Portico accepts (1 MiB).',
  OIDC_INSECURE_ENDPOINT:
    'The identity provider names an endpoint that is not https, so Portico will not send it codes or tokens.',
  OIDC_LOOPBACK_PORT_BUSY: 'Portico could not wait for the sign-in answer: another program uses the configured loopback port.',
  // Multi-tenant Microsoft Entra ID (issuer /organizations or /common): see ./entra-tenants.
  OIDC_TENANT_MISSING: 'The ID token does not say which Microsoft Entra organization (tenant) the account belongs to.',
  OIDC_TENANT_INVALID: 'The ID token names a Microsoft Entra tenant that is not a valid tenant ID.',
  OIDC_TENANT_ISSUER: 'The ID token was not issued by the Microsoft Entra organization (tenant) it names.',
  OIDC_TENANT_NOT_ALLOWED:
    'Your account belongs to a Microsoft Entra organization (tenant) that is not allowed to sign in to Portico.',
} as const;
export type OidcRefusal = keyof typeof OIDC_REFUSALS;

const DEFAULT_ADVICE = 'Sign-in was refused; try again, and contact IT if it keeps happening.';

/** What helps more than "try again" for some codes. */
const ADVICE: Partial<Record<OidcRefusal, string>> = {
  OIDC_UNREACHABLE: 'Check your network connection (and proxy), then try again.',
  OIDC_INSECURE_ENDPOINT: 'Contact IT: the identity provider’s configuration must use https.',
  OIDC_LOOPBACK_PORT_BUSY: 'Close the program that uses it and try again, or ask IT to choose another loopbackPort.',
};

/** A JWT (ID token, JWT access token) or an opaque token-looking run: never copied into a detail. */
const TOKEN_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?|[A-Za-z0-9_-]{40,}/g;

export class OidcError extends Error {
  readonly advice: string;
  /** For the log and the audit record: what the library or the IdP said, tokens blanked out. */
  readonly detail: string;

  constructor(
    readonly code: OidcRefusal,
    detail = '',
    /** What the user (or IT) can do about it, when more than "try again" helps. */
    advice?: string,
  ) {
    const safe = detail.replace(TOKEN_LIKE, '[redacted]');
    super(`${code}: ${OIDC_REFUSALS[code]}${safe ? ` (${safe})` : ''}`);
    this.name = 'OidcError';
    this.detail = safe;
    this.advice = advice ?? ADVICE[code] ?? DEFAULT_ADVICE;
  }

  toAppError(): AppError {
    return new AppError('SSO_REFUSED', `${OIDC_REFUSALS[this.code]} ${this.advice} (${this.code})`);
  }
}

interface LibraryError {
  code?: string;
  message?: string;
  status?: number;
  cause?: unknown;
}

/**
 * openid-client / oauth4webapi errors carry a `code` and, for claim checks, `cause.claim`. An
 * OidcError thrown by Portico's own fetch (./idp-fetch: unreachable, too large, not https) reaches
 * here wrapped by the library, as a cause: it is the real reason and is returned as is.
 */
export function fromOpenIdClientError(error: unknown): OidcError {
  const chain = causeChain(error);
  const own = chain.find((e): e is OidcError => e instanceof OidcError);
  if (own) return own;
  const e = (error ?? {}) as LibraryError;
  // openid-client puts the specific reason in `cause.message`; the top-level message is generic.
  // The facts (claim, attribute, HTTP status) sit further down: ClientError -> library error -> details.
  const message = [e.message ?? String(error), (e.cause as LibraryError | undefined)?.message].filter(Boolean).join(': ');
  const code = e.code ?? '';
  const fact = <K extends 'claim' | 'attribute' | 'status' | 'error' | 'error_description'>(key: K) =>
    chain.map((link) => (link as Record<K, unknown>)[key]).find((value) => value !== undefined);
  const claim = (fact('claim') as string | undefined) ?? /JWT "(\w+)" \(/.exec(message)?.[1];
  const attribute = fact('attribute');
  const status = fact('status');
  if (/state/i.test(message) && /mismatch|missing|unexpected|parameter/i.test(message))
    return new OidcError('OIDC_STATE', message);
  switch (code) {
    case 'OAUTH_AUTHORIZATION_RESPONSE_ERROR':
    case 'OAUTH_RESPONSE_BODY_ERROR':
    case 'OAUTH_WWW_AUTHENTICATE_CHALLENGE': {
      // The IdP's own words (error code and description) say why: kept for the log.
      const said = [fact('error'), fact('error_description')].filter((v) => typeof v === 'string').join(': ');
      return new OidcError('OIDC_PROVIDER_ERROR', said ? `${message} (${said.slice(0, 300)})` : message);
    }
    case 'OAUTH_TIMEOUT':
    case 'OAUTH_ABORT':
      return new OidcError('OIDC_UNREACHABLE', message);
    case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
    case 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN':
      return new OidcError('OIDC_INSECURE_ENDPOINT', message);
    case 'OAUTH_MISSING_SERVER_METADATA':
    case 'OAUTH_INVALID_SERVER_METADATA':
      return new OidcError('OIDC_DISCOVERY', message);
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
      // A 4xx without an OAuth error body still refuses (e.g. an HTML "403 Forbidden").
      return typeof status === 'number' && status >= 400 && status < 500
        ? new OidcError('OIDC_PROVIDER_ERROR', `${message} (HTTP ${status})`)
        : new OidcError('OIDC_RESPONSE_INVALID', message);
    case 'OAUTH_PARSE_ERROR':
      return new OidcError(/JWT/.test(message) ? 'OIDC_ID_TOKEN' : 'OIDC_RESPONSE_INVALID', message);
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
      if (attribute === 'sub') return new OidcError('OIDC_USERINFO', message);
      if (attribute === 'issuer') return new OidcError('OIDC_ISSUER', message);
      break;
  }
  if (claim === 'sub' || /"response" body "sub" property must/.test(message))
    return new OidcError('OIDC_SUBJECT_MISSING', message);
  if (claim === 'nonce' || /nonce/i.test(message)) return new OidcError('OIDC_NONCE', message);
  if (claim === 'aud' || claim === 'azp' || /audience|azp/i.test(message)) return new OidcError('OIDC_AUDIENCE', message);
  if (claim === 'iss' || /issuer|"iss"/i.test(message)) return new OidcError('OIDC_ISSUER', message);
  if (claim === 'exp' || claim === 'iat' || claim === 'nbf' || /expired|timestamp|"iat"|"exp"/i.test(message))
    return new OidcError('OIDC_EXPIRED', message);
  if (/signature|alg|JWS|key/i.test(message)) return new OidcError('OIDC_SIGNATURE', message);
  if (/"response" body "(?:access_token|token_type|id_token)"|ID Token missing|does not contain an ID Token/.test(message))
    return new OidcError('OIDC_TOKEN', message);
  if (/"response" body/.test(message)) return new OidcError('OIDC_RESPONSE_INVALID', message);
  // A fetch that never answered, outside idpFetch (defensive: every request goes through it).
  if (error instanceof TypeError && /fetch failed/i.test(message)) return new OidcError('OIDC_UNREACHABLE', message);
  return new OidcError('OIDC_ID_TOKEN', message);
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 8;) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}
