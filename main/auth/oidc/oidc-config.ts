/**
 * An OIDC provider as IT configures it. `preset` fills in where each product puts roles
 * and groups, so most setups need only issuer, clientId and the role mapping. Portico is a
 * public client (RFC 8252): a client secret cannot be kept secret in a desktop app; one is
 * accepted for IdPs that insist, and flagged in diagnostics.
 */
import { z } from 'zod';
import { LOCAL_ROLES } from '../../../preload/constants';
import { idpUrl } from '../saml/saml-config';

export const OIDC_PRESETS = ['generic', 'entra', 'okta', 'keycloak', 'auth0', 'descope', 'google'] as const;
export type OidcPreset = (typeof OIDC_PRESETS)[number];

/** Where each product puts role-like claims (dot paths; `<clientId>` is replaced). */
export const PRESET_ROLE_CLAIMS: Record<OidcPreset, string[]> = {
  generic: ['roles', 'groups'],
  entra: ['roles', 'groups'],
  okta: ['groups'],
  keycloak: ['realm_access.roles', 'resource_access.<clientId>.roles'],
  auth0: [],
  descope: ['roles', 'tenants.*.roles'],
  google: [],
};

const role = z.enum(LOCAL_ROLES);

export const oidcProviderConfig = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Use 1-40 lower-case letters, digits and dashes.'),
    displayName: z.string().trim().min(1).max(60),
    preset: z.enum(OIDC_PRESETS).default('generic'),
    issuer: idpUrl,
    clientId: z.string().min(1).max(512),
    /** Not secret in a desktop app; accepted for IdPs that require one, and flagged. */
    clientSecret: z.string().min(1).optional(),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).optional(),
    /** `window`: Portico's sign-in window. `system-browser`: the user's browser (RFC 8252); Google always. */
    mode: z.enum(['window', 'system-browser']).default('window'),
    emailDomains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'A domain such as corp.example.com.')).default([]),
    /** Claim paths holding roles/groups; default from the preset (Auth0: your namespaced claim). */
    roleClaims: z.array(z.string().min(1)).optional(),
    /** Claim value (role, group id or name) -> Portico roles. */
    roleMapping: z.record(z.string().min(1), z.array(role).min(1)).default({}),
    /** For IdPs without groups (Google): email address or `@domain` -> Portico roles. */
    emailRoles: z.record(z.string().min(3), z.array(role).min(1)).default({}),
    /** Extra authorization parameters. */
    authParams: z
      .strictObject({
        prompt: z.enum(['none', 'login', 'consent', 'select_account']).optional(),
        domain_hint: z.string().max(255).optional(),
        acr_values: z.string().max(255).optional(),
        hd: z.string().max(255).optional(),
      })
      .default({}),
    /** When the IdP cannot be reached at launch, keep a cached session this long (0: never). */
    maxOfflineHours: z
      .number()
      .min(0)
      .max(24 * 7)
      .default(0),
  })
  .transform((p) => ({
    ...p,
    // Google refuses embedded browsers: always the system browser.
    mode: p.preset === 'google' ? ('system-browser' as const) : p.mode,
    scopes:
      p.scopes ?? (p.preset === 'google' ? ['openid', 'email', 'profile'] : ['openid', 'email', 'profile', 'offline_access']),
    roleClaims: (p.roleClaims ?? PRESET_ROLE_CLAIMS[p.preset]).map((path) => path.replace('<clientId>', p.clientId)),
  }));
export type OidcProviderConfig = z.output<typeof oidcProviderConfig>;

/** Window mode: the redirect the auth window catches (any port: RFC 8252 7.3). */
export const WINDOW_REDIRECT_URI = 'http://127.0.0.1/callback';
