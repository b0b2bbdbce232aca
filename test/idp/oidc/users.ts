/**
 * Test users whose claims look like what each identity product really puts in its ID tokens, so
 * Portico's role mapping meets the same shapes it meets in production. Every style has the same four
 * people: alice (admin), bob (viewer), olga (Entra only: group overage) and dave (nothing mapped).
 * Passwords are `<username>-password`.
 */

export type ClaimStyle = 'entra' | 'keycloak' | 'descope' | 'okta' | 'auth0' | 'google';

export interface OidcTestUser {
  sub: string;
  /** What is typed into the login form (the email address is accepted too). */
  username: string;
  password: string;
  email: string;
  name: string;
  /** Extra claims released in the ID token and userinfo, e.g. groups, realm_access. */
  claims: Record<string, unknown>;
}

export const OIDC_TEST_EMAIL_DOMAIN = 'corp.test';
/** The client id Keycloak's `resource_access` is keyed by: the provider's default client id. */
export const OIDC_TEST_CLIENT_ID = 'portico-desktop';

/** Entra: the directory (tenant) id, sent as `tid` and part of the issuer. */
export const ENTRA_TENANT_ID = 'c0ffee00-0000-4000-8000-0000000000aa';
/** Entra sends group object ids (GUIDs) in `groups` by default. */
export const ENTRA_GROUP_IDS = {
  admins: '6f1c2a9e-3b4d-4e8f-9a01-2b3c4d5e6f70',
  viewers: '7a2d3b0f-4c5e-4f90-8b12-3c4d5e6f7081',
  employees: '8b3e4c1a-5d6f-4a01-9c23-4d5e6f708192',
} as const;
/** App roles defined in the Portico app registration, sent in `roles`. */
export const ENTRA_APP_ROLES = { admin: 'Portico.Admin', viewer: 'Portico.Viewer' } as const;
export const ENTRA_OBJECT_IDS = {
  alice: 'a11ce000-0000-4000-8000-000000000001',
  bob: 'b0b00000-0000-4000-8000-000000000002',
  olga: '0196a000-0000-4000-8000-000000000003',
  dave: 'da7e0000-0000-4000-8000-000000000004',
} as const;
/** Where Entra points (in `_claim_sources`) when a user has more groups than fit in a token. */
export function entraOverageEndpoint(objectId: string): string {
  return `https://graph.microsoft.com/v1.0/users/${objectId}/getMemberObjects`;
}

/** Keycloak: realm roles in `realm_access.roles`, client roles in `resource_access.<clientId>.roles`. */
export const KEYCLOAK_REALM_ROLES = {
  admin: 'portico-admin',
  viewer: 'portico-viewer',
  defaults: 'default-roles-portico',
} as const;
export const KEYCLOAK_CLIENT_ROLES = { admin: 'admin', viewer: 'viewer' } as const;

/** Descope: project roles in `roles`, tenant roles in `tenants.<tenantId>.roles`. */
export const DESCOPE_ROLES = { admin: 'portico-admin', viewer: 'portico-viewer', unrelated: 'support' } as const;
export const DESCOPE_TENANTS = { main: 'T1', other: 'T2' } as const;

/** Okta: group names in `groups` (with a groups claim filter on the authorization server). */
export const OKTA_GROUPS = { admins: 'portico-admins', viewers: 'portico-viewers', everyone: 'Everyone' } as const;

/** Auth0 only releases custom claims under a namespace (set by an Action). */
export const AUTH0_ROLES_CLAIM = 'https://portico.example/roles';
export const AUTH0_ROLES = { admin: 'portico-admin', viewer: 'portico-viewer' } as const;

/** Google Workspace: no groups, only the verified email and the hosted domain `hd`. */
export const GOOGLE_HOSTED_DOMAIN = OIDC_TEST_EMAIL_DOMAIN;
export const GOOGLE_CONSUMER_DOMAIN = 'consumer.test';

type Person = 'alice' | 'bob' | 'olga' | 'dave';
const DISPLAY_NAMES: Record<Person, string> = {
  alice: 'Alice Admin',
  bob: 'Bob Viewer',
  olga: 'Olga Overage',
  dave: 'Dave Nobody',
};

function person(key: Person, sub: string, claims: Record<string, unknown>, email?: string): OidcTestUser {
  return {
    sub,
    username: key,
    password: `${key}-password`,
    email: email ?? `${key}@${OIDC_TEST_EMAIL_DOMAIN}`,
    name: DISPLAY_NAMES[key],
    claims,
  };
}

/** Entra's `sub` is a pairwise, app-specific opaque string, unlike `oid`. */
function entraUser(key: Person, claims: Record<string, unknown>): OidcTestUser {
  const oid = ENTRA_OBJECT_IDS[key];
  const sub = `entra-pairwise-${key}-${oid.slice(0, 8)}`;
  return person(key, sub, { tid: ENTRA_TENANT_ID, oid, preferred_username: `${key}@${OIDC_TEST_EMAIL_DOMAIN}`, ...claims });
}

function entraUsers(): OidcTestUser[] {
  return [
    entraUser('alice', { groups: [ENTRA_GROUP_IDS.admins, ENTRA_GROUP_IDS.employees], roles: [ENTRA_APP_ROLES.admin] }),
    entraUser('bob', { groups: [ENTRA_GROUP_IDS.viewers, ENTRA_GROUP_IDS.employees], roles: [ENTRA_APP_ROLES.viewer] }),
    // Over the limit Entra drops `groups` (and sends no app roles unless assigned): the code flow's
    // ID token carries the distributed-claim pointer, the implicit flow's `hasgroups`. Both here.
    entraUser('olga', {
      hasgroups: true,
      _claim_names: { groups: 'src1' },
      _claim_sources: { src1: { endpoint: entraOverageEndpoint(ENTRA_OBJECT_IDS.olga) } },
    }),
    entraUser('dave', { groups: [ENTRA_GROUP_IDS.employees] }),
  ];
}

function keycloakUsers(): OidcTestUser[] {
  const realm = (...roles: string[]) => ({ roles: [...roles, KEYCLOAK_REALM_ROLES.defaults] });
  const client = (...roles: string[]) => ({ [OIDC_TEST_CLIENT_ID]: { roles } });
  return [
    // alice through a realm role (and the client role too), bob through a client role only.
    person('alice', '5a1ce000-0000-4000-8000-00000000000a', {
      realm_access: realm(KEYCLOAK_REALM_ROLES.admin),
      resource_access: client(KEYCLOAK_CLIENT_ROLES.admin),
    }),
    person('bob', '5b0b0000-0000-4000-8000-00000000000b', {
      realm_access: realm(),
      resource_access: client(KEYCLOAK_CLIENT_ROLES.viewer),
    }),
    person('dave', '5da7e000-0000-4000-8000-00000000000d', {
      realm_access: realm(),
      resource_access: { account: { roles: ['view-profile'] } },
    }),
  ];
}

function descopeUsers(): OidcTestUser[] {
  const tenant = (id: string, ...roles: string[]) => ({ [id]: { roles } });
  return [
    // alice through a project role, bob through a tenant role only.
    person('alice', 'U2a1ice00000000000000000001', {
      roles: [DESCOPE_ROLES.admin],
      tenants: tenant(DESCOPE_TENANTS.main, DESCOPE_ROLES.admin),
    }),
    person('bob', 'U2b0b0000000000000000000002', { roles: [], tenants: tenant(DESCOPE_TENANTS.main, DESCOPE_ROLES.viewer) }),
    person('dave', 'U2da7e000000000000000000004', {
      roles: [DESCOPE_ROLES.unrelated],
      tenants: tenant(DESCOPE_TENANTS.other, DESCOPE_ROLES.unrelated),
    }),
  ];
}

function oktaUsers(): OidcTestUser[] {
  return [
    person('alice', '00ua1ice000000000001', { groups: [OKTA_GROUPS.everyone, OKTA_GROUPS.admins] }),
    person('bob', '00ub0b00000000000002', { groups: [OKTA_GROUPS.everyone, OKTA_GROUPS.viewers] }),
    person('dave', '00uda7e0000000000004', { groups: [OKTA_GROUPS.everyone] }),
  ];
}

function auth0Users(): OidcTestUser[] {
  return [
    person('alice', 'auth0|a11ce0000000000000000001', { [AUTH0_ROLES_CLAIM]: [AUTH0_ROLES.admin] }),
    person('bob', 'auth0|b0b000000000000000000002', { [AUTH0_ROLES_CLAIM]: [AUTH0_ROLES.viewer] }),
    person('dave', 'auth0|da7e00000000000000000004', { [AUTH0_ROLES_CLAIM]: [] }),
  ];
}

function googleUsers(): OidcTestUser[] {
  return [
    person('alice', '109876543210000000001', { hd: GOOGLE_HOSTED_DOMAIN }),
    person('bob', '109876543210000000002', { hd: GOOGLE_HOSTED_DOMAIN }),
    // A consumer account: no `hd` at all.
    person('dave', '109876543210000000004', {}, `dave@${GOOGLE_CONSUMER_DOMAIN}`),
  ];
}

const PRESETS: Record<ClaimStyle, () => OidcTestUser[]> = {
  entra: entraUsers,
  keycloak: keycloakUsers,
  descope: descopeUsers,
  okta: oktaUsers,
  auth0: auth0Users,
  google: googleUsers,
};

/** Fresh copies every call: a test may change its users without affecting others. */
export function presetUsers(style: ClaimStyle): OidcTestUser[] {
  return structuredClone(PRESETS[style]());
}
