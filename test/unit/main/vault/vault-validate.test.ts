/**
 * parseVaultDocument must decide exactly as the zod schema does, and keep exactly what zod
 * would output: checked here against zod itself on valid records and on every kind of
 * damage to each of their keys.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localUserRecord, throttleRecord, vaultDocument } from '../../../../main/vault/vault-document';
import {
  FAST_THROTTLE_KEYS,
  FAST_USER_KEYS,
  fastPathEnabled,
  isExactThrottleRecord,
  isExactUserRecord,
  parseVaultDocument,
} from '../../../../main/vault/vault-validate';

const user = () => ({
  id: randomUUID(),
  username: 'ada',
  displayName: 'Ada',
  roles: ['admin', 'viewer'],
  groups: ['Sales-EMEA'],
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  disabled: false,
  createdAt: 1,
  updatedAt: 2,
  lastSignInAt: null,
});
const throttle = () => ({ failures: 2, lastFailureAt: 5, blockedUntil: 9, locked: false });

/** Values of every JSON type, and near misses of the valid ones. */
const REPLACEMENTS: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 60,
  '',
  'x',
  'ADA',
  '$argon2i$v=19$m=1,t=1,p=1$a$b',
  '123E4567-E89B-42D3-A456-426614174000',
  '123e4567-e89b-12d3-a456-426614174000',
  '00000000-0000-0000-0000-000000000000',
  [],
  ['admin'],
  ['root'],
  [1],
  ['a', null],
  {},
  { nested: true },
];

/** Each key deleted, replaced by each value, and an extra key added. */
function variants(base: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [base, { ...base, extra: 'x' }];
  for (const key of Object.keys(base)) {
    const without = { ...base };
    delete without[key];
    out.push(without);
    for (const value of REPLACEMENTS) out.push({ ...base, [key]: value });
  }
  return out;
}

/** A fast acceptance must be one zod makes too, with an output equal to the record. */
function expectAgreement(exact: (v: unknown) => boolean, schema: typeof localUserRecord | typeof throttleRecord, value: unknown) {
  const zod = schema.safeParse(value);
  if (exact(value)) {
    expect(zod.success, JSON.stringify(value)).toBe(true);
    expect(zod.data).toEqual(value);
  }
}

describe('parseVaultDocument', () => {
  it('checks every key of the record schemas on its fast path', () => {
    // Fails when a key is added to or removed from a schema: update vault-validate.ts.
    expect([...Object.keys(localUserRecord.shape)].sort()).toEqual([...FAST_USER_KEYS].sort());
    expect([...Object.keys(throttleRecord.shape)].sort()).toEqual([...FAST_THROTTLE_KEYS].sort());
    expect(fastPathEnabled).toEqual({ users: true, throttle: true });
  });

  it('takes the fast path for the records Portico writes', () => {
    expect(isExactUserRecord(user())).toBe(true);
    expect(isExactUserRecord({ ...user(), lastSignInAt: 5, groups: [] })).toBe(true);
    expect(isExactThrottleRecord(throttle())).toBe(true);
  });

  it('never accepts on the fast path what zod refuses or would change (users)', () => {
    const all = variants(user());
    expect(all.length).toBeGreaterThan(200);
    for (const value of all) expectAgreement(isExactUserRecord, localUserRecord, value);
    // Missing or extra keys, and values zod refuses, are refused here too.
    for (const key of FAST_USER_KEYS) {
      const without: Record<string, unknown> = user();
      delete without[key];
      expect(isExactUserRecord(without), key).toBe(false);
    }
    expect(isExactUserRecord({ ...user(), extra: 1 })).toBe(false);
    expect(all.filter((v) => !localUserRecord.safeParse(v).success).some((v) => isExactUserRecord(v))).toBe(false);
  });

  it('never accepts on the fast path what zod refuses or would change (throttle)', () => {
    for (const value of variants(throttle())) expectAgreement(isExactThrottleRecord, throttleRecord, value);
  });

  it('decides every document as vaultDocument.safeParse does, with the same result', () => {
    const documents: unknown[] = [];
    for (const u of variants(user())) {
      documents.push({ version: 1, users: { [String(u.id)]: u, [randomUUID()]: user() }, throttle: {}, secrets: {} });
    }
    for (const t of variants(throttle())) {
      documents.push({ version: 1, users: {}, throttle: { 'user:x': t }, secrets: { a: 'b' } });
    }
    documents.push(
      null,
      [],
      'x',
      { version: 2, users: {}, throttle: {}, secrets: {} },
      { users: {}, throttle: {}, secrets: {} },
      { version: 1, users: [], throttle: {}, secrets: {} },
      { version: 1, users: {}, throttle: null, secrets: {} },
      { version: 1, users: {}, throttle: {}, secrets: { a: 1 } },
      { version: 1, users: {}, throttle: {}, secrets: {}, extra: 'dropped' },
      { version: 1, users: {}, throttle: {}, secrets: {}, auditHead: { seq: 1, hash: 'a'.repeat(64), keyedFrom: 1 } },
      { version: 1, users: {}, throttle: {}, secrets: {}, auditHead: { seq: -1, hash: 'x', keyedFrom: 0 } },
    );
    for (const document of documents) {
      const expected = vaultDocument.safeParse(structuredClone(document));
      const actual = parseVaultDocument(structuredClone(document));
      expect(actual === null, JSON.stringify(document)).toBe(!expected.success);
      if (expected.success) expect(actual).toEqual(expected.data);
    }
  });

  it('fills in what zod fills in: an older record without groups gets groups: []', () => {
    const { groups: _, ...older } = user();
    const doc = parseVaultDocument({ version: 1, users: { [older.id]: older }, throttle: {}, secrets: {} });
    expect(doc?.users[older.id]).toEqual({ ...older, groups: [] });
  });

  it('keeps the parsed records themselves on the fast path (no copy)', () => {
    const record = user();
    const doc = parseVaultDocument({ version: 1, users: { [record.id]: record }, throttle: {}, secrets: {} });
    expect(doc?.users[record.id]).toBe(record);
  });
});
