/**
 * OIDC: from the callback received to the session ready (code exchange + ID token
 * validation + roles), Portico's relying party vs bare openid-client calls with the same
 * security settings, against the same local provider, in the same run. Codes are one-use,
 * so every sample has its own login (the provider session makes logins immediate).
 */
import { performance } from 'node:perf_hooks';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { oidcProviderConfig } from '../../main/auth/oidc/oidc-config';
import { rolesFromClaims } from '../../main/auth/oidc/oidc-claims';
import { OidcRelyingParty } from '../../main/auth/oidc/oidc-relying-party';
import { signInAtOidcProvider, waitForRequest } from '../idp/oidc/browser-login';
import { ENTRA_APP_ROLES, startOidcProvider } from '../idp/oidc/oidc-provider';
import { median, round } from './stats';

const REDIRECT = 'http://127.0.0.1/callback';

/** Drives the browser to `url` and returns the callback URL the provider redirects to. */
async function callbackFor(page: Page, url: string, first: boolean): Promise<string> {
  const callback = waitForRequest(page, REDIRECT);
  void page.goto(url).catch(() => undefined);
  if (first) await signInAtOidcProvider(page, 'alice', 'alice-password');
  return callback;
}

export async function benchOidcCallback(browser: Browser, samples = 20) {
  const idp = await startOidcProvider({ style: 'entra' });
  const context = await browser.newContext();
  try {
    const config = oidcProviderConfig.parse({
      id: 'bench',
      displayName: 'Bench',
      preset: 'entra',
      issuer: idp.issuer,
      clientId: idp.clientId,
      roleMapping: { [ENTRA_APP_ROLES.admin]: ['admin'] },
    });
    const rp = new OidcRelyingParty(config);
    const bare = await client.discovery(new URL(idp.issuer), idp.clientId, undefined, client.None(), {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
    const page = await context.newPage();
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < samples + 2; i++) {
      // Portico: its own authorization request, then the timed callback handling.
      const { url, checks } = await rp.startLogin(REDIRECT);
      const ourCallback = await callbackFor(page, url, i === 0);
      let start = performance.now();
      const tokens = await rp.finishLogin(ourCallback, checks);
      rolesFromClaims(tokens.claims, config, 'Alice');
      const oursMs = performance.now() - start;

      // Bare openid-client: same flow by hand.
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const bareUrl = client.buildAuthorizationUrl(bare, {
        redirect_uri: REDIRECT,
        scope: config.scopes.join(' '),
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        prompt: 'consent',
      });
      const bareCallback = await callbackFor(page, bareUrl.href, false);
      start = performance.now();
      const result = await client.authorizationCodeGrant(bare, new URL(bareCallback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      result.claims();
      const bareMs = performance.now() - start;
      if (i >= 2) {
        ours.push(oursMs);
        baseline.push(bareMs);
      }
    }
    const ratio = median(ours) / median(baseline);
    return {
      name: 'OIDC callback to session ready: Portico vs bare openid-client',
      samples,
      p50PorticoMs: round(median(ours)),
      p50OpenIdClientMs: round(median(baseline)),
      ratioP50: Math.round(ratio * 100) / 100,
      budgetRatio: 1.3,
      pass: ratio <= 1.3,
    };
  } finally {
    await context.close();
    await idp.stop();
  }
}
