/**
 * Retention for a hash chain that cannot drop its oldest records: the pure rules (no file
 * access), shared by the log (audit-log.ts), the chain check (audit-chain.ts) and
 * `npm run audit:verify`.
 *
 * With `audit.retentionDays` = N > 0, at each start of Portico:
 *
 * - Rotation: once the current file's first record is `rotationPeriodDays(N)` days old
 *   (N / 10, at least 1 and at most 30), the file is renamed to an archive,
 *   `audit-<date of its first record>-<its last seq>.jsonl` beside it, and a new file starts
 *   with a rotation record ('audit.rotated'). That record continues the chain: its seq follows
 *   the archive's last one, its `prev` is the archive's last hash, and its details name the
 *   archive and repeat its last seq and hash (`archiveLastSeq`, `archiveHead`) for a person
 *   reading the Audit log screen, which shows details but not `prev`. A file that starts with
 *   such a record verifies on its own; `checkHandOff` checks it against the archive.
 * - Deletion: an archive is deleted once its newest record is N days old, so that records are
 *   kept at least N days and at most about N + N/10 days (plus the time until the next start).
 *   An archive is never deleted when its own chain is broken or it does not match the rotation
 *   record of the file after it: it is evidence, and an 'audit.archive-broken' record says so.
 *
 * A broken current file is not rotated: it stays the file the Audit log screen shows, so that the
 * break keeps being reported, until someone deals with it.
 */
import type { AuditVerification } from './audit-chain';
import type { AuditHead, AuditRecord } from './audit-record';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** `audit-2026-01-05-1234.jsonl`: the UTC date of the archive's first record and the seq of its last one. */
export const ARCHIVE_NAME = /^audit-(\d{4}-\d{2}-\d{2})-([1-9]\d{0,15})\.jsonl$/;

/** The action of the first record of a file that continues an archived one. */
export const ROTATED_ACTION = 'audit.rotated';

/** How old (in days) the current file's first record must be before the file is rotated. */
export function rotationPeriodDays(retentionDays: number): number {
  return Math.min(30, Math.max(1, Math.floor(retentionDays / 10)));
}

/** Whether the current file, whose first record was written at `firstAt`, is rotated now. */
export function isRotationDue(firstAt: string, nowMs: number, retentionDays: number): boolean {
  if (!(retentionDays > 0)) return false;
  const first = Date.parse(firstAt);
  return Number.isFinite(first) && nowMs - first >= rotationPeriodDays(retentionDays) * DAY_MS;
}

/** Whether an archive whose newest record was written at `newestAtMs` is past the retention period. */
export function isExpired(newestAtMs: number, nowMs: number, retentionDays: number): boolean {
  return retentionDays > 0 && Number.isFinite(newestAtMs) && nowMs - newestAtMs >= retentionDays * DAY_MS;
}

export function archiveFileName(firstAt: string, lastSeq: number): string {
  return `audit-${firstAt.slice(0, 10)}-${lastSeq}.jsonl`;
}

/** Where a rotated file's chain starts: the archive it continues and that archive's last record. */
export interface RotationStart {
  archive: string;
  head: AuditHead;
}

/**
 * The start of the chain a rotation record continues, or why the record is not a valid one.
 * Checks only the record itself (its hash is checked by the caller); the archive, when at hand,
 * is checked with `checkHandOff`.
 */
export function readRotationStart(record: AuditRecord): RotationStart | { problem: string } {
  const details = record.details ?? {};
  const { archive, archiveLastSeq, archiveHead } = details;
  const name = typeof archive === 'string' ? ARCHIVE_NAME.exec(archive) : null;
  if (!name) return { problem: 'it does not name an archive file' };
  if (archiveLastSeq !== record.seq - 1 || record.seq < 2 || name[2] !== String(archiveLastSeq)) {
    return { problem: 'its seq does not follow the last seq of the archive it names' };
  }
  if (archiveHead !== record.prev) return { problem: 'its prev is not the archive head it names' };
  return { archive: archive as string, head: { seq: archiveLastSeq, hash: record.prev } };
}

/** The details of the rotation record that continues an archive whose last record is `head`. */
export function rotationDetails(archive: string, head: AuditHead): Record<string, string | number> {
  return { archive, archiveLastSeq: head.seq, archiveHead: head.hash };
}

export type HandOffCheck = { ok: true } | { ok: false; message: string };

/**
 * Whether the file after an archive (`next`, verified) continues exactly where the archive
 * (`archive`, verified, named `archiveName`) ends: its first record is a rotation record naming
 * the archive, with the archive's last seq and hash.
 */
export function checkHandOff(archiveName: string, archive: AuditVerification, next: AuditVerification): HandOffCheck {
  if (!archive.ok) return { ok: false, message: `${archiveName} is broken itself (${archive.reason}).` };
  const start = next.rotatedFrom;
  if (!start) return { ok: false, message: `The next file does not start with a valid rotation record.` };
  if (start.archive !== archiveName) {
    return { ok: false, message: `The next file continues ${start.archive}, not ${archiveName}.` };
  }
  if (start.head.seq !== archive.head.seq || start.head.hash !== archive.head.hash) {
    return {
      ok: false,
      message:
        `The next file continues ${archiveName} from record ${start.head.seq} (hash ${start.head.hash}), but the archive ` +
        `ends at record ${archive.head.seq} (hash ${archive.head.hash}): records were removed from its end, or it was replaced.`,
    };
  }
  return { ok: true };
}
