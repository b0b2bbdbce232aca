/**
 * Walks an audit log's text and checks its hash chain. Pure: the app, the admin viewer and
 * `npm run audit:verify` all call `verifyAuditText` on what they read.
 *
 * Each line is checked in this order, and the first failure is reported:
 *   1. 'invalid JSON'        the line does not parse (also an empty line)
 *   2. 'schema violation'    not a record, or not byte-for-byte the canonical JSON the app
 *                            writes (extra spaces, duplicate or reordered keys: a duplicate
 *                            key could show a reader one value while the hash covers another)
 *   3. 'hash mismatch'       the record's content does not give its hash: it was edited
 *   4. 'prev mismatch'       the record does not chain to the one before it: a record was
 *                            deleted, inserted or moved (also: an edited record whose hash
 *                            was recomputed is reported at the record after it)
 *   5. 'seq not consecutive' chained correctly but numbered wrongly (a forger's slip)
 *   6. 'mac missing'         a record without a MAC after one with a MAC, or (with the app's
 *                            key) at or after the seq from which the vault says records carry one
 *   7. 'mac mismatch' / 'anchor missing'   only with the app's key (`trust`): the MAC is not
 *                            the key's (edited with recomputed hashes, or written with another
 *                            vault's key), or the vault holds no head although the log has MACs
 *   8. 'anchor mismatch'     only with `expectedHead`: another record at the head's seq
 *   9. a noted break         an 'audit.chain-broken' record: Portico found the log broken when
 *                            it started and noted it (audit-log.ts). The log stays broken from
 *                            the line the note names, with the reason it names, even though the
 *                            file now chains: a tail cut or a rewrite is seen only at that start
 *                            (against the vault's head), and must not be forgotten at the next.
 *
 * The first record either starts the chain (seq 1, `prev` 64 zeros) or is a rotation record
 * ('audit.rotated', see audit-rotation.ts): the file continues an archived one, and the chain
 * starts from the archive's last record as the rotation record names it ('invalid rotation
 * record' when it names none, or not consistently with its own seq and `prev`). The result's
 * `rotatedFrom` says so; `checkHandOff` checks it against the archive itself.
 * and after the last line:
 *  10. 'truncated record'    the text does not end with a line end, and its last part is
 *                            either not JSON (a prefix of a record: the last write was cut
 *                            short by a crash or power loss) or a whole record that chains but
 *                            lacks its line end. A last part that is whole JSON but does not
 *                            chain is reported by the checks above, like any line. See
 *                            audit-log.ts for what the app does at open.
 *  11. 'records missing'     only with `expectedHead`: the chain ends before it.
 *
 * What each check proves. Without the key (`npm run audit:verify`), the SHA-256 chain shows
 * damage and edits by someone who did not recompute the hashes; anyone who knows the format can
 * rewrite the whole file consistently, and removing records from the end leaves a valid chain.
 * With the key, a record whose MAC verifies was written by a holder of the vault key (Portico,
 * or a process running as the same OS user, which can read that key too). Only the head kept in
 * the vault (`expectedHead`) shows records removed from the end, or a whole file put back.
 */
import type { AuditKey } from './audit-key';
import {
  auditRecordSchema,
  canonicalJson,
  GENESIS_HEAD,
  recordHash,
  serializeRecord,
  type AuditHead,
  type AuditRecord,
} from './audit-record';
import { readRotationStart, ROTATED_ACTION, type RotationStart } from './audit-rotation';

export type AuditBreakReason =
  | 'invalid JSON'
  | 'schema violation'
  | 'hash mismatch'
  | 'prev mismatch'
  | 'seq not consecutive'
  | 'truncated record'
  | 'records missing'
  | 'anchor mismatch'
  | 'invalid rotation record'
  | 'mac missing'
  | 'mac mismatch'
  | 'anchor missing'
  // A note whose reason is none of the above (only a future or foreign Portico would write one).
  | 'noted break';

const BREAK_REASONS: readonly string[] = [
  'invalid JSON',
  'schema violation',
  'hash mismatch',
  'prev mismatch',
  'seq not consecutive',
  'truncated record',
  'records missing',
  'anchor mismatch',
  'invalid rotation record',
  'mac missing',
  'mac mismatch',
  'anchor missing',
] satisfies AuditBreakReason[];

/** The action of the record that notes a break found at start (see audit-log.ts). */
export const CHAIN_BROKEN_ACTION = 'audit.chain-broken';

/** What the MAC checks found (both variants of the result). */
interface MacSummary {
  /** Records that verified without a MAC: history written before Portico kept MACs. */
  unkeyed: number;
  /** Whether MACs were checked (with the app's key); false for `npm run audit:verify`. */
  macsChecked: boolean;
}

export type AuditVerification = MacSummary &
  (
    | {
        ok: true;
        /** Records in the chain. */
        count: number;
        /** The last record (GENESIS_HEAD for an empty log). */
        head: AuditHead;
        /** Set when the file starts with a rotation record: the archive it continues, and where that ends. */
        rotatedFrom?: RotationStart;
      }
    | {
        ok: false;
        /** Records that verified before the break. */
        count: number;
        /** The last record that verified (GENESIS_HEAD when the first one is broken). */
        head: AuditHead;
        /** The first broken record: its 1-based line, and its seq when it could be read. */
        brokenAt: { line: number; seq: number | null };
        reason: AuditBreakReason;
        /** One sentence for a person: what is wrong and what it usually means. */
        message: string;
        rotatedFrom?: RotationStart;
        /** Set when the break is one Portico noted at an earlier start: the note's line and seq. */
        notedBy?: { line: number; seq: number };
      }
  );

/** A verification that found a break. */
export type AuditBreak = Extract<AuditVerification, { ok: false }>;

export interface VerifyOptions {
  /** A head recorded outside the file; the chain must contain exactly this record. */
  expectedHead?: AuditHead;
  /** The app's key and what the vault says about MACs: checks every MAC. */
  trust?: AuditTrust;
}

export interface AuditTrust {
  key: AuditKey;
  /**
   * Records from this seq on must carry a MAC (kept in the vault with the head). Null when the
   * vault holds no head for the log: then no record may carry one ('anchor missing').
   */
  keyedFrom: number | null;
}

/** The text split into complete lines (without their line end) and an unterminated last part, if any. */
export function splitAuditText(text: string): { lines: string[]; fragment: string | null } {
  const parts = text.split('\n');
  const last = parts.pop() ?? '';
  return { lines: parts, fragment: last === '' ? null : last };
}

type LineCheck =
  | { ok: true; record: AuditRecord }
  | { ok: false; reason: 'invalid JSON' | 'schema violation'; seq: number | null; detail: string };

/** Parses one line into a record: valid JSON, valid schema, canonical form. Says nothing about the chain. */
export function parseAuditLine(line: string): LineCheck {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'invalid JSON', seq: null, detail: line === '' ? 'it is empty' : 'it is not valid JSON' };
  }
  const seq = readSeq(value);
  const parsed = auditRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, reason: 'schema violation', seq, detail: `${where}${issue?.message ?? 'invalid record'}` };
  }
  // Records without a MAC may predate the escaping of line-breaking characters (audit-record.ts).
  const canonical = serializeRecord(parsed.data) === line || (!parsed.data.mac && canonicalJson(parsed.data) === line);
  if (!canonical) {
    return {
      ok: false,
      reason: 'schema violation',
      seq,
      detail: 'it is not written the way Portico writes records (spacing, key order or a repeated key changed)',
    };
  }
  return { ok: true, record: parsed.data };
}

/** Every complete line with its record (null where the line is not a valid record), chain not checked. For the viewer. */
export function parseAuditText(text: string): { line: number; record: AuditRecord | null }[] {
  return splitAuditText(text).lines.map((raw, i) => {
    const parsed = parseAuditLine(raw);
    return { line: i + 1, record: parsed.ok ? parsed.record : null };
  });
}

export function verifyAuditText(text: string, options: VerifyOptions = {}): AuditVerification {
  const { lines, fragment } = splitAuditText(text);
  const anchor = options.expectedHead && options.expectedHead.seq > 0 ? options.expectedHead : null;
  const trust = options.trust;
  let head: AuditHead = GENESIS_HEAD;
  let count = 0;
  let unkeyed = 0;
  let keyedSeen = false;
  let rotatedFrom: RotationStart | undefined;
  const summary = (): MacSummary => ({ unkeyed, macsChecked: trust !== undefined });
  const broken = (line: number, seq: number | null, reason: AuditBreakReason, message: string): AuditBreak => ({
    ok: false,
    count,
    head,
    brokenAt: { line, seq },
    reason,
    message,
    ...(rotatedFrom && { rotatedFrom }),
    ...summary(),
  });

  // The unfinished last part, if any, is checked like a line: a crash cuts a line short, and
  // no prefix of a record is valid JSON, so a fragment that parses was written as it is.
  const segments = fragment === null ? lines : [...lines, fragment];
  for (const [index, raw] of segments.entries()) {
    const line = index + 1;
    const unfinished = fragment !== null && index === lines.length;
    const parsed = parseAuditLine(raw);
    if (!parsed.ok && unfinished && parsed.reason === 'invalid JSON') {
      return broken(
        line,
        null,
        'truncated record',
        `The last line (${line}) is an unfinished record: the last write was cut short, for example by a crash or power loss.`,
      );
    }
    if (!parsed.ok) {
      return broken(line, parsed.seq, parsed.reason, `Line ${line} is not a valid audit record: ${parsed.detail}.`);
    }
    const record = parsed.record;
    if (recordHash(record) !== record.hash) {
      return broken(
        line,
        record.seq,
        'hash mismatch',
        `Record ${record.seq} (line ${line}) was changed after it was written: its content does not match its hash.`,
      );
    }
    if (index === 0 && record.action === ROTATED_ACTION) {
      // The file continues an archive: the chain starts from the archive's last record.
      const start = readRotationStart(record);
      if ('problem' in start) {
        return broken(
          line,
          record.seq,
          'invalid rotation record',
          `Record ${record.seq} (line ${line}) says the log continues an archive, but ${start.problem}.`,
        );
      }
      if (anchor && anchor.seq === start.head.seq && anchor.hash !== start.head.hash) {
        return broken(
          line,
          record.seq,
          'anchor mismatch',
          `Record ${record.seq} (line ${line}) continues an archive that ends with another record than the one Portico wrote.`,
        );
      }
      rotatedFrom = start;
      head = start.head;
    }
    if (record.prev !== head.hash) {
      return broken(
        line,
        record.seq,
        'prev mismatch',
        `Record ${record.seq} (line ${line}) does not follow the record before it: ` +
          'a record was deleted, inserted, moved or rewritten just before this one.',
      );
    }
    if (record.seq !== head.seq + 1) {
      return broken(
        line,
        record.seq,
        'seq not consecutive',
        `Record on line ${line} is numbered ${record.seq} where ${head.seq + 1} was expected.`,
      );
    }
    const macProblem = checkMac(record, line, keyedSeen, trust);
    if (macProblem) return broken(line, record.seq, macProblem.reason, macProblem.message);
    if (anchor && record.seq === anchor.seq && record.hash !== anchor.hash) {
      return broken(
        line,
        record.seq,
        'anchor mismatch',
        `Record ${record.seq} (line ${line}) is not the record Portico wrote with that number: the log was rewritten.`,
      );
    }
    if (unfinished) {
      return broken(
        line,
        record.seq,
        'truncated record',
        `The last line (${line}) is record ${record.seq} without its line end: the last write was cut short, for example by a crash.`,
      );
    }
    if (record.action === CHAIN_BROKEN_ACTION) {
      // A break Portico found at an earlier start stays reported (see the header).
      const noted = readNote(record, line);
      return { ...broken(noted.line, noted.seq, noted.reason, noted.message), notedBy: { line, seq: record.seq } };
    }
    if (record.mac) keyedSeen = true;
    else unkeyed += 1;
    head = { seq: record.seq, hash: record.hash };
    count += 1;
  }

  if (anchor && head.seq < anchor.seq) {
    return broken(
      lines.length + 1,
      head.seq + 1,
      'records missing',
      `The log ends at record ${head.seq} but Portico wrote up to record ${anchor.seq}: records were removed from its end.`,
    );
  }
  return { ok: true, count, head, ...(rotatedFrom && { rotatedFrom }), ...summary() };
}

function checkMac(
  record: AuditRecord,
  line: number,
  keyedSeen: boolean,
  trust: AuditTrust | undefined,
): { reason: AuditBreakReason; message: string } | null {
  if (!record.mac) {
    const required = keyedSeen || (trust?.keyedFrom != null && record.seq >= trust.keyedFrom);
    return required
      ? {
          reason: 'mac missing',
          message:
            `Record ${record.seq} (line ${line}) has no MAC where every record must have one: ` +
            'it was added or rewritten outside Portico.',
        }
      : null;
  }
  if (!trust) return null;
  if (!trust.key.verify(record.hash, record.mac)) {
    return {
      reason: 'mac mismatch',
      message:
        `Record ${record.seq} (line ${line}) was not written by Portico with this vault's key: its MAC does not match. ` +
        'The log was edited and its hashes recomputed, or it was written with another vault (one that was reset or replaced).',
    };
  }
  if (trust.keyedFrom === null) {
    return {
      reason: 'anchor missing',
      message:
        `Record ${record.seq} (line ${line}) carries a MAC, but the vault holds no head for this log: the vault was ` +
        'restored from an older copy or its head removed, so records removed from the end cannot be ruled out.',
    };
  }
  return null;
}

/** Where the break an 'audit.chain-broken' record (on `line`) names is, and why. */
function readNote(
  record: AuditRecord,
  line: number,
): { line: number; seq: number | null; reason: AuditBreakReason; message: string } {
  const details = record.details ?? {};
  const noted = typeof details.reason === 'string' ? details.reason : null;
  const reason = noted !== null && BREAK_REASONS.includes(noted) ? (noted as AuditBreakReason) : 'noted break';
  const brokenLine =
    typeof details.brokenLine === 'number' && Number.isSafeInteger(details.brokenLine) && details.brokenLine >= 1
      ? Math.min(details.brokenLine, line)
      : line;
  const brokenSeq = typeof details.brokenSeq === 'number' && Number.isSafeInteger(details.brokenSeq) ? details.brokenSeq : null;
  return {
    line: brokenLine,
    seq: brokenSeq,
    reason,
    message:
      `When it started on ${record.at}, Portico found this log altered or damaged (${noted ?? 'no reason given'} at line ` +
      `${brokenLine}) and noted it in record ${record.seq} (line ${line}). Records from line ${brokenLine} on cannot be trusted.`,
  };
}

function readSeq(value: unknown): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const seq = (value as { seq?: unknown }).seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : null;
}
