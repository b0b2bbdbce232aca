import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AuditEventError,
  auditRecordSchema,
  canonicalJson,
  capText,
  GENESIS_HASH,
  GENESIS_HEAD,
  MAX_ACTOR_LENGTH,
  MAX_DETAIL_STRING_LENGTH,
  normaliseEvent,
  recordHash,
  sealRecord,
  serializeRecord,
  type AuditEvent,
} from '../../../../main/audit/audit-record';
import { T0 } from './audit-fixtures';

const base: AuditEvent = { actor: 'alice', action: 'auth.sign-in', outcome: 'success' };

describe('canonical JSON', () => {
  it('sorts keys at every level, has no whitespace and skips undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: true, c: null }, u: undefined, s: 'x"y' })).toBe(
      '{"a":{"c":null,"d":true},"b":1,"s":"x\\"y"}',
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
  });

  it('refuses values JSON cannot hold faithfully', () => {
    expect(() => canonicalJson({ n: NaN })).toThrow(AuditEventError);
    expect(() => canonicalJson({ n: Infinity })).toThrow(AuditEventError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(AuditEventError);
  });
});

describe('sealing a record', () => {
  it('hashes prev followed by the canonical record without its hash; the first prev is 64 zeros', () => {
    const record = sealRecord(GENESIS_HEAD, normaliseEvent({ ...base, target: 'alice', details: { provider: 'local' } }), T0);
    expect(record).toMatchObject({ seq: 1, at: '2026-01-05T09:00:00.000Z', prev: GENESIS_HASH });
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
    const { hash, ...body } = record;
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonicalJson(body))
      .digest('hex');
    expect(hash).toBe(expected);
    expect(recordHash(record)).toBe(hash);
    expect(auditRecordSchema.parse(JSON.parse(serializeRecord(record)))).toEqual(record);
  });

  it('omits absent target and details instead of writing null', () => {
    const record = sealRecord(GENESIS_HEAD, normaliseEvent({ ...base, details: {} }), T0);
    expect(serializeRecord(record)).not.toContain('target');
    expect(serializeRecord(record)).not.toContain('details');
  });

  it('chains the next record to the previous hash', () => {
    const first = sealRecord(GENESIS_HEAD, base, T0);
    const second = sealRecord({ seq: first.seq, hash: first.hash }, base, T0);
    expect(second).toMatchObject({ seq: 2, prev: first.hash });
    expect(second.hash).not.toBe(first.hash);
  });
});

describe('events refused or normalised before logging', () => {
  it.each([
    'password',
    'newPassword',
    'PASSWORD_HASH',
    'accessToken',
    'refresh_token',
    'clientSecret',
    'passwordHash',
    'samlAssertion',
    'code',
    'authCode',
    'Cookie',
    'apiKey',
    'privateKey',
    'credential',
  ])('refuses a secret-looking detail key: %s', (key) => {
    expect(() => normaliseEvent({ ...base, details: { [key]: 'x' } })).toThrow(/looks like a secret/);
  });

  it('refuses values that are tokens or keys whatever their key', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln';
    expect(() => normaliseEvent({ ...base, details: { note: jwt } })).toThrow(AuditEventError);
    expect(() => normaliseEvent({ ...base, details: { note: '-----BEGIN PRIVATE KEY-----\nMII' } })).toThrow(AuditEventError);
  });

  it('refuses nested, array, undefined and non-finite detail values', () => {
    const bad: unknown[] = [{ a: 1 }, [1], undefined, NaN, Infinity, 10n];
    for (const value of bad) {
      expect(() => normaliseEvent({ ...base, details: { v: value as never } })).toThrow(AuditEventError);
    }
  });

  it('refuses detail keys that are not plain identifiers, and too many keys', () => {
    for (const key of ['__proto__', 'has space', '', '1st', 'a'.repeat(65)]) {
      const details = JSON.parse(`{${JSON.stringify(key)}:1}`) as Record<string, number>;
      expect(() => normaliseEvent({ ...base, details })).toThrow(AuditEventError);
    }
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}x`, i]));
    expect(() => normaliseEvent({ ...base, details: many })).toThrow(/at most 32/);
  });

  it('refuses unknown actions and outcomes and a non-string actor', () => {
    expect(() => normaliseEvent({ ...base, action: 'auth.sign-up' as never })).toThrow(/Unknown audit action/);
    expect(() => normaliseEvent({ ...base, outcome: 'ok' as never })).toThrow(/Unknown audit outcome/);
    expect(() => normaliseEvent({ ...base, actor: 42 as never })).toThrow(AuditEventError);
  });

  it('caps long strings instead of dropping the event', () => {
    const event = normaliseEvent({
      ...base,
      actor: 'a'.repeat(1000),
      target: 't'.repeat(5000),
      details: { note: 'n'.repeat(5000) },
    });
    expect(event.actor).toHaveLength(MAX_ACTOR_LENGTH);
    expect(event.actor!.endsWith('…')).toBe(true);
    expect(event.details!.note).toHaveLength(MAX_DETAIL_STRING_LENGTH);
    // The capped record still passes the read schema.
    expect(() => auditRecordSchema.parse(sealRecord(GENESIS_HEAD, event, T0))).not.toThrow();
  });

  it('never splits a surrogate pair when capping', () => {
    const capped = capText(`${'a'.repeat(8)}😀😀`, 10);
    expect(capped).toBe(`${'a'.repeat(8)}…`);
    expect(capText('short', 10)).toBe('short');
  });

  it('keeps allowed details as given', () => {
    expect(normaliseEvent({ ...base, details: { provider: 'entra', rows: 12, masked: false, group: null } }).details).toEqual({
      provider: 'entra',
      rows: 12,
      masked: false,
      group: null,
    });
  });
});

describe('line-breaking characters in a record', () => {
  // U+2028 and U+2029 end a line for JavaScript and many editors, U+0085 for Python's splitlines.
  const breakers = ['\u2028', '\u2029', '\u0085'];
  const record = sealRecord(
    GENESIS_HEAD,
    normaliseEvent({
      ...base,
      actor: `mallory${breakers[0]}{"seq":2,"forged":true}`,
      target: `t${breakers[1]}x`,
      details: { reason: `r${breakers[2]}y` },
    }),
    T0,
  );

  it('are written escaped, so the record stays one line for line-based tools', () => {
    const line = serializeRecord(record);
    for (const c of breakers) expect(line).not.toContain(c);
    expect(line).toContain('mallory\\u2028{');
    expect(line).toContain('t\\u2029x');
    expect(line).toContain('r\\u0085y');
    // What JavaScript's /^/m (and editors that follow it) sees as lines.
    expect(line.split(/[\n\r\u0085\u2028\u2029]/)).toHaveLength(1);
  });

  it('read back as the same values, under the same hash', () => {
    const parsed = auditRecordSchema.parse(JSON.parse(serializeRecord(record)));
    expect(parsed).toEqual(record);
    expect(recordHash(parsed)).toBe(record.hash);
  });
});
