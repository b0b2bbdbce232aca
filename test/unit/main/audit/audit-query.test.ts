import { describe, expect, it } from 'vitest';
import { AuditQueryError, queryAuditText } from '../../../../main/audit/audit-query';
import { serializeRecord } from '../../../../main/audit/audit-record';
import { buildChain, T0, toText } from './audit-fixtures';

// 40 records, one a minute from T0; actors cycle alice, bob, carol; actions cycle
// sign-in, sign-in-failed, export, sign-out (see audit-fixtures).
const records = buildChain(40);
const text = toText(records);
const minute = 60_000;

describe('queryAuditText', () => {
  it('returns newest first with the verification', () => {
    const result = queryAuditText(text);
    expect(result.records.map((r) => r.seq)).toEqual(records.map((r) => r.seq).reverse());
    expect(result.records.every((r) => r.verified)).toBe(true);
    expect(result.records[0]).toMatchObject({ seq: 40, line: 40 });
    expect(result.verification).toMatchObject({ ok: true, count: 40 });
    expect(result.nextBeforeSeq).toBeNull();
  });

  it('filters by actor', () => {
    const result = queryAuditText(text, { actor: 'bob' });
    expect(result.records.length).toBe(13);
    expect(result.records.every((r) => r.actor === 'bob')).toBe(true);
    expect(queryAuditText(text, { actor: 'Bob' }).records).toEqual([]);
    expect(queryAuditText(text, { actor: null }).records).toEqual([]);
  });

  it('filters by one action or several, and by outcome', () => {
    const exports = queryAuditText(text, { action: 'data.export' }).records;
    expect(exports.length).toBe(10);
    expect(exports.every((r) => r.action === 'data.export' && r.target === 'sales')).toBe(true);
    const auth = queryAuditText(text, { action: ['auth.sign-in', 'auth.sign-out'] }).records;
    expect(auth.length).toBe(20);
    const failures = queryAuditText(text, { outcome: 'failure' }).records;
    expect(failures.map((r) => r.action)).toEqual(Array(10).fill('auth.sign-in-failed'));
  });

  it('filters by time: from inclusive, to exclusive, as epoch ms or ISO 8601', () => {
    const byMs = queryAuditText(text, { from: T0 + 10 * minute, to: T0 + 20 * minute }).records;
    expect(byMs.map((r) => r.seq)).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11]);
    const byIso = queryAuditText(text, {
      from: new Date(T0 + 10 * minute).toISOString(),
      to: '2026-01-05T10:20:00+01:00',
    }).records;
    expect(byIso.map((r) => r.seq)).toEqual(byMs.map((r) => r.seq));
  });

  it('combines filters', () => {
    const result = queryAuditText(text, { actor: 'alice', action: 'auth.sign-in', from: T0 + 12 * minute });
    // alice is every 3rd record (0, 3, 6...), sign-in every 4th (0, 4, 8...): both every 12th.
    expect(result.records.map((r) => r.seq)).toEqual([37, 25, 13]);
  });

  it('limits and pages with beforeSeq', () => {
    const first = queryAuditText(text, { limit: 15 });
    expect(first.records.map((r) => r.seq)).toEqual(Array.from({ length: 15 }, (_, i) => 40 - i));
    expect(first.nextBeforeSeq).toBe(26);
    const second = queryAuditText(text, { limit: 15, beforeSeq: first.nextBeforeSeq! });
    expect(second.records[0]!.seq).toBe(25);
    const third = queryAuditText(text, { limit: 15, beforeSeq: second.nextBeforeSeq! });
    expect(third.records.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 10 - i));
    expect(third.nextBeforeSeq).toBeNull();
    // Exactly `limit` matches left: no further page.
    expect(queryAuditText(text, { limit: 10, beforeSeq: 11 }).nextBeforeSeq).toBeNull();
  });

  it('defaults to 200 records and refuses more than 1000', () => {
    const many = toText(buildChain(250));
    expect(queryAuditText(many).records.length).toBe(200);
    expect(queryAuditText(many, { limit: 1000 }).records.length).toBe(250);
    expect(() => queryAuditText(many, { limit: 1001 })).toThrow(AuditQueryError);
  });

  it.each([
    { limit: 0 },
    { limit: 1.5 },
    { limit: '10' },
    { action: 'auth.sign-up' },
    { from: 'yesterday' },
    { from: NaN },
    { beforeSeq: 0 },
    { actor: 7 },
    { unknown: true },
  ])('refuses an invalid query %j', (query) => {
    expect(() => queryAuditText(text, query as never)).toThrow(AuditQueryError);
  });

  it('marks records at and after the first break as unverified, and still lists them', () => {
    const lines = records.map(serializeRecord);
    lines[29] = serializeRecord({ ...records[29]!, actor: 'mallory' });
    lines[34] = 'garbage';
    const result = queryAuditText(lines.map((l) => `${l}\n`).join(''));
    expect(result.verification).toMatchObject({ ok: false, brokenAt: { line: 30, seq: 30 }, reason: 'hash mismatch' });
    // The garbage line is not a record and is skipped; the edited one is shown, unverified.
    expect(result.records.length).toBe(39);
    expect(result.records.find((r) => r.seq === 30)).toMatchObject({ actor: 'mallory', verified: false });
    expect(result.records.filter((r) => !r.verified).map((r) => r.seq)).toEqual([40, 39, 38, 37, 36, 34, 33, 32, 31, 30]);
    expect(result.records.find((r) => r.seq === 29)!.verified).toBe(true);
  });
});
