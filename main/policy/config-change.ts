/**
 * Records changes of the effective configuration in the audit log: at each start, a SHA-256
 * of each top-level section (canonical JSON of the parsed configuration, defaults included)
 * is compared with the hashes kept in the vault from the previous start. When any differ,
 * `admin.settings-changed` names the sections that changed (never values: they may hold
 * client secrets or private keys), then the new hashes are kept.
 *
 * The first start on a profile (nothing kept yet) keeps the hashes without a record: there
 * is no earlier configuration to differ from, and `app.start` already marks the start. A
 * new Portico version whose defaults differ is a change too, and is recorded as one.
 *
 * The hashes live in the vault (encrypted and authenticated), so they cannot be reset by
 * editing a file to hide a change.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../audit/audit-record';
import type { AuditEvent } from '../audit/audit-record';
import type { Vault } from '../vault/vault';
import type { PorticoConfig } from './config-schema';

/** The vault entry (in `secrets`, beside the role-mapping edits) holding the kept hashes. */
export const CONFIG_HASHES_SECRET = 'settings:configuration-hashes';

const kept = z.object({ version: z.literal(1), sections: z.record(z.string(), z.string()) });

export type SectionHashes = Record<string, string>;

/** SHA-256 (hex) of each top-level section of the effective configuration; `$schema` is not a setting. */
export function configSectionHashes(config: PorticoConfig): SectionHashes {
  const hashes: SectionHashes = {};
  for (const [section, value] of Object.entries(config)) {
    if (section === '$schema' || value === undefined) continue;
    hashes[section] = createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
  }
  return hashes;
}

/** The sections whose hash differs, was added or was removed, sorted. */
export function changedSections(previous: SectionHashes, current: SectionHashes): string[] {
  const names = new Set([...Object.keys(previous), ...Object.keys(current)]);
  return [...names].filter((name) => previous[name] !== current[name]).sort();
}

/** The hashes kept at the last start, or null when none were (or they cannot be read). */
export function keptSectionHashes(vault: Vault): SectionHashes | null {
  const text = vault.read().secrets[CONFIG_HASHES_SECRET];
  if (text === undefined) return null;
  try {
    const parsed = kept.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.sections : {};
  } catch {
    // Unreadable kept hashes (cannot happen short of a bug): compare as if every section changed.
    return {};
  }
}

/**
 * Compares the effective configuration with the kept one; when it changed, appends the audit
 * record first and keeps the new hashes after (a failed append keeps the old hashes, so the
 * change is recorded at the next start). Returns the changed sections.
 */
export async function recordConfigurationChange(
  config: PorticoConfig,
  vault: Vault,
  append: (event: AuditEvent) => Promise<unknown>,
): Promise<string[]> {
  const current = configSectionHashes(config);
  const previous = keptSectionHashes(vault);
  const changed = previous === null ? [] : changedSections(previous, current);
  if (changed.length > 0) {
    await append({ actor: null, action: 'admin.settings-changed', outcome: 'success', details: { sections: changed.join(',') } });
  }
  if (previous === null || changed.length > 0) {
    await vault.update((doc) => {
      doc.secrets[CONFIG_HASHES_SECRET] = JSON.stringify({ version: 1, sections: current });
    });
  }
  return changed;
}
