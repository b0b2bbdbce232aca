/**
 * A real OIDC provider (oidc-provider) for e2e specs, one per worker, in the claim style of
 * the product under test, and the Portico machine policy that trusts it.
 */
import type { Page } from '@playwright/test';
import { test as base, expect } from '../fixtures';
import { signInAtOidcProvider } from '../../idp/oidc/browser-login';
import {
  DESCOPE_ROLES,
  ENTRA_APP_ROLES,
  KEYCLOAK_REALM_ROLES,
  startOidcProvider,
  type ClaimStyle,
  type OidcTestProvider,
} from '../../idp/oidc/oidc-provider';

export const test = base.extend<
  { oidcMode: 'window' | 'system-browser'; oidcOffline: number },
  { oidcStyle: ClaimStyle; oidcIdp: OidcTestProvider }
>({
  oidcStyle: ['entra', { scope: 'worker', option: true }],
  oidcIdp: [
    async ({ oidcStyle }, use) => {
      const idp = await startOidcProvider({ style: oidcStyle });
      await use(idp);
      await idp.stop();
    },
    { scope: 'worker' },
  ],
  oidcMode: ['window', { option: true }],
  oidcOffline: [0, { option: true }],
  // Identity providers come only from IT's machine policy.
  porticoPolicy: async ({ oidcIdp, oidcStyle, oidcMode, oidcOffline }, use) => {
    const roleMapping = {
      keycloak: { [KEYCLOAK_REALM_ROLES.admin]: ['admin'], [KEYCLOAK_REALM_ROLES.viewer]: ['viewer'] },
      descope: { [DESCOPE_ROLES.admin]: ['admin'], [DESCOPE_ROLES.viewer]: ['viewer'] },
    }[oidcStyle as string] ?? { [ENTRA_APP_ROLES.admin]: ['admin'], [ENTRA_APP_ROLES.viewer]: ['viewer'] };
    await use({
      providers: {
        oidc: [
          {
            id: 'corp-oidc',
            displayName: 'Corp OIDC',
            preset: oidcStyle,
            issuer: oidcIdp.issuer,
            clientId: oidcIdp.clientId,
            mode: oidcMode,
            emailDomains: ['corp.test'],
            roleMapping,
            maxOfflineHours: oidcOffline,
          },
        ],
      },
    });
  },
});

export { expect };

/** Signs in at the provider in the auth window or "system browser" tab showing its login form. */
export async function signInAtProvider(authWindows: Page[], username: string, password: string): Promise<Page> {
  let window: Page | null = null;
  await expect
    .poll(
      async () => {
        // Newest first; windows that finished (a sign-in, a logout) are closed or closing.
        for (const candidate of [...authWindows].reverse()) {
          if (candidate.isClosed()) continue;
          if (
            await candidate
              .locator('input[name="login"]')
              .isVisible()
              .catch(() => false)
          )
            return (window = candidate);
        }
        return null;
      },
      { message: 'a sign-in window with the provider’s login form' },
    )
    .not.toBeNull();
  try {
    await signInAtOidcProvider(window!, username, password);
  } catch (error) {
    // The window closes as soon as the provider redirects to the callback, which can race the
    // end of the click: a closed window means the form was submitted.
    if (!window!.isClosed()) throw error;
  }
  return window!;
}
