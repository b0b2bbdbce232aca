/** Retention's pure rules: the rotation period, expiry, archive names, rotation records and hand-offs. */
import { describe, expect, it } from 'vitest';
import { verifyAuditText, type AuditVerification } from '../../../../main/audit/audit-chain';
import {
  ARCHIVE_NAME,
  archiveFileName,
  checkHandOff,
  DAY_MS,
  isExpired,
  isRotationDue,
  rotationPeriodDays,
} from '../../../../main/audit/audit-rotation';
import { sealRecord, serializeRecord } from '../../../../main/audit/audit-record';
import { buildChain, headOf, reseal, rotationRecord, T0, toText } from './audit-fixtures';

const ARCHIVE = 'audit-2026-01-05-10.jsonl';
const archive = buildChain(10);
const rotated = rotationRecord(ARCHIVE, archive, T0 + 3 * DAY_MS);
const after = buildChain(5, headOf(rotated), T0 + 3 * DAY_MS + 60_000);
const current = [rotated, ...after];

function expectBroken(result: AuditVerification, expected: { line: number; seq: number | null; reason: string }): void {
  expect(result).toMatchObject({ ok: false, brokenAt: { line: expected.line, seq: expected.seq }, reason: expected.reason });
}

describe('the rotation rule', () => {
  it('rotates every retentionDays / 10 days, at least daily and at least monthly', () => {
    expect([1, 7, 10, 19, 20, 30, 90, 365, 3650].map(rotationPeriodDays)).toEqual([1, 1, 1, 1, 2, 3, 9, 30, 30]);
  });

  it('is due once the first record is a whole period old, and never with retention off', () => {
    const first = new Date(T0).toISOString();
    expect(isRotationDue(first, T0 + 3 * DAY_MS - 1, 30)).toBe(false);
    expect(isRotationDue(first, T0 + 3 * DAY_MS, 30)).toBe(true);
    expect(isRotationDue(first, T0 + 3650 * DAY_MS, 0)).toBe(false);
    // A first record "in the future" (the clock was set back) is not due.
    expect(isRotationDue(first, T0 - DAY_MS, 1)).toBe(false);
  });

  it('expires an archive once its newest record is retentionDays old, and never with retention off', () => {
    expect(isExpired(T0, T0 + 30 * DAY_MS - 1, 30)).toBe(false);
    expect(isExpired(T0, T0 + 30 * DAY_MS, 30)).toBe(true);
    expect(isExpired(T0, T0 + 3650 * DAY_MS, 0)).toBe(false);
    expect(isExpired(-Infinity, T0, 30)).toBe(false); // an archive without records
  });

  it('names archives by the date of their first record and their last seq, and only those match', () => {
    expect(archiveFileName('2026-01-05T09:00:00.000Z', 1234)).toBe('audit-2026-01-05-1234.jsonl');
    for (const name of ['audit-2026-01-05-1234.jsonl', 'audit-2026-12-31-1.jsonl']) expect(ARCHIVE_NAME.test(name)).toBe(true);
    for (const name of [
      'audit.jsonl',
      'audit.jsonl.rotating',
      'audit-2026-01-05-0.jsonl',
      'audit-2026-01-05-12.jsonl.bak',
      'audit-2026-01-05.jsonl',
      'x-audit-2026-01-05-12.jsonl',
      'audit-2026-01-05-12.jsonl/../vault.json',
    ]) {
      expect(ARCHIVE_NAME.test(name)).toBe(false);
    }
  });
});

describe('verifyAuditText: a file that starts with a rotation record', () => {
  it('verifies on its own, continuing the seq, and says which archive it continues', () => {
    expect(rotated).toMatchObject({
      seq: 11,
      prev: archive[9]!.hash,
      action: 'audit.rotated',
      details: { archive: ARCHIVE, archiveLastSeq: 10, archiveHead: archive[9]!.hash },
    });
    expect(verifyAuditText(toText(current))).toEqual({
      ok: true,
      count: 6,
      head: headOf(after[4]!),
      rotatedFrom: { archive: ARCHIVE, head: headOf(archive[9]!) },
      unkeyed: 6,
      macsChecked: false,
    });
  });

  it('still detects the first records of a file cut off (only a rotation record may start mid-chain)', () => {
    expectBroken(verifyAuditText(toText(archive.slice(3))), { line: 1, seq: 4, reason: 'prev mismatch' });
    expectBroken(verifyAuditText(toText(current.slice(1))), { line: 1, seq: 12, reason: 'prev mismatch' });
  });

  it('refuses a rotation record that does not agree with itself', () => {
    const cases = [
      { details: { ...rotated.details, archiveHead: archive[8]!.hash } },
      { details: { ...rotated.details, archiveLastSeq: 9 } },
      { details: { ...rotated.details, archive: 'audit-2026-01-05-9.jsonl' } },
      { details: { ...rotated.details, archive: 'vault.json' } },
      { details: undefined },
    ];
    for (const change of cases) {
      expectBroken(verifyAuditText(toText([reseal(rotated, change), ...after])), {
        line: 1,
        seq: 11,
        reason: 'invalid rotation record',
      });
    }
    // Edited without resealing: the hash says so first.
    expectBroken(verifyAuditText(toText([{ ...rotated, prev: archive[8]!.hash }, ...after])), {
      line: 1,
      seq: 11,
      reason: 'hash mismatch',
    });
  });

  it('is an ordinary record anywhere but the first line', () => {
    const next = sealRecord(headOf(archive[9]!), { actor: null, action: 'audit.rotated', outcome: 'success' }, T0);
    const result = verifyAuditText(toText([...archive, next]));
    expect(result).toMatchObject({ ok: true, count: 11 });
    expect('rotatedFrom' in result).toBe(false);
  });

  it('checks a head kept elsewhere against the archive head it names', () => {
    expect(verifyAuditText(toText(current), { expectedHead: headOf(archive[9]!) }).ok).toBe(true);
    expectBroken(verifyAuditText(toText(current), { expectedHead: { seq: 10, hash: archive[8]!.hash } }), {
      line: 1,
      seq: 11,
      reason: 'anchor mismatch',
    });
    expectBroken(verifyAuditText(toText(current), { expectedHead: { seq: 20, hash: archive[0]!.hash } }), {
      line: 7,
      seq: 17,
      reason: 'records missing',
    });
  });
});

describe('checkHandOff', () => {
  const archiveResult = verifyAuditText(toText(archive));
  const next = verifyAuditText(toText(current));

  it('accepts a file that continues the archive exactly', () => {
    expect(checkHandOff(ARCHIVE, archiveResult, next)).toEqual({ ok: true });
  });

  it('refuses an archive whose last records were removed, a replaced one, or another name', () => {
    expect(checkHandOff(ARCHIVE, verifyAuditText(toText(archive.slice(0, 9))), next)).toMatchObject({
      ok: false,
      message: expect.stringContaining('ends at record 9'),
    });
    expect(checkHandOff(ARCHIVE, verifyAuditText(toText(buildChain(10, undefined, T0 + 1))), next).ok).toBe(false);
    expect(checkHandOff('audit-2026-01-04-10.jsonl', archiveResult, next)).toMatchObject({
      ok: false,
      message: expect.stringContaining(`continues ${ARCHIVE}`),
    });
  });

  it('refuses a broken archive, and a next file without a rotation record', () => {
    const lines = archive.map(serializeRecord);
    lines[3] = lines[3]!.replace('"alice"', '"mallory"');
    expect(checkHandOff(ARCHIVE, verifyAuditText(lines.map((l) => `${l}\n`).join('')), next)).toMatchObject({
      ok: false,
      message: expect.stringContaining('broken itself'),
    });
    expect(checkHandOff(ARCHIVE, archiveResult, verifyAuditText(toText(buildChain(3)))).ok).toBe(false);
  });
});
