import { describe, expect, it } from 'vitest';
import type { OidcProviderConfig } from '../../../../main/auth/oidc/oidc-config';
import { mappingsSetByPolicy, RoleMappingStore } from '../../../../main/auth/role-mapping';
import { DEFAULT_ROLE_PERMISSIONS } from '../../../../main/auth/roles';
import type { SamlProviderConfig } from '../../../../main/auth/saml/saml-config';
import { Vault } from '../../../../main/vault/vault';
import { openTestVault } from '../../helpers';

// Only the fields the store reads; the full schemas have their own tests.
const saml = {
  id: 'entra',
  displayName: 'Contoso Entra',
  groupRoles: { 'Sales-EMEA': ['viewer'] },
} as unknown as SamlProviderConfig;
const oidc = { id: 'okta', displayName: 'Okta', roleMapping: { Admins: ['admin'] } } as unknown as OidcProviderConfig;
const providers = { saml: [saml], oidc: [oidc] };

describe('RoleMappingStore', () => {
  it('starts from the configured mappings and shows every role with its permissions', async () => {
    const { vault } = await openTestVault();
    const store = new RoleMappingStore(vault, providers, new Set());
    expect(store.mappingFor('entra')).toEqual({ 'Sales-EMEA': ['viewer'] });
    expect(store.mappingFor('okta')).toEqual({ Admins: ['admin'] });
    expect(store.mappingFor('nope')).toBeNull();
    const view = store.view(DEFAULT_ROLE_PERMISSIONS);
    expect(view.providers.map((p) => [p.providerId, p.protocol, p.locked])).toEqual([
      ['entra', 'saml', false],
      ['okta', 'oidc', false],
    ]);
    expect(view.rolePermissions.manager).toEqual(['data.read', 'data.read.pii', 'data.export']);
  });

  it('keeps an admin edit in the vault, across a reopen, without touching other providers', async () => {
    const { vault, dir, protector } = await openTestVault();
    await new RoleMappingStore(vault, providers, new Set()).set('entra', { ' Sales-AMER ': ['manager', 'viewer', 'manager'] });
    const reopened = new RoleMappingStore(await Vault.open({ dir, protector }), providers, new Set());
    expect(reopened.mappingFor('entra')).toEqual({ 'Sales-AMER': ['manager', 'viewer'] });
    expect(reopened.mappingFor('okta')).toEqual({ Admins: ['admin'] });
  });

  it('refuses edits to a provider the machine policy sets (SETTING_LOCKED) and keeps applying the policy mapping', async () => {
    const { vault } = await openTestVault();
    const store = new RoleMappingStore(vault, providers, new Set(['entra']));
    await expect(store.set('entra', { Everyone: ['admin'] })).rejects.toMatchObject({ code: 'SETTING_LOCKED' });
    expect(store.mappingFor('entra')).toEqual({ 'Sales-EMEA': ['viewer'] });
    expect(store.view(DEFAULT_ROLE_PERMISSIONS).providers.find((p) => p.providerId === 'entra')?.locked).toBe(true);
    // The policy does not set okta's mapping: still editable.
    await store.set('okta', { Admins: ['analyst'] });
    expect(store.mappingFor('okta')).toEqual({ Admins: ['analyst'] });
  });

  it('ignores an edit kept from before a policy locked the provider', async () => {
    const { vault } = await openTestVault();
    await new RoleMappingStore(vault, providers, new Set()).set('entra', { Everyone: ['admin'] });
    expect(new RoleMappingStore(vault, providers, new Set(['entra'])).mappingFor('entra')).toEqual({ 'Sales-EMEA': ['viewer'] });
  });

  it('refuses an unknown provider and treats a damaged vault entry as no edits', async () => {
    const { vault } = await openTestVault();
    const store = new RoleMappingStore(vault, providers, new Set());
    await expect(store.set('ghost', { A: ['viewer'] })).rejects.toMatchObject({ code: 'UNKNOWN_PROVIDER' });
    await vault.update((doc) => {
      doc.secrets['settings:role-mapping'] = '{"entra": {"Everyone": ["superuser"]}}';
    });
    expect(store.mappingFor('entra')).toEqual({ 'Sales-EMEA': ['viewer'] });
  });
});

describe('mappingsSetByPolicy', () => {
  const policy = (value: unknown) => ({ source: 'policy.json', kind: 'policy' as const, value });

  it('locks a provider whose mapping the policy sets, not one whose mapping it leaves out', () => {
    const ids = mappingsSetByPolicy([
      policy({
        providers: {
          saml: [{ id: 'entra', groupRoles: { Admins: ['admin'] } }, { id: 'okta-saml' }],
          oidc: [{ id: 'google', roleMapping: {} }, { id: 'keycloak' }],
        },
      }),
    ]);
    expect([...ids].sort()).toEqual(['entra', 'google']);
  });

  it('ignores a person’s own layer and malformed entries', () => {
    const user = { source: 'config.json', kind: 'user' as const, value: { providers: { saml: [{ id: 'x', groupRoles: {} }] } } };
    expect(mappingsSetByPolicy([user, policy({ providers: { saml: 'nope', oidc: [null, 7, { roleMapping: {} }] } })])).toEqual(
      new Set(),
    );
  });
});
