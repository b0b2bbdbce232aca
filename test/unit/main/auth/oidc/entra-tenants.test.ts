/**
 * Multi-tenant Microsoft Entra ID, the pure parts: which issuers are multi-tenant and their
 * template, the issuer expected from an ID token's own tid (and the refusals: no tid, a tid that is
 * not a GUID, an iss that is not its tid's), allowedTenants, and the configuration rules.
 */
import { describe, expect, it } from 'vitest';
import {
  checkTenantAllowed,
  checkTenantIssParameter,
  CONSUMERS_TENANT_ID,
  expectedTenantIssuer,
  isConsumersIssuer,
  isTenantId,
  multiTenantTemplate,
  tenantIssuer,
  tenantOfIssuer,
  unverifiedClaims,
} from '../../../../../main/auth/oidc/entra-tenants';
import { entraTenantTemplate, oidcConfigWarnings, oidcProviderConfig } from '../../../../../main/auth/oidc/oidc-config';
import { OidcError, type OidcRefusal } from '../../../../../main/auth/oidc/oidc-errors';
import { discoveryProblem, providerTargets } from '../../../../../main/diagnostics/provider-checks';

const MS = 'https://login.microsoftonline.com';
const TEMPLATE = `${MS}/{tenantid}/v2.0`;
const CONTOSO = 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6';
const FABRIKAM = 'c0ffee00-0000-4000-8000-0000000000aa';

/** An unsigned compact JWT with these claims (the helpers never look at the signature). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k1' })}.${part(claims)}.c2lnbmF0dXJl`;
}

function refusalOf(work: () => unknown): OidcRefusal {
  try {
    work();
  } catch (error) {
    if (error instanceof OidcError) return error.code;
    throw error;
  }
  throw new Error('expected an OidcError');
}

describe('multi-tenant issuers', () => {
  it('organizations and common (v2.0) have the {tenantid} template of their own origin', () => {
    expect(multiTenantTemplate(`${MS}/organizations/v2.0`)).toBe(TEMPLATE);
    expect(multiTenantTemplate(`${MS}/common/v2.0`)).toBe(TEMPLATE);
    expect(multiTenantTemplate(`${MS}/common/v2.0/`)).toBe(`${TEMPLATE}/`);
    expect(multiTenantTemplate('https://login.microsoftonline.us/organizations/v2.0')).toBe(
      'https://login.microsoftonline.us/{tenantid}/v2.0',
    );
    expect(multiTenantTemplate('http://127.0.0.1:4000/organizations/v2.0')).toBe('http://127.0.0.1:4000/{tenantid}/v2.0');
  });

  it('a tenant issuer, consumers, v1, other paths, a query: not multi-tenant', () => {
    for (const issuer of [
      `${MS}/${CONTOSO}/v2.0`,
      `${MS}/consumers/v2.0`,
      `${MS}/organizations`,
      `${MS}/common/`,
      `${MS}/organizations/v2.0/extra`,
      `${MS}/x/organizations/v2.0`,
      `${MS}/organizations/v2.0?p=1`,
      'https://sts.windows.net/common/',
    ]) {
      expect(multiTenantTemplate(issuer), issuer).toBeNull();
    }
  });

  it('consumers is recognized (refused by the configuration)', () => {
    expect(isConsumersIssuer(`${MS}/consumers/v2.0`)).toBe(true);
    expect(isConsumersIssuer(`${MS}/organizations/v2.0`)).toBe(false);
    expect(isTenantId(CONSUMERS_TENANT_ID)).toBe(true);
  });

  it('tenant ids are GUIDs, any case', () => {
    expect(isTenantId(CONTOSO)).toBe(true);
    expect(isTenantId(CONTOSO.toUpperCase())).toBe(true);
    for (const value of ['organizations', 'common', '', `${CONTOSO}/x`, `${CONTOSO} `, 'x'.repeat(36), 42, null, undefined]) {
      expect(isTenantId(value), String(value)).toBe(false);
    }
    expect(tenantIssuer(TEMPLATE, CONTOSO)).toBe(`${MS}/${CONTOSO}/v2.0`);
  });
});

describe('the issuer expected from an ID token', () => {
  it('iss must be the template with the token’s own tid', () => {
    const token = jwt({ iss: `${MS}/${CONTOSO}/v2.0`, tid: CONTOSO, sub: 's' });
    expect(expectedTenantIssuer(token, TEMPLATE)).toEqual({ tenantId: CONTOSO, issuer: `${MS}/${CONTOSO}/v2.0` });
  });

  it('no tid (absent, null, empty): OIDC_TENANT_MISSING', () => {
    for (const tid of [undefined, null, '']) {
      expect(refusalOf(() => expectedTenantIssuer(jwt({ iss: `${MS}/${CONTOSO}/v2.0`, tid }), TEMPLATE))).toBe(
        'OIDC_TENANT_MISSING',
      );
    }
  });

  it('a tid that is not a GUID, even with the matching iss: OIDC_TENANT_INVALID', () => {
    for (const tid of ['organizations', '../evil', 'evil.example/x', 7, [CONTOSO], `${CONTOSO}#`]) {
      const iss = typeof tid === 'string' ? `${MS}/${tid}/v2.0` : TEMPLATE;
      expect(
        refusalOf(() => expectedTenantIssuer(jwt({ iss, tid }), TEMPLATE)),
        JSON.stringify(tid),
      ).toBe('OIDC_TENANT_INVALID');
    }
  });

  it('iss of another tenant, the template itself, a missing iss, or another case: OIDC_TENANT_ISSUER', () => {
    for (const iss of [
      `${MS}/${FABRIKAM}/v2.0`,
      TEMPLATE,
      undefined,
      `${MS}/${CONTOSO.toUpperCase()}/v2.0`,
      `${MS}/${CONTOSO}/v2.0/`,
    ]) {
      expect(
        refusalOf(() => expectedTenantIssuer(jwt({ iss, tid: CONTOSO }), TEMPLATE)),
        String(iss),
      ).toBe('OIDC_TENANT_ISSUER');
    }
  });

  it('not a readable JWT: OIDC_ID_TOKEN', () => {
    for (const token of ['', 'a.b', 'a.b.c.d', `x.${Buffer.from('[1]').toString('base64url')}.y`, 'x.!!!.y']) {
      expect(
        refusalOf(() => unverifiedClaims(token)),
        token,
      ).toBe('OIDC_ID_TOKEN');
    }
  });
});

describe('allowedTenants', () => {
  it('unset: any tenant; set: only those (case-insensitive)', () => {
    expect(() => checkTenantAllowed(FABRIKAM, undefined)).not.toThrow();
    expect(() => checkTenantAllowed(CONTOSO.toUpperCase(), [CONTOSO])).not.toThrow();
    expect(refusalOf(() => checkTenantAllowed(FABRIKAM, [CONTOSO]))).toBe('OIDC_TENANT_NOT_ALLOWED');
  });

  it('the refusal tells the user what to do and IT which tenant to add', () => {
    let message = '';
    try {
      checkTenantAllowed(FABRIKAM, [CONTOSO]);
    } catch (error) {
      message = (error as OidcError).toAppError().message;
    }
    expect(message).toContain('not allowed to sign in to Portico');
    expect(message).toContain(`tenant ID ${FABRIKAM}`);
    expect(message).toContain('"allowedTenants"');
    expect(message).toMatch(/\(OIDC_TENANT_NOT_ALLOWED\)$/);
  });
});

describe('configuration', () => {
  const base = { id: 'entra', displayName: 'Contoso', preset: 'entra', clientId: 'app-id' } as const;

  it('allowedTenants: lower-cased, multi-tenant entra only', () => {
    const parsed = oidcProviderConfig.parse({
      ...base,
      issuer: `${MS}/organizations/v2.0`,
      allowedTenants: [CONTOSO.toUpperCase(), FABRIKAM],
    });
    expect(parsed.allowedTenants).toEqual([CONTOSO, FABRIKAM]);
    expect(entraTenantTemplate(parsed)).toBe(TEMPLATE);
    expect(oidcConfigWarnings(parsed)).toEqual([]);
    const refused = [
      { ...base, issuer: `${MS}/${CONTOSO}/v2.0`, allowedTenants: [CONTOSO] },
      { ...base, preset: 'generic', issuer: `${MS}/organizations/v2.0`, allowedTenants: [CONTOSO] },
      { ...base, issuer: `${MS}/common/v2.0`, allowedTenants: ['contoso.onmicrosoft.com'] },
      { ...base, issuer: `${MS}/common/v2.0`, allowedTenants: [] },
    ];
    for (const input of refused) expect(oidcProviderConfig.safeParse(input).success, JSON.stringify(input)).toBe(false);
  });

  it('multi-tenant without allowedTenants: accepted, with a warning for the log', () => {
    const parsed = oidcProviderConfig.parse({ ...base, issuer: `${MS}/common/v2.0` });
    expect(parsed.allowedTenants).toBeUndefined();
    expect(oidcConfigWarnings(parsed)).toEqual([expect.stringContaining('accounts of ANY organization can sign in')]);
    // The same issuer with another preset is not multi-tenant (its discovery will be refused).
    const generic = oidcProviderConfig.parse({ ...base, preset: 'generic', issuer: `${MS}/common/v2.0` });
    expect(entraTenantTemplate(generic)).toBeNull();
    expect(oidcConfigWarnings(generic)).toEqual([]);
    // A single tenant: no template, no warning.
    expect(oidcConfigWarnings(oidcProviderConfig.parse({ ...base, issuer: `${MS}/${CONTOSO}/v2.0` }))).toEqual([]);
  });

  it('consumers (personal accounts) is refused for the entra preset, with the reason', () => {
    const result = oidcProviderConfig.safeParse({ ...base, issuer: `${MS}/consumers/v2.0` });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('Personal Microsoft accounts (/consumers) are not supported');
  });

  it('emailRoles with any tenant is refused (any organization can issue any address); with allowedTenants accepted', () => {
    const emailRoles = { '@corp.example': ['viewer'] };
    expect(oidcProviderConfig.safeParse({ ...base, issuer: `${MS}/organizations/v2.0`, emailRoles }).success).toBe(false);
    expect(
      oidcProviderConfig.safeParse({ ...base, issuer: `${MS}/organizations/v2.0`, emailRoles, allowedTenants: [CONTOSO] })
        .success,
    ).toBe(true);
    expect(oidcProviderConfig.safeParse({ ...base, issuer: `${MS}/${CONTOSO}/v2.0`, emailRoles }).success).toBe(true);
  });
});

describe('RFC 9207 iss parameter for a multi-tenant issuer (before the code is redeemed)', () => {
  const callback = (iss?: string) =>
    `http://127.0.0.1/callback?code=c&state=s${iss === undefined ? '' : `&iss=${encodeURIComponent(iss)}`}`;

  it('some tenant’s issuer: accepted (matched to the token’s tenant later)', () => {
    expect(tenantOfIssuer(`${MS}/${FABRIKAM}/v2.0`, TEMPLATE)).toBe(FABRIKAM);
    expect(() => checkTenantIssParameter(callback(`${MS}/${CONTOSO}/v2.0`), TEMPLATE, true)).not.toThrow();
  });

  it('none: accepted unless discovery says the IdP sends it', () => {
    expect(() => checkTenantIssParameter(callback(), TEMPLATE, false)).not.toThrow();
    expect(refusalOf(() => checkTenantIssParameter(callback(), TEMPLATE, true))).toBe('OIDC_ISSUER');
  });

  it('the template, the multi-tenant issuer, a non-GUID tenant, another origin or path: OIDC_ISSUER', () => {
    for (const iss of [
      TEMPLATE,
      `${MS}/organizations/v2.0`,
      `${MS}/evil/v2.0`,
      `${MS}//v2.0`,
      `https://evil.example/${CONTOSO}/v2.0`,
      `${MS}/${CONTOSO}/v2.0/x`,
      `${MS}/${CONTOSO}/v2.0${MS}/${CONTOSO}/v2.0`,
    ]) {
      expect(tenantOfIssuer(iss, TEMPLATE), iss).toBeNull();
      expect(
        refusalOf(() => checkTenantIssParameter(callback(iss), TEMPLATE, false)),
        iss,
      ).toBe('OIDC_ISSUER');
    }
  });
});

describe('diagnostics (main/diagnostics/provider-checks)', () => {
  it('expects the {tenantid} template in the discovery document of a multi-tenant entra provider only', () => {
    const providers = [
      { id: 'multi', displayName: 'M', preset: 'entra', issuer: `${MS}/organizations/v2.0`, clientId: 'a' },
      { id: 'single', displayName: 'S', preset: 'entra', issuer: `${MS}/${CONTOSO}/v2.0`, clientId: 'a' },
      { id: 'generic', displayName: 'G', preset: 'generic', issuer: `${MS}/common/v2.0`, clientId: 'a' },
    ].map((p) => oidcProviderConfig.parse(p));
    const targets = providerTargets({ providers: { saml: [], oidc: providers } } as unknown as Parameters<
      typeof providerTargets
    >[0]);
    expect(targets.map((t) => [t.url, t.issuer])).toEqual([
      [`${MS}/organizations/v2.0/.well-known/openid-configuration`, TEMPLATE],
      [`${MS}/${CONTOSO}/v2.0/.well-known/openid-configuration`, `${MS}/${CONTOSO}/v2.0`],
      [`${MS}/common/v2.0/.well-known/openid-configuration`, `${MS}/common/v2.0`],
    ]);
    const document = (issuer: string) =>
      JSON.stringify({ issuer, authorization_endpoint: 'a', token_endpoint: 't', jwks_uri: 'j' });
    expect(discoveryProblem(document(TEMPLATE), targets[0]!.issuer!)).toBeNull();
    expect(discoveryProblem(document(TEMPLATE), targets[2]!.issuer!)).toMatch(/must match exactly/);
  });
});
