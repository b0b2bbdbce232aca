/**
 * SAML response validation: Portico's layer (SamlServiceProvider.validateResponse: bounds,
 * structure checks, node-saml, assertion re-read, Recipient/InResponseTo/replay) against
 * node-saml's validatePostResponseAsync alone, on the same real signed responses from
 * SimpleSAMLphp, in the same run. Each response is validated once by each (both are
 * one-use by design), so N logins give N samples per side.
 */
import { performance } from 'node:perf_hooks';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { Browser } from 'playwright-core';
import { samlProviderConfig } from '../../main/auth/saml/saml-config';
import { SamlServiceProvider } from '../../main/auth/saml/saml-service-provider';
import { systemClock } from '../../main/platform';
import { loginAndCaptureAcsPost } from '../idp/saml/browser-login';
import { ENTRA_USERS, startSamlIdp } from '../idp/saml/simplesamlphp';
import { median, round } from './stats';

const SP_ENTITY_ID = 'https://portico.test/saml/bench';
const ACS_URL = 'https://portico.invalid/saml/bench/acs';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function benchSamlValidation(browser: Browser, samples = 30) {
  const idp = await startSamlIdp({ spEntityId: SP_ENTITY_ID, acsUrls: [ACS_URL] });
  const context = await browser.newContext();
  try {
    const config = samlProviderConfig.parse({
      id: 'bench',
      displayName: 'Bench',
      idpSsoUrl: idp.ssoUrl,
      idpEntityId: idp.entityId,
      idpCertificates: [idp.certPem],
      spEntityId: SP_ENTITY_ID,
      acsUrl: ACS_URL,
      groupRoles: { 'portico-admins': ['admin'] },
    });
    const sp = new SamlServiceProvider(config, systemClock);
    const alice = ENTRA_USERS[0]!;
    const page = await context.newPage();
    const responses: Array<{ body: string; requestId: string; samlResponse: string }> = [];
    for (let i = 0; i < samples + 3; i++) {
      const { url, requestId } = await sp.createLoginRequest();
      const post = await loginAndCaptureAcsPost(page, {
        startUrl: url,
        acsUrl: ACS_URL,
        username: alice.username,
        password: alice.password,
      });
      responses.push({
        body: `SAMLResponse=${encodeURIComponent(post.SAMLResponse)}`,
        requestId,
        samlResponse: post.SAMLResponse,
      });
    }
    // Baseline: node-saml alone, same certificate, issuer and audience, no InResponseTo cache.
    const raw = new SAML({
      callbackUrl: ACS_URL,
      issuer: SP_ENTITY_ID,
      audience: SP_ENTITY_ID,
      idpIssuer: idp.entityId,
      idpCert: idp.certPem,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.never,
    });
    const ours: number[] = [];
    const baseline: number[] = [];
    // Alternate the two so that warm-up and machine noise fall on both alike.
    for (const [i, r] of responses.entries()) {
      let start = performance.now();
      await raw.validatePostResponseAsync({ SAMLResponse: r.samlResponse });
      const rawMs = performance.now() - start;
      start = performance.now();
      await sp.validateResponse(r.body, r.requestId);
      const oursMs = performance.now() - start;
      if (i >= 3) {
        baseline.push(rawMs);
        ours.push(oursMs);
      }
    }
    const ratio = median(ours) / median(baseline);
    return {
      name: 'SAML response validation: Portico layer vs node-saml alone',
      samples,
      p50PorticoMs: round(median(ours)),
      p95PorticoMs: round(percentile(ours, 95)),
      p50NodeSamlMs: round(median(baseline)),
      p95NodeSamlMs: round(percentile(baseline, 95)),
      ratioP50: Math.round(ratio * 100) / 100,
      budgetRatio: 1.5,
      pass: ratio <= 1.5,
    };
  } finally {
    await context.close();
    await idp.stop();
  }
}
