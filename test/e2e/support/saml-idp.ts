/**
 * A real SAML IdP (SimpleSAMLphp) for e2e specs: one per worker, with Entra-style users, and
 * the Portico machine policy that trusts it.
 */
import type { Page } from '@playwright/test';
import { test as base, expect } from '../fixtures';
import {
  ENTRA_CLAIMS,
  ENTRA_GROUPS,
  ENTRA_USERS,
  startSamlIdp,
  type SamlIdp,
  type SamlIdpUser,
} from '../../idp/saml/simplesamlphp';

export const SP_ENTITY_ID = 'https://portico.test/saml/corp';
export const ACS_URL = 'https://portico.invalid/saml/corp/acs';
export const SLO_URL = 'https://portico.invalid/saml/corp/slo';

/** In a group Entra sends, but one no Portico role is mapped to. */
export const DAVE: SamlIdpUser = {
  username: 'dave',
  password: 'dave-password',
  attributes: {
    [ENTRA_CLAIMS.objectId]: ['da7e0000-0000-4000-8000-000000000004'],
    [ENTRA_CLAIMS.email]: ['dave@corp.test'],
    [ENTRA_CLAIMS.displayName]: ['Dave Nobody'],
    [ENTRA_CLAIMS.groups]: [ENTRA_GROUPS.employees.id],
  },
};

export function samlConfig(idp: SamlIdp, session: Record<string, unknown> = {}) {
  return {
    session,
    providers: {
      saml: [
        {
          id: 'corp',
          displayName: 'Corp Entra',
          idpSsoUrl: idp.ssoUrl,
          idpEntityId: idp.entityId,
          idpCertificates: [idp.certPem],
          spEntityId: SP_ENTITY_ID,
          acsUrl: ACS_URL,
          sloUrl: idp.sloUrl,
          emailDomains: ['corp.test'],
          // By display name (Entra's "cloud-only group display names"); object ids map the
          // same way (unit-tested in rolesForGroups).
          groupRoles: { [ENTRA_GROUPS.admins.name]: ['admin'], [ENTRA_GROUPS.viewers.name]: ['viewer'] },
        },
      ],
    },
  };
}

export const test = base.extend<{ samlSession: Record<string, unknown> }, { samlIdp: SamlIdp }>({
  samlIdp: [
    async ({}, use) => {
      const idp = await startSamlIdp({
        spEntityId: SP_ENTITY_ID,
        acsUrls: [ACS_URL],
        spSloUrl: SLO_URL,
        users: [...ENTRA_USERS, DAVE],
      });
      await use(idp);
      await idp.stop();
    },
    { scope: 'worker' },
  ],
  samlSession: [{}, { option: true }],
  // Identity providers come only from IT's machine policy.
  porticoPolicy: async ({ samlIdp, samlSession }, use) => {
    await use(samlConfig(samlIdp, samlSession));
  },
});

export { expect };

/** Types the IdP password in the newest auth window (the IdP's own login page). */
export async function signInAtIdp(authWindows: Page[], username: string, password: string): Promise<Page> {
  // The newest window still open: earlier ones (a finished sign-in, single logout) are closed.
  const open = () => authWindows.filter((w) => !w.isClosed());
  await expect.poll(() => open().length, { message: 'an auth window opened' }).toBeGreaterThan(0);
  const window = open()[open().length - 1]!;
  await window.locator('input[name="username"]').fill(username);
  await window.locator('input[name="password"]').fill(password);
  try {
    await window.locator('#submit_button').click();
  } catch (error) {
    // The window closes as soon as the IdP posts to the ACS URL, which can race the end of the click.
    if (!window.isClosed()) throw error;
  }
  return window;
}
