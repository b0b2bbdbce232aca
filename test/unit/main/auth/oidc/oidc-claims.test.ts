import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../main/errors';
import { oidcProviderConfig } from '../../../../../main/auth/oidc/oidc-config';
import { claimValues, hasGroupOverage, rolesFromClaims } from '../../../../../main/auth/oidc/oidc-claims';

const base = { id: 'idp', displayName: 'IdP', issuer: 'https://idp.example.com', clientId: 'portico-desktop' };

function rolesOf(config: Record<string, unknown>, claims: Record<string, unknown>) {
  return rolesFromClaims(claims, oidcProviderConfig.parse({ ...base, ...config }), 'Someone');
}

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

describe('claimValues', () => {
  it('reads dot paths, arrays and wildcards, ignoring non-strings and prototype names', () => {
    const claims = { a: { b: ['x', 1, 'y'] }, tenants: { T1: { roles: ['r1'] }, T2: { roles: 'r2' } } };
    expect(claimValues(claims, 'a.b')).toEqual(['x', 'y']);
    expect(claimValues(claims, 'tenants.*.roles')).toEqual(['r1', 'r2']);
    expect(claimValues(claims, 'a.constructor')).toEqual([]);
    expect(claimValues(claims, 'missing.path')).toEqual([]);
  });
});

describe('rolesFromClaims per preset', () => {
  it('Entra: app roles and group ids', () => {
    expect(rolesOf({ preset: 'entra', roleMapping: { 'Portico.Admin': ['admin'] } }, { roles: ['Portico.Admin'] })).toEqual([
      'admin',
    ]);
    expect(rolesOf({ preset: 'entra', roleMapping: { 'AAAA-1': ['viewer'] } }, { groups: ['aaaa-1'] })).toEqual(['viewer']);
  });

  it('Keycloak: realm roles and this client’s roles', () => {
    const claims = {
      realm_access: { roles: ['portico-admin'] },
      resource_access: { 'portico-desktop': { roles: ['analyst'] }, other: { roles: ['viewer'] } },
    };
    expect(
      rolesOf(
        { preset: 'keycloak', roleMapping: { 'portico-admin': ['admin'], analyst: ['analyst'], viewer: ['viewer'] } },
        claims,
      ),
    ).toEqual(['admin', 'analyst']);
  });

  it('Descope: top-level and per-tenant roles', () => {
    const claims = { roles: ['viewer-role'], tenants: { T1: { roles: ['admin-role'] } } };
    expect(rolesOf({ preset: 'descope', roleMapping: { 'viewer-role': ['viewer'], 'admin-role': ['admin'] } }, claims)).toEqual([
      'admin',
      'viewer',
    ]);
  });

  it('Auth0: a namespaced claim configured as roleClaims', () => {
    const config = { preset: 'auth0', roleClaims: ['https://portico.example/roles'], roleMapping: { admin: ['admin'] } };
    expect(rolesOf(config, { 'https://portico.example/roles': ['admin'] })).toEqual(['admin']);
  });

  it('Google: by verified email or domain only', () => {
    const config = { preset: 'google', emailRoles: { '@corp.example': ['viewer'], 'boss@corp.example': ['admin'] } };
    expect(rolesOf(config, { email: 'boss@corp.example', email_verified: true })).toEqual(['admin', 'viewer']);
    expect(errorOf(() => rolesOf(config, { email: 'boss@corp.example', email_verified: false })).code).toBe('SSO_NO_ROLES');
  });

  it('Entra group overage (hasgroups or _claim_names) gives the admin message, not an empty account', () => {
    const config = { preset: 'entra', roleMapping: { 'g-1': ['viewer'] } };
    for (const claims of [
      { hasgroups: true },
      { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'x' } } },
    ]) {
      expect(hasGroupOverage(claims)).toBe(true);
      const error = errorOf(() => rolesOf(config, claims));
      expect(error.code).toBe('SSO_GROUP_OVERAGE');
      expect(error.message).toContain('Groups assigned to the application');
    }
  });

  it('no mapped role: refused with what to ask for', () => {
    expect(errorOf(() => rolesOf({ preset: 'okta', roleMapping: { a: ['admin'] } }, { groups: ['b'] })).message).toContain(
      'none of your groups or roles',
    );
  });
});

describe('oidcProviderConfig', () => {
  it('forces Google to the system browser and uses its scopes', () => {
    const google = oidcProviderConfig.parse({ ...base, preset: 'google', issuer: 'https://accounts.google.com', mode: 'window' });
    expect(google.mode).toBe('system-browser');
    expect(google.scopes).not.toContain('offline_access');
  });

  it('fills Keycloak’s client role path with the client id', () => {
    expect(oidcProviderConfig.parse({ ...base, preset: 'keycloak' }).roleClaims).toEqual([
      'realm_access.roles',
      'resource_access.portico-desktop.roles',
    ]);
  });

  it('refuses plain http except on loopback', () => {
    expect(oidcProviderConfig.safeParse({ ...base, issuer: 'http://idp.example.com' }).success).toBe(false);
    expect(oidcProviderConfig.safeParse({ ...base, issuer: 'http://127.0.0.1:8080' }).success).toBe(true);
  });
});
