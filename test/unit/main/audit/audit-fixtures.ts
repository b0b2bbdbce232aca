/** Builds audit chains in memory for the pure tests: real records, sealed as the log seals them. */
import {
  GENESIS_HEAD,
  recordHash,
  sealRecord,
  serializeRecord,
  type AuditEvent,
  type AuditHead,
  type AuditRecord,
} from '../../../../main/audit/audit-record';
import { rotationDetails } from '../../../../main/audit/audit-rotation';
import type { AuditKey } from '../../../../main/audit/audit-key';

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

/** `n` chained records, one minute apart from `startAt` (T0), after `from` (the start of a chain); with MACs when a key is given. */
export function buildChain(n: number, from: AuditHead = GENESIS_HEAD, startAt = T0, key?: AuditKey): AuditRecord[] {
  const records: AuditRecord[] = [];
  let head = from;
  for (let i = 0; i < n; i += 1) {
    const record = sealRecord(head, eventAt(i), startAt + i * 60_000, key);
    records.push(record);
    head = { seq: record.seq, hash: record.hash };
  }
  return records;
}

export function toText(records: AuditRecord[]): string {
  return records.map((r) => `${serializeRecord(r)}\n`).join('');
}

/** A record changed and given a correct hash for its new content, as a forger with the format would (a MAC is kept as it was). */
export function reseal(record: AuditRecord, changes: Partial<AuditRecord>): AuditRecord {
  const changed = { ...record, ...changes };
  return { ...changed, hash: recordHash(changed) };
}

/** The records from `index` on given a `prev` and `hash` that chain again (MACs kept, or dropped). */
export function rechainFrom(records: AuditRecord[], index: number, dropMacs = false): AuditRecord[] {
  const out = records.slice(0, index);
  for (const original of records.slice(index)) {
    const before = out[out.length - 1];
    const body: AuditRecord = { ...original, prev: before ? before.hash : GENESIS_HEAD.hash };
    if (dropMacs) delete body.mac;
    out.push({ ...body, hash: recordHash(body) });
  }
  return out;
}

export const headOf = (record: AuditRecord): AuditHead => ({ seq: record.seq, hash: record.hash });

/** The rotation record that starts the file after `archive` (named `archiveName`), written at `at`. */
export function rotationRecord(archiveName: string, archive: AuditRecord[], at: number, key?: AuditKey): AuditRecord {
  const head = headOf(archive[archive.length - 1]!);
  return sealRecord(
    head,
    { actor: null, action: 'audit.rotated', outcome: 'success', details: rotationDetails(archiveName, head) },
    at,
    key,
  );
}
