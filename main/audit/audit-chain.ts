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
 *
 * The first record either starts the chain (seq 1, `prev` 64 zeros) or is a rotation record
 * ('audit.rotated', see audit-rotation.ts): the file continues an archived one, and the chain
 * starts from the archive's last record as the rotation record names it ('invalid rotation
 * record' when it names none, or not consistently with its own seq and `prev`). The result's
 * `rotatedFrom` says so; `checkHandOff` checks it against the archive itself.
 * and after the last line:
 *   6. 'truncated record'    the text does not end with a line end, and its last part is
 *                            either not JSON (a prefix of a record: the last write was cut
 *                            short by a crash or power loss) or a whole record that chains but
 *                            lacks its line end. A last part that is whole JSON but does not
 *                            chain is reported by the checks above, like any line. See
 *                            audit-log.ts for what the app does at open.
 *   7. 'records missing' / 'anchor mismatch'   only with `expectedHead` (a head recorded
 *                            elsewhere, e.g. kept in memory by the running app): the chain
 *                            ends before it, or holds another record at its seq.
 *
 * What a chain cannot show by itself: removing records from the end, or rewriting the whole
 * file with recomputed hashes. Only a head kept somewhere else (`expectedHead`) catches those.
 */
import { auditRecordSchema, GENESIS_HEAD, recordHash, serializeRecord, type AuditHead, type AuditRecord } from './audit-record';
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
  | 'invalid rotation record';

export type AuditVerification =
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
    };

export interface VerifyOptions {
  /** A head recorded outside the file; the chain must contain exactly this record. */
  expectedHead?: AuditHead;
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
  if (serializeRecord(parsed.data) !== line) {
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
  let head: AuditHead = GENESIS_HEAD;
  let count = 0;
  let rotatedFrom: RotationStart | undefined;
  const broken = (line: number, seq: number | null, reason: AuditBreakReason, message: string): AuditVerification => ({
    ok: false,
    count,
    head,
    brokenAt: { line, seq },
    reason,
    message,
    ...(rotatedFrom && { rotatedFrom }),
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
  return { ok: true, count, head, ...(rotatedFrom && { rotatedFrom }) };
}

function readSeq(value: unknown): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const seq = (value as { seq?: unknown }).seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : null;
}
