/**
 * An OIDC provider as IT configures it. `preset` fills in where each product puts roles
 * and groups, so most setups need only issuer, clientId and the role mapping. Portico is a
 * public client (RFC 8252): a client secret cannot be kept secret in a desktop app; one is
 * accepted for IdPs that insist, and flagged in diagnostics.
 */
import { z } from 'zod';
import { LOCAL_ROLES } from '../../../preload/constants';
import { idpUrl } from '../saml/saml-config';
import { isConsumersIssuer, isTenantId, multiTenantTemplate } from './entra-tenants';

export const OIDC_PRESETS = ['generic', 'entra', 'okta', 'keycloak', 'auth0', 'descope', 'google'] as const;
export type OidcPreset = (typeof OIDC_PRESETS)[number];

/**
 * Presets whose provider issues a refresh token only with `prompt=consent`: Google (with
 * `access_type=offline`; without consent it gives a refresh token at the first sign-in only). The
 * others issue one for the `offline_access` scope alone, and some show a consent page at every
 * sign-in when asked for it (Microsoft Entra ID, and refuses where user consent is turned off).
 */
export const PRESET_PROMPT_CONSENT: Record<OidcPreset, boolean> = {
  generic: false,
  entra: false,
  okta: false,
  keycloak: false,
  auth0: false,
  descope: false,
  google: true,
};

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
    /**
     * Send `prompt=consent` with a sign-in that asks for a refresh token. Default per preset: true
     * for google only. Set true for an IdP that issues refresh tokens only then (OIDC Core 11, e.g.
     * node-oidc-provider based ones); an explicit `authParams.prompt` is kept alongside.
     */
    promptConsent: z.boolean().optional(),
    /**
     * System-browser mode: listen for the answer on this fixed 127.0.0.1 port, for IdPs that match
     * redirect URIs as exact strings (register `http://127.0.0.1:<port>/callback`). Default: a port
     * the OS picks at each sign-in.
     */
    loopbackPort: z.number().int().min(1024).max(65535).optional(),
    /** When the IdP cannot be reached at launch, keep a cached session this long (0: never). */
    maxOfflineHours: z
      .number()
      .min(0)
      .max(24 * 7)
      .default(0),
    /**
     * Entra preset with the multi-tenant issuer (`.../organizations/v2.0` or `.../common/v2.0`): the
     * tenant ids (GUIDs) whose accounts may sign in. Unset: any organization's accounts (logged at start).
     */
    allowedTenants: z
      .array(z.string().refine(isTenantId, 'A tenant ID, e.g. d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6.'))
      .min(1)
      .max(100)
      .optional(),
  })
  .superRefine((p, ctx) => {
    const multiTenant = p.preset === 'entra' && multiTenantTemplate(p.issuer) !== null;
    if (p.preset === 'entra' && isConsumersIssuer(p.issuer)) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuer'],
        message:
          "Personal Microsoft accounts (/consumers) are not supported: use your tenant's issuer, or /organizations/v2.0 with allowedTenants.",
      });
    }
    if (p.loopbackPort !== undefined && p.mode !== 'system-browser' && p.preset !== 'google') {
      ctx.addIssue({
        code: 'custom',
        path: ['loopbackPort'],
        message:
          'loopbackPort is for "mode": "system-browser" (the sign-in window catches http://127.0.0.1/callback without listening).',
      });
    }
    if (p.allowedTenants && !multiTenant) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowedTenants'],
        message:
          'allowedTenants is for the entra preset with a multi-tenant issuer (https://login.microsoftonline.com/organizations/v2.0 or /common/v2.0); a tenant issuer already admits only its tenant.',
      });
    }
    if (multiTenant && !p.allowedTenants && Object.keys(p.emailRoles).length > 0) {
      // Any organization's admin can give an account any email address (Entra's email claim is
      // not verified): mapping addresses to roles is safe only among tenants IT chose.
      ctx.addIssue({
        code: 'custom',
        path: ['emailRoles'],
        message:
          'emailRoles with a multi-tenant Entra issuer needs allowedTenants: any organization can issue any email address.',
      });
    }
  })
  .transform((p) => ({
    ...p,
    // Google refuses embedded browsers: always the system browser.
    mode: p.preset === 'google' ? ('system-browser' as const) : p.mode,
    scopes:
      p.scopes ?? (p.preset === 'google' ? ['openid', 'email', 'profile'] : ['openid', 'email', 'profile', 'offline_access']),
    roleClaims: (p.roleClaims ?? PRESET_ROLE_CLAIMS[p.preset]).map((path) => path.replace('<clientId>', p.clientId)),
    promptConsent: p.promptConsent ?? PRESET_PROMPT_CONSENT[p.preset],
    allowedTenants: p.allowedTenants?.map((tid) => tid.toLowerCase()),
  }));
export type OidcProviderConfig = z.output<typeof oidcProviderConfig>;

/**
 * The issuer template (`<origin>/{tenantid}/v2.0`) when this provider is multi-tenant Microsoft
 * Entra ID (entra preset, issuer `.../organizations/v2.0` or `.../common/v2.0`); null otherwise.
 */
export function entraTenantTemplate(provider: Pick<OidcProviderConfig, 'preset' | 'issuer'>): string | null {
  return provider.preset === 'entra' ? multiTenantTemplate(provider.issuer) : null;
}

/** What IT should know about a provider's configuration (logged at start; none is an error). */
export function oidcConfigWarnings(provider: OidcProviderConfig): string[] {
  const warnings: string[] = [];
  if (entraTenantTemplate(provider) && !provider.allowedTenants) {
    warnings.push(
      'Multi-tenant Microsoft Entra ID issuer without allowedTenants: accounts of ANY organization can sign in, and any ' +
        "organization's administrator can assign its users the app roles mapped in roleMapping. Set allowedTenants.",
    );
  }
  return warnings;
}

/** Window mode: the redirect the auth window catches (any port: RFC 8252 7.3). */
export const WINDOW_REDIRECT_URI = 'http://127.0.0.1/callback';
