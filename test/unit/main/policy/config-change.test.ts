/** The configuration-change record: section hashes, what changed, and what is kept in the (real) vault. */
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../main/audit/audit-record';
import {
  CONFIG_HASHES_SECRET,
  changedSections,
  configSectionHashes,
  keptSectionHashes,
  recordConfigurationChange,
} from '../../../../main/policy/config-change';
import { parseConfig } from '../../../../main/policy/load-config';
import { Vault } from '../../../../main/vault/vault';
import { openTestVault } from '../../helpers';

const policy = (value: unknown) => parseConfig([{ source: 'policy.json', kind: 'policy', value }]);

describe('configSectionHashes', () => {
  it('hashes each top-level section of the effective configuration, not $schema', () => {
    const hashes = configSectionHashes(policy({ $schema: './policy.schema.json' }));
    expect(Object.keys(hashes).sort()).toEqual([
      'access',
      'audit',
      'data',
      'localAccounts',
      'providers',
      'security',
      'session',
      'updates',
    ]);
    for (const hash of Object.values(hashes)) expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(configSectionHashes(policy({}))).toEqual(hashes);
  });

  it('does not depend on key order, and changes with any value', () => {
    const a = configSectionHashes(policy({ session: { idleMinutes: 10, absoluteHours: 8 } }));
    const b = configSectionHashes(policy({ session: { absoluteHours: 8, idleMinutes: 10 } }));
    expect(a).toEqual(b);
    const c = configSectionHashes(policy({ session: { idleMinutes: 11, absoluteHours: 8 } }));
    expect(changedSections(a, c)).toEqual(['session']);
  });
});

describe('changedSections', () => {
  it('names changed, added and removed sections, sorted', () => {
    expect(changedSections({ a: '1', b: '2', c: '3' }, { a: '1', b: 'x', d: '4' })).toEqual(['b', 'c', 'd']);
    expect(changedSections({ a: '1' }, { a: '1' })).toEqual([]);
  });
});

describe('recordConfigurationChange', () => {
  it('keeps the hashes silently at first, records a change once, and survives a reopen of the vault', async () => {
    const { vault, dir, protector } = await openTestVault();
    const events: AuditEvent[] = [];
    const append = async (event: AuditEvent) => void events.push(event);
    expect(keptSectionHashes(vault)).toBeNull();
    expect(await recordConfigurationChange(policy({}), vault, append)).toEqual([]);
    expect(events).toEqual([]);
    expect(keptSectionHashes(vault)).toEqual(configSectionHashes(policy({})));

    const reopened = await Vault.open({ dir, protector });
    const changed = policy({ audit: { retentionDays: 30 }, data: { exportAllowed: false } });
    expect(await recordConfigurationChange(changed, reopened, append)).toEqual(['audit', 'data']);
    expect(events).toEqual([
      { actor: null, action: 'admin.settings-changed', outcome: 'success', details: { sections: 'audit,data' } },
    ]);
    expect(await recordConfigurationChange(changed, reopened, append)).toEqual([]);
    expect(events).toHaveLength(1);
  });

  it('keeps the old hashes when the audit record cannot be written, so the change is recorded next time', async () => {
    const { vault } = await openTestVault();
    await recordConfigurationChange(policy({}), vault, async () => undefined);
    const failing = async () => {
      throw new Error('disk full');
    };
    await expect(recordConfigurationChange(policy({ session: { idleMinutes: 5 } }), vault, failing)).rejects.toThrow('disk full');
    expect(keptSectionHashes(vault)).toEqual(configSectionHashes(policy({})));
    const events: AuditEvent[] = [];
    expect(
      await recordConfigurationChange(policy({ session: { idleMinutes: 5 } }), vault, async (e) => void events.push(e)),
    ).toEqual(['session']);
  });

  it('reports every section when the kept value cannot be read', async () => {
    const { vault } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets[CONFIG_HASHES_SECRET] = 'not json';
    });
    const events: AuditEvent[] = [];
    const changed = await recordConfigurationChange(policy({}), vault, async (e) => void events.push(e));
    expect(changed).toHaveLength(8);
    expect(events[0]?.details?.sections).toBe(changed.join(','));
  });
});
