/**
 * Which IdP groups give which Portico roles, per provider. The configured mapping is the
 * default; an admin (admin.roles) may replace it from the Roles screen, and the edit is kept
 * in the encrypted vault. A mapping that IT's machine policy sets itself (the provider's
 * `groupRoles` / `roleMapping` key) is locked: shown read-only, changes refused
 * (SETTING_LOCKED), so policy always wins. Providers come only from the policy, so the lock
 * follows the mapping key, not the provider: IT that leaves the mapping out leaves it to
 * Portico's administrators.
 */
import { z } from 'zod';
import { LOCAL_ROLES, type LocalRole, type ProviderRoleMapping, type RoleMappingView } from '../../preload/contract';
import { AppError } from '../errors';
import { isPlainObject, type ConfigLayer } from '../policy/load-config';
import type { Vault } from '../vault/vault';
import type { OidcProviderConfig } from './oidc/oidc-config';
import type { RolePermissions } from './roles';
import type { SamlProviderConfig } from './saml/saml-config';

const SECRET = 'settings:role-mapping';
const stored = z.record(z.string(), z.record(z.string(), z.array(z.enum(LOCAL_ROLES))));

export type GroupRoles = Record<string, LocalRole[]>;

export class RoleMappingStore {
  constructor(
    private readonly vault: Vault,
    private readonly providers: { saml: readonly SamlProviderConfig[]; oidc: readonly OidcProviderConfig[] },
    /** Ids of the providers whose mapping the machine policy sets (mappingsSetByPolicy). */
    private readonly lockedProviders: ReadonlySet<string>,
  ) {}

  /** The mapping in force for a provider, or null for an unknown provider. */
  mappingFor(providerId: string): GroupRoles | null {
    const provider = this.find(providerId);
    if (!provider) return null;
    if (this.isLocked(provider)) return provider.mapping;
    return this.edits()[providerId] ?? provider.mapping;
  }

  view(rolePermissions: RolePermissions): RoleMappingView {
    const providers: ProviderRoleMapping[] = this.all().map((p) => ({
      providerId: p.id,
      displayName: p.displayName,
      protocol: p.protocol,
      mapping: this.mappingFor(p.id) ?? {},
      locked: this.isLocked(p),
    }));
    const permissions = Object.fromEntries(LOCAL_ROLES.map((role) => [role, [...rolePermissions[role]]]));
    return { providers, rolePermissions: permissions as RoleMappingView['rolePermissions'] };
  }

  async set(providerId: string, mapping: GroupRoles): Promise<void> {
    const provider = this.find(providerId);
    if (!provider) throw new AppError('UNKNOWN_PROVIDER', 'That identity provider is not configured.');
    if (this.isLocked(provider)) {
      throw new AppError(
        'SETTING_LOCKED',
        `The role mapping for ${provider.displayName} is set by your administrator and cannot be changed here.`,
      );
    }
    const clean: GroupRoles = {};
    for (const [group, roles] of Object.entries(mapping)) clean[group.trim()] = [...new Set(roles)].sort();
    await this.vault.update((doc) => {
      const edits = parseEdits(doc.secrets[SECRET]);
      edits[providerId] = clean;
      doc.secrets[SECRET] = JSON.stringify(edits);
    });
  }

  private edits(): Record<string, GroupRoles> {
    return parseEdits(this.vault.read().secrets[SECRET]);
  }

  private isLocked(provider: { id: string }): boolean {
    return this.lockedProviders.has(provider.id);
  }

  private all() {
    return [
      ...this.providers.saml.map((p) => ({
        id: p.id,
        displayName: p.displayName,
        protocol: 'saml' as const,
        mapping: p.groupRoles,
      })),
      ...this.providers.oidc.map((p) => ({
        id: p.id,
        displayName: p.displayName,
        protocol: 'oidc' as const,
        mapping: p.roleMapping,
      })),
    ];
  }

  private find(providerId: string) {
    return this.all().find((p) => p.id === providerId) ?? null;
  }
}

/** The mapping key of each protocol's provider entries. */
const MAPPING_KEYS = { saml: 'groupRoles', oidc: 'roleMapping' } as const;

/** Ids of the providers whose group-to-role mapping a policy layer sets itself (those are locked). */
export function mappingsSetByPolicy(layers: readonly ConfigLayer[]): Set<string> {
  const ids = new Set<string>();
  for (const layer of layers) {
    if (layer.kind !== 'policy' || !isPlainObject(layer.value) || !isPlainObject(layer.value.providers)) continue;
    for (const [protocol, key] of Object.entries(MAPPING_KEYS)) {
      const entries = layer.value.providers[protocol];
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        if (isPlainObject(entry) && typeof entry.id === 'string' && Object.hasOwn(entry, key)) ids.add(entry.id);
      }
    }
  }
  return ids;
}

/** A damaged entry counts as no edits: the configured mappings apply, as if none were made. */
function parseEdits(raw: string | undefined): Record<string, GroupRoles> {
  if (!raw) return {};
  try {
    const parsed = stored.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
