import { describe, expect, it } from 'vitest';
import type { ConfigLayer } from '../../../../main/policy/load-config';
import { isLocked, leafKeys, lockedKeys, lockedUnder } from '../../../../main/policy/locked-keys';

const policy = (value: unknown): ConfigLayer => ({ source: '/etc/portico/policy.json', value, kind: 'policy' });
const user = (value: unknown): ConfigLayer => ({ source: 'config.json', value, kind: 'user' });

describe('lockedKeys', () => {
  it('returns the leaves the policy sets, as sorted dot paths; arrays are leaves', () => {
    const layers = [
      user({ session: { idleMinutes: 30 }, security: { externalUrlAllowList: ['https://a.test/'] } }),
      policy({
        $schema: './portico.schema.json',
        localAccounts: { enabled: false, argon2: { memoryKiB: 65536 } },
        providers: { oidc: [{ id: 'corp', roleMapping: { admins: ['admin'] } }] },
        session: { persistSession: false, absoluteHours: 8 },
        security: { allowWeakKeyStorage: false },
      }),
    ];
    expect(lockedKeys(layers)).toEqual([
      'localAccounts.argon2.memoryKiB',
      'localAccounts.enabled',
      'providers.oidc',
      'security.allowWeakKeyStorage',
      'session.absoluteHours',
      'session.persistSession',
    ]);
  });

  it('locks nothing from user layers or from layers without a kind', () => {
    expect(
      lockedKeys([user({ session: { idleMinutes: 5 } }), { source: 'x.json', value: { session: { idleMinutes: 5 } } }]),
    ).toEqual([]);
  });

  it('works for any key, including ones the schema gains later (datasets, export, audit)', () => {
    const keys = lockedKeys([
      policy({ data: { datasets: { sales: { file: 'sales.parquet' } }, exportAllowed: false }, audit: { retentionDays: 365 } }),
    ]);
    expect(keys).toEqual(['audit.retentionDays', 'data.datasets.sales.file', 'data.exportAllowed']);
  });

  it('merges several policy layers; an empty object locks nothing (it sets nothing)', () => {
    expect(lockedKeys([policy({ session: {} }), policy({ localAccounts: { enabled: false } })])).toEqual([
      'localAccounts.enabled',
    ]);
  });

  it('locks a key set to null or to an empty array (IT said "none")', () => {
    expect(leafKeys({ security: { externalUrlAllowList: [] }, x: null })).toEqual(['security.externalUrlAllowList', 'x']);
  });
});

describe('isLocked', () => {
  const locked = ['localAccounts.enabled', 'providers.oidc', 'session.persistSession'];

  it.each([
    ['the key itself', 'session.persistSession', true],
    ['a key inside a locked array', 'providers.oidc.0.clientId', true],
    ['an ancestor of a locked key', 'session', true],
    ['the root', '', true],
    ['a sibling', 'session.idleMinutes', false],
    ['a sibling array', 'providers.saml', false],
    ['a key sharing a prefix but not a segment', 'session.persist', false],
    ['a longer name sharing a prefix', 'localAccounts.enabledX', false],
    ['an unrelated section', 'security.allowWeakKeyStorage', false],
  ])('%s: %s → %s', (_label, path, expected) => {
    expect(isLocked(locked, path)).toBe(expected);
  });

  it('takes a path as segments too, and a Set of locked keys', () => {
    expect(isLocked(new Set(locked), ['providers', 'oidc', '1'])).toBe(true);
    expect(isLocked(new Set<string>(), 'session')).toBe(false);
    expect(isLocked([], '')).toBe(false);
  });
});

describe('lockedUnder', () => {
  it('lists the locked keys of one section', () => {
    expect(lockedUnder(['session.idleMinutes', 'session.persistSession', 'sessions.x'], 'session')).toEqual([
      'session.idleMinutes',
      'session.persistSession',
    ]);
  });
});
