import { describe, expect, it } from 'vitest';
import { verifyAuditText, type AuditVerification } from '../../../../main/audit/audit-chain';
import { GENESIS_HEAD, serializeRecord, type AuditRecord } from '../../../../main/audit/audit-record';
import { buildChain, reseal, toText } from './audit-fixtures';

function expectBroken(
  result: AuditVerification,
  expected: { line: number; seq: number | null; reason: string; count: number },
): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect({ ...result.brokenAt, reason: result.reason, count: result.count }).toEqual(expected);
  expect(result.message.length).toBeGreaterThan(20);
}

function withLine(records: AuditRecord[], index: number, line: string): string {
  const lines = records.map(serializeRecord);
  lines[index] = line;
  return lines.map((l) => `${l}\n`).join('');
}

describe('verifyAuditText: intact logs', () => {
  it('verifies a chain of many records and reports its head', () => {
    const records = buildChain(500);
    const result = verifyAuditText(toText(records));
    expect(result).toEqual({
      ok: true,
      count: 500,
      head: { seq: 500, hash: records[499]!.hash },
      unkeyed: 500,
      macsChecked: false,
    });
  });

  it('verifies an empty file as an empty chain', () => {
    expect(verifyAuditText('')).toEqual({ ok: true, count: 0, head: GENESIS_HEAD, unkeyed: 0, macsChecked: false });
  });

  it('accepts the head it is given as an anchor', () => {
    const records = buildChain(5);
    expect(verifyAuditText(toText(records), { expectedHead: { seq: 3, hash: records[2]!.hash } }).ok).toBe(true);
    expect(verifyAuditText('', { expectedHead: GENESIS_HEAD }).ok).toBe(true);
  });
});

describe('verifyAuditText: tampered logs', () => {
  const records = buildChain(10);

  it('reports an edited field as a hash mismatch at that record', () => {
    const edited = { ...records[4]!, actor: 'mallory' };
    expectBroken(verifyAuditText(withLine(records, 4, serializeRecord(edited))), {
      line: 5,
      seq: 5,
      reason: 'hash mismatch',
      count: 4,
    });
  });

  it('reports an edited outcome, time or detail as a hash mismatch', () => {
    for (const change of [{ outcome: 'success' as const }, { at: '2020-01-01T00:00:00.000Z' }, { details: { reason: 'x' } }]) {
      const edited = { ...records[1]!, ...change };
      expectBroken(verifyAuditText(withLine(records, 1, serializeRecord(edited))), {
        line: 2,
        seq: 2,
        reason: 'hash mismatch',
        count: 1,
      });
    }
  });

  it('reports an edited record whose hash was recomputed at the next record (prev mismatch)', () => {
    const forged = reseal(records[4]!, { actor: 'mallory' });
    expectBroken(verifyAuditText(withLine(records, 4, serializeRecord(forged))), {
      line: 6,
      seq: 6,
      reason: 'prev mismatch',
      count: 5,
    });
  });

  it('reports a deleted record as a prev mismatch at the next one', () => {
    const text = toText([...records.slice(0, 3), ...records.slice(4)]);
    expectBroken(verifyAuditText(text), { line: 4, seq: 5, reason: 'prev mismatch', count: 3 });
  });

  it('reports a deleted first record at line 1', () => {
    expectBroken(verifyAuditText(toText(records.slice(1))), { line: 1, seq: 2, reason: 'prev mismatch', count: 0 });
  });

  it('reports two swapped records at the first of them', () => {
    const swapped = [...records];
    [swapped[6], swapped[7]] = [swapped[7]!, swapped[6]!];
    expectBroken(verifyAuditText(toText(swapped)), { line: 7, seq: 8, reason: 'prev mismatch', count: 6 });
  });

  it('reports an inserted line with a made-up hash at that line', () => {
    const fake = { ...records[2]!, seq: 4, actor: 'mallory', prev: records[2]!.hash, hash: 'f'.repeat(64) };
    const text = toText([...records.slice(0, 3), fake, ...records.slice(3)]);
    expectBroken(verifyAuditText(text), { line: 4, seq: 4, reason: 'hash mismatch', count: 3 });
  });

  it('reports a well-forged inserted record at the genuine record after it', () => {
    const fake = reseal(records[2]!, { seq: 4, actor: 'mallory', prev: records[2]!.hash });
    const text = toText([...records.slice(0, 3), fake, ...records.slice(3)]);
    expectBroken(verifyAuditText(text), { line: 5, seq: 4, reason: 'prev mismatch', count: 4 });
  });

  it('reports a chained record with the wrong number', () => {
    const renumbered = reseal(records[9]!, { seq: 42 });
    expectBroken(verifyAuditText(toText([...records.slice(0, 9), renumbered])), {
      line: 10,
      seq: 42,
      reason: 'seq not consecutive',
      count: 9,
    });
  });

  it('reports a line that is not JSON, and an empty line, as invalid JSON', () => {
    expectBroken(verifyAuditText(withLine(records, 2, '{"action":"auth.sign-in",')), {
      line: 3,
      seq: null,
      reason: 'invalid JSON',
      count: 2,
    });
    expectBroken(verifyAuditText(withLine(records, 2, '')), { line: 3, seq: null, reason: 'invalid JSON', count: 2 });
    expectBroken(verifyAuditText('\n'), { line: 1, seq: null, reason: 'invalid JSON', count: 0 });
  });

  it('reports JSON that is not a record as a schema violation', () => {
    const cases: unknown[] = [
      [1, 2],
      'text',
      { ...records[2], extra: 1 },
      { ...records[2], action: 'auth.sign-up' },
      { ...records[2], outcome: 'ok' },
      { ...records[2], at: 'yesterday' },
      { ...records[2], prev: 'abc' },
      { ...records[2], details: { nested: { a: 1 } } },
      Object.fromEntries(Object.entries(records[2]!).filter(([k]) => k !== 'actor')),
    ];
    for (const value of cases) {
      expectBroken(verifyAuditText(withLine(records, 2, JSON.stringify(value))), {
        line: 3,
        seq: typeof value === 'object' && !Array.isArray(value) ? 3 : null,
        reason: 'schema violation',
        count: 2,
      });
    }
  });

  it('refuses lines not in canonical form: spacing, key order, a repeated key', () => {
    const line = serializeRecord(records[2]!);
    const variants = [
      JSON.stringify(records[2], null, 1).replace(/\n/g, ''),
      JSON.stringify({ seq: records[2]!.seq, ...records[2] }),
      // A reader who sees the first "actor" would believe alice did it; the hash covers the last.
      line.replace('"actor":', '"actor":"mallory","actor":'),
    ];
    for (const variant of variants) {
      expect(variant).not.toBe(line);
      expectBroken(verifyAuditText(withLine(records, 2, variant)), { line: 3, seq: 3, reason: 'schema violation', count: 2 });
    }
  });

  it('reports a last line cut short (no line end) as a truncated record, distinct from invalid JSON', () => {
    const whole = toText(records);
    const cut = whole.slice(0, whole.length - 40);
    expectBroken(verifyAuditText(cut), { line: 10, seq: null, reason: 'truncated record', count: 9 });
  });

  it('reports a last record that lacks only its line end as a truncated record, with its seq', () => {
    const whole = toText(records);
    expectBroken(verifyAuditText(whole.slice(0, -1)), { line: 10, seq: 10, reason: 'truncated record', count: 9 });
  });

  it('reports an unterminated last line that is whole JSON but does not chain by what is wrong with it', () => {
    const text = toText(records.slice(0, 5)) + serializeRecord({ ...records[6]! });
    expectBroken(verifyAuditText(text), { line: 6, seq: 7, reason: 'prev mismatch', count: 5 });
  });

  it('reports the first break when there are several', () => {
    const text = withLine(records, 7, 'garbage').replace(
      serializeRecord(records[2]!),
      serializeRecord({ ...records[2]!, actor: 'x' }),
    );
    expectBroken(verifyAuditText(text), { line: 3, seq: 3, reason: 'hash mismatch', count: 2 });
  });

  it('cannot see records removed from the end by itself, but can with a head kept elsewhere', () => {
    const text = toText(records.slice(0, 8));
    expect(verifyAuditText(text).ok).toBe(true);
    const expectedHead = { seq: 10, hash: records[9]!.hash };
    expectBroken(verifyAuditText(text, { expectedHead }), { line: 9, seq: 9, reason: 'records missing', count: 8 });
  });

  it('reports a whole log rewritten with recomputed hashes against a head kept elsewhere', () => {
    const rewritten: AuditRecord[] = [];
    let prev = GENESIS_HEAD.hash;
    for (const record of records) {
      const forged = reseal(record, { prev, actor: record.seq === 4 ? 'mallory' : record.actor });
      rewritten.push(forged);
      prev = forged.hash;
    }
    expect(verifyAuditText(toText(rewritten)).ok).toBe(true);
    const expectedHead = { seq: 10, hash: records[9]!.hash };
    expectBroken(verifyAuditText(toText(rewritten), { expectedHead }), {
      line: 10,
      seq: 10,
      reason: 'anchor mismatch',
      count: 9,
    });
  });
});
