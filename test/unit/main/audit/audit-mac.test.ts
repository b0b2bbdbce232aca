/** verifyAuditText with the app's key (MACs) and without it (npm run audit:verify), pure. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAuditText, type AuditTrust, type AuditVerification } from '../../../../main/audit/audit-chain';
import { AuditKey } from '../../../../main/audit/audit-key';
import { recordHash, sealRecord, serializeRecord, type AuditRecord } from '../../../../main/audit/audit-record';
import { buildChain, headOf, rechainFrom, reseal, rotationRecord, T0, toText } from './audit-fixtures';

const key = AuditKey.fromBytes(randomBytes(32));
const otherKey = AuditKey.fromBytes(randomBytes(32));
const trust = (keyedFrom: number | null = 1, k = key): AuditTrust => ({ key: k, keyedFrom });

function expectBroken(result: AuditVerification, expected: { line: number; seq: number | null; reason: string }): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect({ ...result.brokenAt, reason: result.reason }).toEqual(expected);
  expect(result.message.length).toBeGreaterThan(20);
}

/** Ten unkeyed records (an older Portico), then ten with MACs from seq 11. */
const legacy = buildChain(10);
const keyed = buildChain(10, headOf(legacy[9]!), T0 + 3_600_000, key);
const mixed = [...legacy, ...keyed];

describe('MACs: intact logs', () => {
  it('verifies every MAC with the key, and says how many records had none', () => {
    const result = verifyAuditText(toText(mixed), { trust: trust(11) });
    expect(result).toEqual({ ok: true, count: 20, head: headOf(keyed[9]!), unkeyed: 10, macsChecked: true });
  });

  it('without the key, checks the chain and says MACs were not checked', () => {
    expect(verifyAuditText(toText(mixed))).toMatchObject({ ok: true, count: 20, unkeyed: 10, macsChecked: false });
  });

  it('gives every record a MAC of its hash, and leaves the hash as the SHA-256 chain', () => {
    for (const record of keyed) {
      expect(record.mac).toBe(key.mac(record.hash));
      const { mac: _mac, ...withoutMac } = record;
      expect(recordHash(withoutMac)).toBe(record.hash);
    }
  });

  it('verifies a rotated file whose rotation record carries a MAC', () => {
    const start = rotationRecord('audit-2026-01-05-20.jsonl', mixed, T0 + 86_400_000, key);
    const next = [start, ...buildChain(3, headOf(start), T0 + 86_400_000 + 60_000, key)];
    expect(verifyAuditText(toText(next), { trust: trust(11) })).toMatchObject({ ok: true, count: 4, unkeyed: 0 });
  });
});

describe('MACs: forged logs', () => {
  it('reports a record edited and the chain recomputed with SHA-256 at that record (mac mismatch)', () => {
    const edited = mixed.map((r, i) => (i === 14 ? reseal(r, { actor: 'mallory' }) : r));
    const forged = rechainFrom(edited, 15);
    // Without the key the forgery passes: the SHA-256 chain is consistent.
    expect(verifyAuditText(toText(forged)).ok).toBe(true);
    expectBroken(verifyAuditText(toText(forged), { trust: trust(11) }), { line: 15, seq: 15, reason: 'mac mismatch' });
  });

  it('reports records deleted and the rest re-chained at the first re-chained record', () => {
    const kept = [...mixed.slice(0, 12), ...mixed.slice(14).map((r) => ({ ...r, seq: r.seq - 2 }))];
    const forged = rechainFrom(kept, 12);
    expectBroken(verifyAuditText(toText(forged), { trust: trust(11) }), { line: 13, seq: 13, reason: 'mac mismatch' });
  });

  it('reports MACs removed from the end, even without the key (mac missing)', () => {
    const forged = rechainFrom(mixed, 15, true);
    expectBroken(verifyAuditText(toText(forged)), { line: 16, seq: 16, reason: 'mac missing' });
  });

  it('reports every MAC removed where the vault says records carry one (mac missing)', () => {
    const forged = rechainFrom(mixed, 10, true);
    expect(verifyAuditText(toText(forged)).ok).toBe(true);
    expectBroken(verifyAuditText(toText(forged), { trust: trust(11) }), { line: 11, seq: 11, reason: 'mac missing' });
  });

  it('reports MACs made with another key (a vault that was reset or replaced)', () => {
    expectBroken(verifyAuditText(toText(mixed), { trust: trust(11, otherKey) }), {
      line: 11,
      seq: 11,
      reason: 'mac mismatch',
    });
  });

  it('reports a MAC that is not hex of the right length as a schema violation', () => {
    const lines = mixed.map(serializeRecord);
    lines[12] = serializeRecord({ ...mixed[12]!, mac: 'zz' } as AuditRecord);
    expectBroken(verifyAuditText(lines.map((l) => `${l}\n`).join(''), { trust: trust(11) }), {
      line: 13,
      seq: 13,
      reason: 'schema violation',
    });
  });

  it('reports records with MACs when the vault holds no head for the log (anchor missing)', () => {
    expect(verifyAuditText(toText(legacy), { trust: trust(null) }).ok).toBe(true);
    expectBroken(verifyAuditText(toText(mixed), { trust: trust(null) }), { line: 11, seq: 11, reason: 'anchor missing' });
  });
});

describe('breaks Portico noted at an earlier start', () => {
  const note = (reason: string, brokenLine: number, brokenSeq: number | null, head = headOf(keyed[9]!)) =>
    sealRecord(
      head,
      { actor: null, action: 'audit.chain-broken', outcome: 'failure', details: { reason, brokenLine, brokenSeq } },
      T0 + 7_200_000,
      key,
    );

  it('stay reported where the note says, with its reason, although the file chains', () => {
    const noted = note('records missing', 21, 21);
    const after = buildChain(2, headOf(noted), T0 + 7_300_000, key);
    const result = verifyAuditText(toText([...mixed, noted, ...after]), { trust: trust(11) });
    expectBroken(result, { line: 21, seq: 21, reason: 'records missing' });
    expect(result).toMatchObject({ notedBy: { line: 21, seq: 21 } });
    // The same without the key.
    expectBroken(verifyAuditText(toText([...mixed, noted, ...after])), { line: 21, seq: 21, reason: 'records missing' });
  });

  it('never point after the note itself, and an unknown reason is reported as a noted break', () => {
    expectBroken(verifyAuditText(toText([...mixed, note('anchor mismatch', 99, 5)])), {
      line: 21,
      seq: 5,
      reason: 'anchor mismatch',
    });
    expectBroken(verifyAuditText(toText([...mixed, note('gremlins', 4, 4)])), { line: 4, seq: 4, reason: 'noted break' });
  });
});
