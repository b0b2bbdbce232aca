/** Who signed in through single sign-on, whatever the protocol: what a session needs. */
import type { LocalRole } from '../../preload/constants';

/** What sign-out needs to end the session at the IdP. */
export type SsoSessionRef =
  | {
      protocol: 'saml';
      providerId: string;
      nameId: string;
      nameIdFormat: string | null;
      /** As the IdP sent them on the NameID: a strict IdP matches the LogoutRequest's NameID on them. */
      nameQualifier?: string | null;
      spNameQualifier?: string | null;
      sessionIndex: string | null;
    }
  | { protocol: 'oidc'; providerId: string; sub: string };

export interface SsoIdentity {
  protocol: 'saml' | 'oidc';
  providerId: string;
  providerName: string;
  /** Stable id at the IdP; users are keyed by (provider, subject), never by email. */
  subject: string;
  username: string;
  displayName: string;
  email: string | null;
  /**
   * An email the IdP vouches for (SAML: in the signed assertion of the configured IdP; OIDC:
   * only with `email_verified: true`), or null. Row scopes by email use only this: an
   * unverified email claim can be set by the user (Entra's "nOAuth").
   */
  verifiedEmail: string | null;
  roles: LocalRole[];
  /** The IdP's group/role values as sent (for row scopes such as `Sales-EMEA`). */
  groups: string[];
  /** Epoch ms when the IdP says the session ends (SAML SessionNotOnOrAfter), if it says. */
  idpSessionEndsAt: number | null;
  logout: SsoSessionRef;
}
