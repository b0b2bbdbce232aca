/** Builds audit chains in memory for the pure tests: real records, sealed as the log seals them. */
import {
  GENESIS_HEAD,
  recordHash,
  sealRecord,
  serializeRecord,
  type AuditEvent,
  type AuditRecord,
} from '../../../../main/audit/audit-record';

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const USERS = ['alice', 'bob', 'carol'] as const;

/** The i-th (0-based) event of a varied, deterministic stream. */
export function eventAt(i: number): AuditEvent {
  const actor = USERS[i % USERS.length]!;
  switch (i % 4) {
    case 0:
      return { actor, action: 'auth.sign-in', outcome: 'success', details: { provider: 'local' } };
    case 1:
      return { actor, action: 'auth.sign-in-failed', outcome: 'failure', details: { reason: 'bad-password', attempt: i } };
    case 2:
      return { actor, action: 'data.export', outcome: 'success', target: 'sales', details: { rows: i * 10, masked: true } };
    default:
      return { actor, action: 'auth.sign-out', outcome: 'success' };
  }
}

/** `n` chained records, one minute apart from T0. */
export function buildChain(n: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  let head = GENESIS_HEAD;
  for (let i = 0; i < n; i += 1) {
    const record = sealRecord(head, eventAt(i), T0 + i * 60_000);
    records.push(record);
    head = { seq: record.seq, hash: record.hash };
  }
  return records;
}

export function toText(records: AuditRecord[]): string {
  return records.map((r) => `${serializeRecord(r)}\n`).join('');
}

/** A record changed and given a correct hash for its new content, as a forger with the format would. */
export function reseal(record: AuditRecord, changes: Partial<AuditRecord>): AuditRecord {
  const changed = { ...record, ...changes };
  return { ...changed, hash: recordHash(changed) };
}
