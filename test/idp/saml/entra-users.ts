/**
 * Test users whose attributes look like what Microsoft Entra ID puts in a SAML assertion, so the
 * IdP harness exercises the same claim names Portico meets in production.
 */

/** Entra's SAML claim (attribute) names. They are URIs, sent with NameFormat `uri`. */
export const ENTRA_CLAIMS = {
  objectId: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  displayName: 'http://schemas.microsoft.com/identity/claims/displayname',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  /** Sent INSTEAD of `groups` when a user is in too many groups (Entra's "overage" claim). */
  groupsLink: 'http://schemas.microsoft.com/claims/groups.link',
} as const;

/**
 * Groups the users belong to. Entra sends either a group's object id (the default) or, for groups
 * configured so, its display name: the users below carry one of each, so role mapping can be tested
 * for both forms.
 */
export const ENTRA_GROUPS = {
  admins: { name: 'portico-admins', id: '6f1c2a9e-3b4d-4e8f-9a01-2b3c4d5e6f70' },
  viewers: { name: 'portico-viewers', id: '7a2d3b0f-4c5e-4f90-8b12-3c4d5e6f7081' },
  employees: { name: 'all-employees', id: '8b3e4c1a-5d6f-4a01-9c23-4d5e6f708192' },
} as const;

export interface SamlIdpUser {
  /** Login name typed into the IdP form; must not contain ':' (SimpleSAMLphp's `user:password` key). */
  username: string;
  password: string;
  /** Attribute name (an ENTRA_CLAIMS URI) → values, as the IdP will release them. */
  attributes: Record<string, string[]>;
}

/** Fixed object ids, so assertions can compare against constants across runs. */
export const ENTRA_OBJECT_IDS = {
  alice: 'a11ce000-0000-4000-8000-000000000001',
  bob: 'b0b00000-0000-4000-8000-000000000002',
  olga: '0196a000-0000-4000-8000-000000000003',
} as const;

const TENANT_ID = 'c0ffee00-0000-4000-8000-0000000000aa';

function entraUser(key: keyof typeof ENTRA_OBJECT_IDS, displayName: string, extra: Record<string, string[]>): SamlIdpUser {
  const upn = `${key}@corp.test`;
  return {
    username: key,
    password: `${key}-password`,
    attributes: {
      [ENTRA_CLAIMS.objectId]: [ENTRA_OBJECT_IDS[key]],
      [ENTRA_CLAIMS.email]: [upn],
      [ENTRA_CLAIMS.name]: [upn],
      [ENTRA_CLAIMS.displayName]: [displayName],
      ...extra,
    },
  };
}

/**
 * alice: an admin (group by display name) who is also in all-employees (group by object id).
 * bob: a viewer, likewise. olga: in too many groups, so Entra sends no `groups` claim at all, only
 * `groups.link` pointing at the Graph API: Portico must not treat her as group-less by accident.
 */
export const ENTRA_USERS: SamlIdpUser[] = [
  entraUser('alice', 'Alice Admin', { [ENTRA_CLAIMS.groups]: [ENTRA_GROUPS.admins.name, ENTRA_GROUPS.employees.id] }),
  entraUser('bob', 'Bob Viewer', { [ENTRA_CLAIMS.groups]: [ENTRA_GROUPS.viewers.name, ENTRA_GROUPS.employees.id] }),
  entraUser('olga', 'Olga Overage', {
    [ENTRA_CLAIMS.groupsLink]: [`https://graph.windows.net/${TENANT_ID}/users/${ENTRA_OBJECT_IDS.olga}/getMemberObjects`],
  }),
];
