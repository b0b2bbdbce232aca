/**
 * docs/oidc-client-checklist.md agrees with the code: the redirect URIs, PKCE method, default
 * scopes and role claims, limits and configuration keys it names are the ones Portico uses, every
 * preset has its exact issuer form (and each one, filled in, is a configuration Portico accepts),
 * and it covers every item IT must set. Its links are checked with the other docs (docs-links).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_IDP_BODY_BYTES } from '../../../main/auth/oidc/idp-fetch';
import { OIDC_PRESETS, PRESET_ROLE_CLAIMS, WINDOW_REDIRECT_URI, oidcProviderConfig } from '../../../main/auth/oidc/oidc-config';
import { OIDC_REFUSALS } from '../../../main/auth/oidc/oidc-errors';
import { CLOCK_TOLERANCE_S } from '../../../main/auth/oidc/oidc-relying-party';
import { POST_LOGOUT_URI } from '../../../main/auth/oidc/oidc-sign-in';
import { JWKS_REFETCH_INTERVAL_MS } from '../../../main/auth/oidc/signing-keys';

const ROOT = path.resolve(__dirname, '../../..');
const checklist = readFileSync(path.join(ROOT, 'docs/oidc-client-checklist.md'), 'utf8');
const section = (heading: RegExp): string => {
  const start = checklist.search(heading);
  expect(start, String(heading)).toBeGreaterThanOrEqual(0);
  const next = checklist.slice(start + 1).search(/^## /m);
  return next < 0 ? checklist.slice(start) : checklist.slice(start, start + 1 + next);
};

describe('docs/oidc-client-checklist.md', () => {
  it('covers each thing IT must set at the IdP, one section each', () => {
    for (const heading of [
      /^## \d+\. A public client with PKCE$/m,
      /^## \d+\. Exact redirect URIs$/m,
      /^## \d+\. The issuer, exactly$/m,
      /^## \d+\. Every endpoint over https$/m,
      /^## \d+\. Asymmetric ID token signing$/m,
      /^## \d+\. Refresh tokens$/m,
      /^## \d+\. Logout without a confirmation page$/m,
      /^## \d+\. Scopes that release groups$/m,
      /^## \d+\. The generic preset's role claims$/m,
      /^## \d+\. `email_verified` for email row scopes$/m,
    ]) {
      expect(checklist).toMatch(heading);
    }
  });

  it('names the redirect URIs Portico uses, and the fixed-port form with loopbackPort', () => {
    const redirects = section(/^## \d+\. Exact redirect URIs/m);
    expect(redirects).toContain(`\`${WINDOW_REDIRECT_URI}\``);
    expect(redirects).toContain(`\`${POST_LOGOUT_URI}\``);
    expect(redirects).toContain('`http://127.0.0.1:<port>/callback`');
    expect(redirects).toContain('"loopbackPort"');
    expect(redirects).toContain('`OIDC_LOOPBACK_PORT_BUSY`');
  });

  it('says PKCE S256 and the default scopes as the configuration has them', () => {
    expect(section(/^## \d+\. A public client/m)).toContain('`S256`');
    const defaults = oidcProviderConfig.parse({ id: 'x', displayName: 'X', issuer: 'https://idp.example.com', clientId: 'c' });
    expect(section(/^## \d+\. Refresh tokens/m)).toContain(`\`${defaults.scopes.join(' ')}\``);
    expect(defaults.promptConsent).toBe(false);
    expect(section(/^## \d+\. Refresh tokens/m)).toContain('"promptConsent": true');
  });

  it('gives the generic preset’s role claims as the code defines them', () => {
    const claims = section(/^## \d+\. The generic preset's role claims/m);
    for (const claim of PRESET_ROLE_CLAIMS.generic) expect(claims).toContain(`\`${claim}\``);
    expect(claims).toContain('`roleClaims`');
  });

  it('gives the exact issuer form of every preset, and each, filled in, is accepted with its preset', () => {
    const issuers = section(/^## \d+\. The issuer, exactly/m);
    const rows = new Map([...issuers.matchAll(/^\| `([a-z0-9]+)` +\| (.+?) +\|$/gm)].map((m) => [m[1]!, m[2]!] as const));
    expect([...rows.keys()].sort()).toEqual([...OIDC_PRESETS].sort());
    expect(rows.get('auth0')).toMatch(/`https:\/\/<tenant>\.auth0\.com\/`.*\*\*with\*\* the trailing slash/);
    for (const [preset, cell] of rows) {
      const form = /`(https:[^`]+)`/.exec(cell)?.[1];
      if (preset === 'generic') {
        expect(form).toBeUndefined();
        continue;
      }
      const issuer = form!.replace(/<[^>]+>/g, (placeholder) =>
        placeholder === '<tenant-id>' ? 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6' : 'example',
      );
      const parsed = oidcProviderConfig.safeParse({ id: 'x', displayName: 'X', preset, issuer, clientId: 'c' });
      expect(parsed.success, `${preset}: ${issuer}`).toBe(true);
    }
  });

  it('states the limits Portico applies (answer size, clock skew, key set re-fetch)', () => {
    expect(MAX_IDP_BODY_BYTES).toBe(1024 * 1024);
    expect(checklist).toContain('under 1 MiB');
    expect(checklist).toContain(`${CLOCK_TOLERANCE_S} s of difference`);
    expect(checklist).toContain(`at most once every ${JWKS_REFETCH_INTERVAL_MS / 1000} s per provider`);
    expect(checklist).toMatch(/refuses `HS256`/);
  });

  it('names only refusal codes that exist, and each one it names is in troubleshooting.md', () => {
    const troubleshooting = readFileSync(path.join(ROOT, 'docs/troubleshooting.md'), 'utf8');
    const named = [...checklist.matchAll(/`(OIDC_[A-Z_]+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    for (const code of named) {
      expect(Object.keys(OIDC_REFUSALS), code).toContain(code);
      expect(troubleshooting, code).toContain(`| \`${code}\``);
    }
  });

  it('is linked from the README and from the Entra guide', () => {
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('(docs/oidc-client-checklist.md)');
    expect(readFileSync(path.join(ROOT, 'docs/entra-oidc.md'), 'utf8')).toContain('(oidc-client-checklist.md)');
  });
});
