/**
 * A SAML identity provider as IT configures it (in the machine policy only: a person's
 * config.json may not add providers, main/policy/user-settable.ts). Defaults follow Microsoft Entra ID's claim names, so an Entra setup needs only
 * the values Entra shows on its "Set up single sign-on" page.
 */
import { z } from 'zod';
import { LOCAL_ROLES } from '../../../preload/constants';

export const ENTRA_CLAIMS = {
  objectId: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  displayName: 'http://schemas.microsoft.com/identity/claims/displayname',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  groupsLink: 'http://schemas.microsoft.com/claims/groups.link',
} as const;

/** https, or plain http on loopback only (a local test IdP); never http across a network. */
export const idpUrl = z.url().refine((value) => {
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}, 'Must be an https:// URL (http:// is accepted for 127.0.0.1 only).');

const pem = (what: string) =>
  z
    .string()
    .transform((value) => value.trim())
    .refine(
      (value) => /^(-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----|[A-Za-z0-9+/=\s]{100,})$/.test(value),
      `${what} must be PEM or base64.`,
    );

const role = z.enum(LOCAL_ROLES);

export const samlProviderConfig = z.strictObject({
  /** Stable id used in URLs and the vault; never shown. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Use 1-40 lower-case letters, digits and dashes.'),
  /** Shown on the button: "Sign in with <displayName>". */
  displayName: z.string().trim().min(1).max(60),
  idpSsoUrl: idpUrl,
  idpEntityId: z.string().min(1).max(1024),
  /** The IdP's signing certificates: more than one during a certificate rollover. */
  idpCertificates: z.array(pem('An IdP certificate')).min(1).max(5),
  /** Entra: "Identifier (Entity ID)". */
  spEntityId: z.string().min(1).max(1024).optional(),
  /**
   * Entra: "Reply URL". Portico intercepts the IdP's POST to it in the sign-in window, so it
   * needs no server; any https URL registered at the IdP works.
   */
  acsUrl: z.url({ protocol: /^https$/ }).optional(),
  /** Where Portico sends LogoutRequests (single logout); none: sign-out stays local. */
  sloUrl: idpUrl.optional(),
  attributes: z
    .strictObject({
      /** The stable user id. Entra: objectidentifier (not the email, which can change or be reused). */
      id: z.string().default(ENTRA_CLAIMS.objectId),
      email: z.string().default(ENTRA_CLAIMS.email),
      displayName: z.string().default(ENTRA_CLAIMS.displayName),
      groups: z.string().default(ENTRA_CLAIMS.groups),
      /** Sent instead of groups when a user has too many (Entra: over 150). */
      groupsOverage: z.string().default(ENTRA_CLAIMS.groupsLink),
    })
    .prefault({}),
  /** Email domains that pick this provider when typed on the sign-in screen. */
  emailDomains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'A domain such as corp.example.com.')).default([]),
  /** IdP group (display name or object id) -> Portico roles. Users in no mapped group cannot sign in. */
  groupRoles: z.record(z.string().min(1), z.array(role).min(1)).default({}),
  /** Require the whole Response to be signed too (the assertion is always required to be signed). */
  requireSignedResponse: z.boolean().default(false),
  /** Sign AuthnRequests (RSA-SHA256) with this key; its certificate goes into the SP metadata. */
  signing: z.strictObject({ privateKey: pem('The signing key'), certificate: pem('The signing certificate') }).optional(),
  /** Decrypt encrypted assertions with this key. */
  decryption: z
    .strictObject({ privateKey: pem('The decryption key'), certificate: pem('The decryption certificate') })
    .optional(),
  clockSkewSeconds: z.number().int().min(0).max(300).default(60),
});
export type SamlProviderConfig = z.output<typeof samlProviderConfig>;

/** The SP values Portico uses for a provider, with defaults filled in. */
export function spEndpoints(provider: SamlProviderConfig) {
  return {
    entityId: provider.spEntityId ?? `urn:portico:sp:${provider.id}`,
    acsUrl: provider.acsUrl ?? `https://portico.invalid/saml/${provider.id}/acs`,
    sloUrl: `https://portico.invalid/saml/${provider.id}/slo`,
  };
}
