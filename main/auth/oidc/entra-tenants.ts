/**
 * Multi-tenant Microsoft Entra ID: the issuers `https://login.microsoftonline.com/organizations/v2.0`
 * (any work or school account) and `.../common/v2.0` (those and personal Microsoft accounts).
 *
 * Their discovery document names a template, `"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"`,
 * and every ID token is issued by its user's own tenant: `iss` is the template with the token's
 * `tid` in place of `{tenantid}`. Microsoft's rule for validating such tokens:
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer
 *
 * Pure functions. `tid` is read from the not yet validated token only to choose the issuer to
 * expect; openid-client then validates the token against that issuer (signature, aud, azp, nonce,
 * exp, iat), and allowedTenants is checked on the validated claims.
 */
import { OidcError } from './oidc-errors';

export const TENANT_PLACEHOLDER = '{tenantid}';

/** Personal Microsoft accounts' tenant (what `/consumers` issues for, and `/common` for a personal account). */
export const CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** Entra tenant ids are GUIDs; `tid` is compared in lower case. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID.test(value);
}

/**
 * For a multi-tenant issuer (`<origin>/organizations/v2.0` or `<origin>/common/v2.0`), the template
 * issuer its discovery document must name (`<origin>/{tenantid}/v2.0`); null for any other issuer.
 * The origin is not checked (sovereign clouds, and a local test IdP, have their own).
 */
export function multiTenantTemplate(issuer: string): string | null {
  const url = new URL(issuer);
  const match = /^\/(?:organizations|common)(\/v2\.0\/?)$/.exec(url.pathname);
  if (!match || url.search || url.hash) return null;
  return `${url.origin}/${TENANT_PLACEHOLDER}${match[1]}`;
}

/** `<origin>/consumers/...`: personal Microsoft accounts only. */
export function isConsumersIssuer(issuer: string): boolean {
  return /^\/consumers(?:\/|$)/i.test(new URL(issuer).pathname);
}

/** The issuer of one tenant's tokens: the template with its tenant id. */
export function tenantIssuer(template: string, tenantId: string): string {
  return template.replace(TENANT_PLACEHOLDER, tenantId);
}

/** The tenant id in a tenant's issuer (`template` with a GUID in place of `{tenantid}`), else null. */
export function tenantOfIssuer(issuer: string, template: string): string | null {
  const [prefix = '', suffix = ''] = template.split(TENANT_PLACEHOLDER);
  if (issuer.length <= prefix.length + suffix.length || !issuer.startsWith(prefix) || !issuer.endsWith(suffix)) return null;
  const tenant = issuer.slice(prefix.length, issuer.length - suffix.length);
  return isTenantId(tenant) ? tenant : null;
}

/**
 * RFC 9207 for a multi-tenant issuer, before the code is redeemed: an `iss` in the authorization
 * response must be some tenant's issuer (the token's tenant is matched later); none is refused when
 * discovery said the IdP sends it. openid-client cannot check it yet: it does not know the tenant.
 */
export function checkTenantIssParameter(callbackUrl: string, template: string, required: boolean): void {
  const iss = new URL(callbackUrl).searchParams.get('iss');
  if (iss === null) {
    if (required) throw new OidcError('OIDC_ISSUER', 'response parameter "iss" (issuer) missing');
    return;
  }
  if (tenantOfIssuer(iss, template) === null) {
    throw new OidcError(
      'OIDC_ISSUER',
      `unexpected "iss" (issuer) response parameter value ${shown(iss, 200)}: not a tenant of ${template}`,
    );
  }
}

/** The payload of a compact JWS, NOT verified: only to choose which issuer to expect. */
export function unverifiedClaims(jwt: string): Record<string, unknown> {
  const parts = jwt.split('.');
  try {
    if (parts.length !== 3) throw new Error(`${parts.length} parts`);
    const payload: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('payload is not an object');
    return payload as Record<string, unknown>;
  } catch (error) {
    throw new OidcError('OIDC_ID_TOKEN', `the ID token is not a readable JWT (${(error as Error).message})`);
  }
}

/**
 * The issuer an ID token from a multi-tenant issuer must be validated against: the template with
 * the token's own `tid`. Refused: no `tid` (OIDC_TENANT_MISSING), a `tid` that is not a tenant id
 * (OIDC_TENANT_INVALID: it goes into a URL), an `iss` that is not the issuer of its `tid`
 * (OIDC_TENANT_ISSUER, e.g. the template itself, or another tenant's issuer).
 */
export function expectedTenantIssuer(idToken: string, template: string): { tenantId: string; issuer: string } {
  const claims = unverifiedClaims(idToken);
  const tid = claims.tid;
  if (tid === undefined || tid === null || tid === '') {
    throw new OidcError('OIDC_TENANT_MISSING', 'the ID token has no "tid" (tenant id) claim');
  }
  if (!isTenantId(tid)) {
    throw new OidcError('OIDC_TENANT_INVALID', `the ID token's "tid" claim is not a tenant id (GUID): ${shown(tid, 80)}`);
  }
  const issuer = tenantIssuer(template, tid);
  if (claims.iss !== issuer) {
    throw new OidcError(
      'OIDC_TENANT_ISSUER',
      `the ID token's "iss" ${shown(claims.iss, 200)} is not the issuer of its tenant ${tid} (${issuer})`,
    );
  }
  return { tenantId: tid, issuer };
}

/** allowedTenants set: the (validated) tenant must be in it. Unset: any tenant. */
export function checkTenantAllowed(tenantId: string, allowedTenants: readonly string[] | undefined): void {
  if (!allowedTenants) return;
  const tid = tenantId.toLowerCase();
  if (allowedTenants.some((allowed) => allowed.toLowerCase() === tid)) return;
  throw new OidcError(
    'OIDC_TENANT_NOT_ALLOWED',
    `tenant ${tid} is not in allowedTenants`,
    `Sign in with an account of an organization allowed to use Portico; if your organization (tenant ID ${tid}) ` +
      'should be allowed, ask IT to add that tenant ID to "allowedTenants" for this provider in Portico\'s configuration.',
  );
}

/** An untrusted value for an error detail: JSON, cut short. */
function shown(value: unknown, max: number): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, max);
}
