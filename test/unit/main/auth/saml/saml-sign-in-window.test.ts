/**
 * What a SAML user is told when the sign-in window ends without an answer (issue 12 §3: an IdP
 * error page is not a silent 5-minute wait). The window is a port: here a scripted stand-in; the
 * real ones (test host, Electron) detect an HTTP error page (test/unit/main/shell, e2e).
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../main/errors';
import { AuthCancelledError, AuthIdpErrorPageError, AuthTimeoutError, type AuthSurface } from '../../../../../main/platform';
import { samlProviderConfig } from '../../../../../main/auth/saml/saml-config';
import { SsoService } from '../../../../../main/auth/sso-service';
import { OidcTokenStore } from '../../../../../main/auth/oidc/oidc-token-store';
import { openTestVault } from '../../../helpers';

const CERT = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(120)}\n-----END CERTIFICATE-----`;

async function signInEndingWith(error: Error) {
  const surface: AuthSurface = { open: () => Promise.reject(error), clearPartition: async () => undefined };
  const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const { vault } = await openTestVault();
  const sso = new SsoService({
    saml: [
      samlProviderConfig.parse({
        id: 'corp',
        displayName: 'Corp Entra',
        idpSsoUrl: 'https://idp.example.com/sso',
        idpEntityId: 'https://idp.example.com',
        idpCertificates: [CERT],
        groupRoles: { staff: ['viewer'] },
      }),
    ],
    oidc: [],
    surface,
    browser: null,
    oidcStore: new OidcTokenStore(vault),
    log: { info: () => undefined, error: (message, fields) => logged.push({ message, fields }) },
  });
  const outcome = await sso.signIn('corp').then(
    () => expect.fail('the sign-in succeeded'),
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(AppError);
  return { error: outcome as AppError, logged };
}

describe('SAML sign-in window: the ends that say what to check', () => {
  it('an IdP error page (HTTP 4xx/5xx) ends the sign-in at once with SSO_IDP_ERROR and what IT should check', async () => {
    const { error, logged } = await signInEndingWith(new AuthIdpErrorPageError(500, 'https://idp.example.com/sso'));
    expect(error.code).toBe('SSO_IDP_ERROR');
    expect(error.message).toContain('Corp Entra answered with an error page (HTTP 500) instead of signing you in.');
    expect(error.message).toContain('whether it requires signed sign-in requests');
    expect(logged).toEqual([
      {
        message: 'SSO sign-in window: error page',
        fields: { provider: 'corp', status: 500, page: 'https://idp.example.com/sso' },
      },
    ]);
  });

  it('closing the window says what to tell IT if the IdP showed an error (an error page served as a normal page)', async () => {
    const { error } = await signInEndingWith(new AuthCancelledError());
    expect(error.code).toBe('SSO_CANCELLED');
    expect(error.message).toMatch(/^Sign-in cancelled\. /);
    expect(error.message).toContain('If Corp Entra showed an error instead of its sign-in page, tell IT what it said');
  });

  it('the time limit says the same', async () => {
    const { error } = await signInEndingWith(new AuthTimeoutError(300_000));
    expect(error.code).toBe('SSO_TIMEOUT');
    expect(error.message).toContain('did not finish the sign-in within 5 minutes');
    expect(error.message).toContain('signed sign-in requests, Identifier, Reply URL');
  });
});
