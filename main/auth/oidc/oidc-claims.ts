/** From validated ID token / userinfo claims to Portico roles. Pure. */
import type { LocalRole } from '../../../preload/constants';
import { AppError } from '../../errors';
import type { OidcProviderConfig } from './oidc-config';

/**
 * Values at a dot path; `*` walks every key of an object (Descope `tenants.*.roles`). A claim
 * whose whole name is the path (Auth0's namespaced `https://example.com/roles`) is read as is.
 */
export function claimValues(claims: Record<string, unknown>, path: string): string[] {
  if (Object.hasOwn(claims, path)) return flatStrings([claims[path]]);
  let current: unknown[] = [claims];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const node of current) {
      if (!node || typeof node !== 'object' || Array.isArray(node)) continue;
      const record = node as Record<string, unknown>;
      if (part === '*') next.push(...Object.values(record));
      else if (Object.hasOwn(record, part)) next.push(record[part]);
    }
    current = next;
  }
  return flatStrings(current);
}

function flatStrings(values: unknown[]): string[] {
  return values.flatMap((value) => (Array.isArray(value) ? value : [value])).filter((v): v is string => typeof v === 'string');
}

/** Entra sends `hasgroups` or `_claim_names.groups` instead of groups above its limit. */
export function hasGroupOverage(claims: Record<string, unknown>): boolean {
  const names = claims._claim_names;
  return claims.hasgroups === true || (!!names && typeof names === 'object' && Object.hasOwn(names, 'groups'));
}

export function rolesFromClaims(claims: Record<string, unknown>, provider: OidcProviderConfig, displayName: string): LocalRole[] {
  const roles = new Set<LocalRole>();
  const mapping = new Map(Object.entries(provider.roleMapping).map(([k, v]) => [k.toLowerCase(), v]));
  for (const path of provider.roleClaims) {
    for (const value of claimValues(claims, path)) for (const r of mapping.get(value.toLowerCase()) ?? []) roles.add(r);
  }
  const email = typeof claims.email === 'string' && claims.email_verified !== false ? claims.email.toLowerCase() : null;
  if (email) {
    const domain = `@${email.split('@')[1] ?? ''}`;
    for (const [key, mapped] of Object.entries(provider.emailRoles)) {
      if (key.toLowerCase() === email || key.toLowerCase() === domain) mapped.forEach((r) => roles.add(r));
    }
  }
  if (roles.size === 0 && hasGroupOverage(claims)) {
    throw new AppError(
      'SSO_GROUP_OVERAGE',
      `${provider.displayName} did not send your groups (you are in more than fit in a token, over 200 in Microsoft Entra ID), so ` +
        'Portico cannot tell your role. Ask your administrator to use app roles, or to emit only "Groups assigned to the ' +
        'application" in the Portico app registration\'s token configuration.',
    );
  }
  if (roles.size === 0) {
    throw new AppError(
      'SSO_NO_ROLES',
      `You signed in to ${provider.displayName} as ${displayName}, but none of your groups or roles gives access to Portico. ` +
        'Ask your administrator to map one of them to a Portico role.',
    );
  }
  return [...roles].sort();
}
