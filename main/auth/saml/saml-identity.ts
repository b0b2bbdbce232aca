/**
 * From a verified assertion to a Portico user: the stable id, display fields and roles
 * from group claims. Pure. Users are keyed by (provider, stable id), never by email.
 */
import type { LocalRole } from '../../../preload/constants';
import { AppError } from '../../errors';
import { exactIdentifier, type SamlAssertion } from './saml-assertion';
import type { SamlProviderConfig } from './saml-config';
import type { SsoIdentity } from '../sso-identity';

/** A SAML sign-in: the generic identity (subject: Entra objectidentifier, else the NameID) plus SAML details. */
export interface SamlIdentity extends SsoIdentity {
  nameId: string;
  nameIdFormat: string | null;
  sessionIndex: string | null;
  groups: string[];
}

export function identityFromAssertion(assertion: SamlAssertion, provider: SamlProviderConfig): SamlIdentity {
  const first = (name: string) => assertion.attributes[name]?.[0] ?? null;
  const identifier = (name: string, what: string) => {
    const value = first(name);
    return value === null ? null : exactIdentifier(value, what);
  };
  const stableId = identifier(provider.attributes.id, 'the user id claim');
  const email = identifier(provider.attributes.email, 'the email claim');
  const displayName = first(provider.attributes.displayName)?.trim() || email || assertion.nameId;
  const groups = assertion.attributes[provider.attributes.groups];
  const overage = assertion.attributes[provider.attributes.groupsOverage];

  if (!groups?.length && overage?.length) {
    throw new AppError(
      'SSO_GROUP_OVERAGE',
      `${provider.displayName} sent a link to your groups instead of the groups (you are in more groups than fit in a sign-in, ` +
        'over 150 in Microsoft Entra ID), so Portico cannot tell your role. Ask your administrator to set the group claim of the ' +
        'Portico application to "Groups assigned to the application" and assign the Portico groups to it.',
    );
  }
  const roles = rolesForGroups(groups ?? [], provider.groupRoles);
  if (roles.length === 0) {
    throw new AppError(
      'SSO_NO_ROLES',
      `You signed in to ${provider.displayName} as ${displayName}, but none of your groups gives access to Portico. ` +
        'Ask your administrator to add you to a group that is mapped to a Portico role.',
    );
  }
  return {
    protocol: 'saml',
    username: email ?? assertion.nameId,
    logout: {
      protocol: 'saml',
      providerId: provider.id,
      nameId: assertion.nameId,
      nameIdFormat: assertion.nameIdFormat,
      nameQualifier: assertion.nameQualifier,
      spNameQualifier: assertion.spNameQualifier,
      sessionIndex: assertion.sessionIndex,
    },
    providerId: provider.id,
    providerName: provider.displayName,
    subject: stableId ?? assertion.nameId,
    nameId: assertion.nameId,
    nameIdFormat: assertion.nameIdFormat,
    sessionIndex: assertion.sessionIndex,
    email,
    // From the signed assertion of the IdP this connection trusts.
    verifiedEmail: email ? email.toLowerCase() : null,
    displayName,
    groups: groups ?? [],
    roles,
    idpSessionEndsAt: assertion.sessionNotOnOrAfter,
  };
}

/** Union of the roles of every mapped group. Group ids (GUIDs) compare case-insensitively. */
export function rolesForGroups(groups: readonly string[], mapping: Readonly<Record<string, readonly LocalRole[]>>): LocalRole[] {
  const wanted = new Map(Object.entries(mapping).map(([group, roles]) => [group.toLowerCase(), roles]));
  const roles = new Set<LocalRole>();
  for (const group of groups) for (const role of wanted.get(group.toLowerCase()) ?? []) roles.add(role);
  return [...roles].sort();
}
