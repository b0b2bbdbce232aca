/**
 * The audit log file: append-only JSON lines in the user data folder, each record
 * hash-chained to the one before it (record format and hashing in audit-record.ts, checks in
 * audit-chain.ts).
 *
 * Writing: appends run one at a time in call order; each opens the file with O_APPEND, writes
 * one whole line, fsyncs and closes, keeps the head in the vault when anchored (see below), and
 * only then resolves. A failed write is cut back to the
 * size before it, so a later append never lands after half a line. The file is created 0600.
 * Opening per append (rather than holding a descriptor) means a deleted or replaced file is
 * written anew, and the chain, continued from memory, shows the gap at its first line.
 *
 * What `open` does with the file it finds (fail closed, but never stop the app: sign-in must
 * not depend on the audit file being pristine, and the evidence must survive):
 *
 * - Chain intact: continue from its last record.
 * - Only the last line is unfinished ('truncated record': a crash or power loss cut the last
 *   write short). Every append resolves only after its whole line is written and fsynced, so
 *   such a line belongs to an append that never returned: nothing any caller was told is
 *   logged is lost. Open repairs it: a record that chains and only lacks its line end gets the
 *   line end; a cut-short record (not JSON) is cut off. Then an 'audit.log-repaired' record notes the line
 *   and how many bytes were removed, and the chain verifies again. This is the only write that
 *   is not an append. Repairing beats a log that shows "broken" after every power cut, which
 *   would teach admins to ignore the warning.
 * - Broken anywhere else (a record edited, deleted, inserted, moved, garbled): tampering or
 *   damage. Nothing is rewritten; the file is kept as evidence and `verify` keeps reporting the
 *   first broken record for good. An unfinished last line is only terminated (never cut), then
 *   one 'audit.chain-broken' record notes the break (once per break, not at every start) and
 *   the chain continues from the last readable record, so that seq stays unique and the new
 *   records chain to what precedes them on disk. `opened` tells the caller, who should warn an
 *   admin.
 *
 * While the app runs, its own head (seq and hash of the last record it wrote or read) is the
 * anchor for `verify` and `query`: records removed from the end, or a file swapped for another
 * one, are reported ('records missing', 'anchor mismatch') even though the chain in the file
 * looks whole.
 *
 * Anchoring (`AuditLogOptions.anchoring`, from the vault: audit-anchor.ts), to catch the same
 * across restarts, and forged chains:
 *
 * - Every record gets a MAC (audit-key.ts). A log that has records without one when it is first
 *   opened anchored (written by an older Portico) keeps them as unkeyed history: they verify as
 *   before, and an 'audit.keyed' record says where MACs start. The vault keeps that seq
 *   (`keyedFrom`), so that a record without a MAC from there on is reported ('mac missing').
 * - The head is kept in the vault with every append: the line is written and fsynced first,
 *   then the head. An append resolves only once both are durable. Concurrent appends share one
 *   vault write: while one is in flight, the lines of the next appends are written, and the
 *   next vault write keeps the newest head for all of them.
 * - At open, the log must hold the vault's head: shorter ('records missing': its end was cut) or
 *   another record at that seq ('anchor mismatch': rewritten) is a break like any other, noted
 *   with an 'audit.chain-broken' record, which keeps the log reported as broken at every later
 *   start too (audit-chain.ts). A log ahead of the vault's head is not: a crash between the two
 *   writes leaves it one record ahead. It is noted ('audit.head-behind', `opened.anchor`), and
 *   the head caught up. More than one record ahead means head writes failed, or the vault was
 *   put back from an older copy; the app logs that as an error.
 * - What this cannot catch: a process running as the same OS user can read the vault key (it is
 *   in that user's keychain), so it can forge MACs and the head too. Only records forwarded off
 *   the machine are out of its reach.
 *
 * Retention (`retentionDays`, the policy's `audit.retentionDays`; 0 or unset keeps everything):
 * after the steps above, `open` rotates the file into an archive when it is due and deletes the
 * archives past the retention period (the rules are in audit-rotation.ts). An append-only chain
 * cannot drop its oldest records, so the new file starts with an 'audit.rotated' record that
 * continues the chain from the archive's last record (seq keeps counting). Rotation is crash-safe:
 * the new file is written first as `audit.jsonl.rotating`, then the current file is renamed to
 * the archive, then the new file into place; an `open` that finds only the `.rotating` file
 * finishes the job. Deleting is the only destructive step, and it is narrow: only files named
 * like an archive (`audit-<date>-<seq>.jsonl`), only regular files, never the current file, and
 * never an archive whose chain is broken or does not match the rotation record after it (kept
 * as evidence, noted once per current file with an 'audit.archive-broken' record). Each deletion
 * is itself logged ('audit.archive-deleted'). A failure here is reported in `opened.retention`
 * and never stops the app. Deletion trusts the system clock, which only an OS admin can set.
 *
 * Size: `open`, `verify` and `query` read the whole current file (about 300 bytes a record, so a
 * million records is 300 MB). Fine for an employee app's sign-ins; with retention on, rotation
 * bounds it to a rotation period (at most 30 days) of records. `open` also reads every archive
 * when retention is on.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../platform';
import { parseAuditText, verifyAuditText, type AuditVerification, type VerifyOptions } from './audit-chain';
import { queryAuditText, parseAuditQuery, type AuditQuery, type AuditQueryResult } from './audit-query';
import {
  ARCHIVE_NAME,
  archiveFileName,
  checkHandOff,
  isExpired,
  isRotationDue,
  rotationDetails,
  type RotationStart,
} from './audit-rotation';
import {
  GENESIS_HEAD,
  normaliseEvent,
  sealRecord,
  serializeRecord,
  type AuditEvent,
  type AuditHead,
  type AuditRecord,
} from './audit-record';
import { syncDir } from '../util/sync-dir';
import type { AuditAnchoring } from './audit-anchor';
import type { AuditKey } from './audit-key';
import type { AuditForwarder } from './audit-forward';

/** The log's file name in the user data folder. */
export const AUDIT_FILE = 'audit.jsonl';

export interface AuditLogOptions {
  clock: Clock;
  /**
   * The MAC key and the head kept in the vault (audit-anchor.ts). The app always passes it;
   * without it (tests of the file handling) records carry no MAC and nothing outlives the process.
   */
  anchoring?: AuditAnchoring;
  /** Keep records at least this many days, in rotated archives (audit-rotation.ts); 0 or unset keeps everything. */
  retentionDays?: number;
  /** Also sends each record, once on disk, off the computer (audit-forward.ts); never waits for it. */
  forward?: AuditForwarder;
}

/** What retention did at open. */
export interface AuditRetentionReport {
  /** The current file was renamed to this archive, and the new file starts with an 'audit.rotated' record. */
  rotated: { archive: string; lastSeq: number } | null;
  /** Archives deleted: past the retention period, intact, and matching the file after them. */
  deleted: string[];
  /** Archives kept although named like one: their chain is broken, or the file after them does not continue them. */
  kept: { archive: string; reason: string }[];
  /** A step that failed (the log carries on with the current file). */
  error: string | null;
}

/** What `open` found when comparing the log with the head kept in the vault. */
export interface AuditAnchorReport {
  /** The head the vault held (null: none yet, the log was anchored for the first time). */
  vaultHead: AuditHead | null;
  /**
   * Records the intact log holds after the vault's head (0 when broken): 1 after a crash between
   * a line and its head; more when head writes failed or the vault was put back from an older copy.
   */
  behindBy: number;
  /** Records from this seq on carry a MAC; those before are unkeyed history. */
  keyedFrom: number;
}

/** What `open` found and did. */
export interface AuditOpenReport {
  /** The file as found, before any repair. */
  verification: AuditVerification;
  /** An unfinished last line was repaired (and noted with an 'audit.log-repaired' record). */
  repaired: { line: number; removedBytes: number } | null;
  /** The chain was broken (not repairable): the break is noted and stays reported by `verify`. */
  broken: boolean;
  /** Null when retention is off. */
  retention: AuditRetentionReport | null;
  /** Null without anchoring. */
  anchor: AuditAnchorReport | null;
}

export type AuditLogErrorCode = 'AUDIT_UNREADABLE' | 'AUDIT_WRITE_FAILED';

export class AuditLogError extends Error {
  constructor(
    readonly code: AuditLogErrorCode,
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'AuditLogError';
  }
}

const APPEND_FLAGS = fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT;
/** The next file of a rotation, before it takes the current file's place. */
const ROTATING_SUFFIX = '.rotating';

export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  /** The seq of the newest head kept in the vault, and the vault write in flight, if any. */
  private anchoredSeq = 0;
  private anchorWrite: Promise<void> | null = null;

  private constructor(
    readonly file: string,
    private readonly clock: Clock,
    private currentHead: AuditHead,
    private opening: AuditOpenReport,
    private readonly anchoring: AuditAnchoring | null,
    /** Records from this seq on carry a MAC (with anchoring). */
    private keyedFrom: number | null,
    private readonly forward: AuditForwarder | null,
  ) {}

  static async open(file: string, options: AuditLogOptions): Promise<AuditLog> {
    const log = await AuditLog.openFile(file, options);
    const days = options.retentionDays ?? 0;
    if (Number.isFinite(days) && days > 0) log.opening = { ...log.opening, retention: await log.applyRetention(days) };
    // E.g. a rotation record: the vault's head follows the file before anyone else writes.
    await log.anchorUpTo(log.currentHead.seq);
    return log;
  }

  private static async openFile(file: string, options: AuditLogOptions): Promise<AuditLog> {
    try {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      // A rotation cut short after the current file became an archive: its next file takes its place.
      if (!(await exists(file)) && (await exists(`${file}${ROTATING_SUFFIX}`))) {
        await fs.rename(`${file}${ROTATING_SUFFIX}`, file);
      }
      const handle = await fs.open(file, APPEND_FLAGS, 0o600);
      await handle.close();
      // An older or hand-made file may be world-readable: audit records name users and actions.
      if (process.platform !== 'win32') await fs.chmod(file, 0o600);
      await syncDir(path.dirname(file));
    } catch (error) {
      throw new AuditLogError('AUDIT_UNREADABLE', `Portico cannot open its audit log (${errorCode(error)}).`, file);
    }
    const bytes = await readLog(file);
    const text = bytes.toString('utf8');
    const anchoring = options.anchoring ?? null;
    const stored = anchoring?.store.load() ?? null;
    const checks: VerifyOptions = {
      ...(stored && { expectedHead: { seq: stored.seq, hash: stored.hash } }),
      ...(anchoring && { trust: { key: anchoring.key, keyedFrom: stored?.keyedFrom ?? null } }),
    };
    const verification = verifyAuditText(text, checks);
    const log = new AuditLog(
      file,
      options.clock,
      verification.head,
      { verification, repaired: null, broken: false, retention: null, anchor: null },
      anchoring,
      stored?.keyedFrom ?? null,
      options.forward ?? null,
    );

    // What the file holds once repaired (null: broken), and the record that says what was done.
    let intact: AuditVerification | null = verification.ok ? verification : null;
    let note: AuditEvent | null = null;
    if (!verification.ok && verification.reason === 'truncated record') {
      // Every complete line verified (the walk stops at the first break); the last part is either a
      // chained record without its line end, or not JSON at all (a record cut short). Repaired only
      // when that is the whole problem: with the vault's head, the result must still hold it.
      const cut = bytes.lastIndexOf(0x0a) + 1;
      const completed = verifyAuditText(`${text}\n`, checks);
      const withoutFragment = completed.ok ? completed : verifyAuditText(bytes.subarray(0, cut).toString('utf8'), checks);
      if (withoutFragment.ok) {
        let removedBytes = 0;
        if (completed.ok) {
          await log.writeRaw('\n');
        } else {
          removedBytes = bytes.length - cut;
          await log.cutTo(cut);
        }
        log.currentHead = withoutFragment.head;
        intact = withoutFragment;
        const line = verification.brokenAt.line;
        log.opening = { ...log.opening, repaired: { line, removedBytes } };
        note = {
          actor: null,
          action: 'audit.log-repaired',
          outcome: 'success',
          details: { reason: verification.reason, line, removedBytes },
        };
      }
    }
    if (!intact && !verification.ok) {
      log.opening = { ...log.opening, broken: true };
      // An unfinished last line is kept and terminated, never cut, so the next record starts a line.
      const unterminated = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a;
      if (unterminated) await log.writeRaw('\n');
      const entries = parseAuditText(unterminated ? `${text}\n` : text);
      const last = entries.findLast((e) => e.record !== null)?.record;
      log.currentHead = last ? { seq: last.seq, hash: last.hash } : GENESIS_HEAD;
      const { line, seq } = verification.brokenAt;
      const alreadyNoted =
        verification.notedBy !== undefined ||
        entries.some(
          ({ line: at, record }) =>
            at >= line &&
            record?.action === 'audit.chain-broken' &&
            record.details?.brokenLine === line &&
            record.details.reason === verification.reason,
        );
      if (!alreadyNoted) {
        note = {
          actor: null,
          action: 'audit.chain-broken',
          outcome: 'failure',
          details: { reason: verification.reason, brokenLine: line, brokenSeq: seq },
        };
      }
    }

    // Before any record with a MAC: the vault holds the head, and from which seq records carry one.
    let behindBy = 0;
    if (anchoring) {
      const head = log.currentHead;
      if (stored) {
        // A log shorter than the vault's head (broken) must still move the head with its next record.
        log.anchoredSeq = Math.min(stored.seq, head.seq);
        behindBy = intact ? Math.max(0, intact.head.seq - stored.seq) : 0;
      } else {
        log.keyedFrom = head.seq + 1;
        await log.saveAnchor(head);
        log.anchoredSeq = head.seq;
      }
      const vaultHead = stored && { seq: stored.seq, hash: stored.hash };
      log.opening = { ...log.opening, anchor: { vaultHead, behindBy, keyedFrom: log.keyedFrom! } };
    }
    // The break or repair first: it is what an admin must see.
    if (note) await log.append(note);
    if (anchoring && !stored && log.keyedFrom! > 1) {
      await log.append({
        actor: null,
        action: 'audit.keyed',
        outcome: 'success',
        details: { firstSeq: log.keyedFrom!, previousRecords: log.keyedFrom! - 1 },
      });
    }
    if (behindBy > 0) {
      await log.append({
        actor: null,
        action: 'audit.head-behind',
        outcome: 'success',
        details: { vaultSeq: stored!.seq, logSeq: intact!.head.seq },
      });
    }
    return log;
  }

  /** Stops forwarding (at quit); the file needs no closing, each write opens and closes it. */
  async close(): Promise<void> {
    await this.forward?.close();
  }

  /** What `open` found and did; the caller warns an admin when `broken`. */
  get opened(): AuditOpenReport {
    return this.opening;
  }

  /** The last record written or read. */
  get head(): AuditHead {
    return this.currentHead;
  }

  /**
   * Logs one event and resolves with its record once it is on disk (written and fsynced) and,
   * with anchoring, the vault holds a head at or after it. Calls are serialised in call order.
   * Rejects with AuditEventError (nothing written) for an invalid event, such as a secret-looking
   * detail, and with AuditLogError when the write fails (the line may then be on disk, with the
   * vault's head behind it: the next append or start catches the head up).
   */
  async append(event: AuditEvent): Promise<AuditRecord> {
    const normalised = normaliseEvent(event);
    // The time the event happened (the call), not when its turn to write came.
    const at = this.clock.now();
    const record = await this.enqueue(async () => {
      const record = sealRecord(this.currentHead, normalised, at, this.key);
      await this.writeRaw(`${serializeRecord(record)}\n`);
      this.currentHead = { seq: record.seq, hash: record.hash };
      this.forward?.send(record);
      return record;
    });
    await this.anchorUpTo(record.seq);
    return record;
  }

  /** Newest first, with the whole file's verification. Rejects with AuditQueryError for an invalid query. */
  async query(query: AuditQuery = {}): Promise<AuditQueryResult> {
    parseAuditQuery(query); // fail before queueing
    // Runs in the append queue: it never sees a line being written.
    return this.enqueue(async () => queryAuditText(await this.readText(), query, this.checks()));
  }

  /** Re-reads the file and checks the chain, up to the head this process knows, and every MAC. */
  async verify(): Promise<AuditVerification> {
    return this.enqueue(async () => verifyAuditText(await this.readText(), this.checks()));
  }

  private get key(): AuditKey | undefined {
    return this.anchoring?.key;
  }

  private archiveChecks(): VerifyOptions {
    return this.anchoring ? { trust: { key: this.anchoring.key, keyedFrom: this.keyedFrom } } : {};
  }

  private checks(): VerifyOptions {
    const trust = this.anchoring && { key: this.anchoring.key, keyedFrom: this.keyedFrom };
    return { expectedHead: this.currentHead, ...(trust && { trust }) };
  }

  /**
   * Resolves once the vault holds a head at or after `seq` (whose line is already on disk).
   * One vault write at a time; it takes the newest head, so appends waiting meanwhile share it.
   */
  private anchorUpTo(seq: number): Promise<void> {
    if (!this.anchoring || this.anchoredSeq >= seq) return Promise.resolve();
    if (!this.anchorWrite) {
      const head = this.currentHead;
      this.anchorWrite = this.saveAnchor(head).then(
        () => {
          this.anchorWrite = null;
          this.anchoredSeq = Math.max(this.anchoredSeq, head.seq);
        },
        (error: unknown) => {
          this.anchorWrite = null;
          throw error;
        },
      );
    }
    return this.anchorWrite.then(() => this.anchorUpTo(seq));
  }

  private async saveAnchor(head: AuditHead): Promise<void> {
    try {
      await this.anchoring!.store.save({ seq: head.seq, hash: head.hash, keyedFrom: this.keyedFrom ?? head.seq + 1 });
    } catch (error) {
      throw new AuditLogError(
        'AUDIT_WRITE_FAILED',
        `Portico wrote the audit record but could not keep the log's head in its vault (${errorCode(error)}).`,
        this.file,
      );
    }
  }

  /** Rotation, then deletion of expired archives; runs in `open`, before anyone else has the log. */
  private async applyRetention(days: number): Promise<AuditRetentionReport> {
    const report: AuditRetentionReport = { rotated: null, deleted: [], kept: [], error: null };
    // A broken file stays current, so that the Audit log screen keeps showing the break.
    if (!this.opening.broken) {
      try {
        await this.rotateIfDue(days, report);
      } catch (error) {
        report.error = `The audit log could not be rotated (${errorCode(error)}).`;
      }
    }
    try {
      await this.deleteExpiredArchives(days, report);
    } catch (error) {
      report.error ??= `Old audit archives could not be deleted (${errorCode(error)}).`;
    }
    return report;
  }

  private async rotateIfDue(days: number, report: AuditRetentionReport): Promise<void> {
    const now = this.clock.now();
    const first = parseAuditText(await this.readText())[0]?.record;
    if (!first || !isRotationDue(first.at, now, days)) return;
    const dir = path.dirname(this.file);
    const head = this.currentHead;
    const archive = archiveFileName(first.at, head.seq);
    const archivePath = path.join(dir, archive);
    if (await exists(archivePath)) {
      // Never overwrite what may be another archive; the next start tries again.
      report.error = `The audit log was not rotated: ${archive} already exists.`;
      return;
    }
    const rotated = sealRecord(
      head,
      normaliseEvent({ actor: null, action: 'audit.rotated', outcome: 'success', details: rotationDetails(archive, head) }),
      now,
      this.key,
    );
    const next = `${this.file}${ROTATING_SUFFIX}`;
    await writeWhole(next, `${serializeRecord(rotated)}\n`);
    await fs.rename(this.file, archivePath);
    try {
      await fs.rename(next, this.file);
    } catch (error) {
      // Put the current file back rather than leave the chain to restart without its rotation record.
      await fs.rename(archivePath, this.file).catch(() => undefined);
      throw error;
    }
    await syncDir(dir);
    this.currentHead = { seq: rotated.seq, hash: rotated.hash };
    this.forward?.send(rotated);
    report.rotated = { archive, lastSeq: head.seq };
  }

  private async deleteExpiredArchives(days: number, report: AuditRetentionReport): Promise<void> {
    const now = this.clock.now();
    const dir = path.dirname(this.file);
    const currentText = await this.readText();
    const current = verifyAuditText(currentText);
    const noted = parseAuditText(currentText)
      .map(({ record }) => record)
      .filter((r) => r?.action === 'audit.archive-broken');

    interface Archive {
      name: string;
      verification: AuditVerification;
      newestAt: number;
      firstSeq: number | null;
    }
    const archives: Archive[] = [];
    const unreadable: string[] = [];
    for (const name of (await fs.readdir(dir)).filter((n) => ARCHIVE_NAME.test(n)).sort()) {
      const file = path.join(dir, name);
      // Only regular files: a link or folder with an archive's name is not ours to remove.
      const stat = await fs.lstat(file).catch(() => null);
      if (!stat?.isFile()) continue;
      let text: string;
      try {
        text = (await fs.readFile(file)).toString('utf8');
      } catch {
        unreadable.push(name);
        continue;
      }
      const records = parseAuditText(text).flatMap(({ record }) => (record ? [record] : []));
      archives.push({
        name,
        // With the key: an archive whose MACs fail is evidence too, and never deleted.
        verification: verifyAuditText(text, this.archiveChecks()),
        // By time, not position: a clock set back must not make an archive look older than it is.
        newestAt: records.reduce((max, r) => Math.max(max, Date.parse(r.at)), -Infinity),
        firstSeq: records[0]?.seq ?? null,
      });
    }
    // The file after each archive: the one whose rotation record names it.
    const successors = new Map<string, AuditVerification>();
    for (const v of [...archives.map((a) => a.verification), current]) {
      const start: RotationStart | undefined = v.rotatedFrom;
      if (start) successors.set(start.archive, v);
    }

    const keep = async (archive: string, reason: string, brokenLine: number | null): Promise<void> => {
      report.kept.push({ archive, reason });
      if (noted.some((r) => r?.details?.archive === archive && r.details.reason === reason)) return;
      await this.append({
        actor: null,
        action: 'audit.archive-broken',
        outcome: 'failure',
        details: { archive, reason, brokenLine },
      });
    };
    for (const name of unreadable) report.kept.push({ archive: name, reason: 'unreadable' });
    for (const { name, verification, newestAt, firstSeq } of archives) {
      if (!verification.ok) {
        await keep(name, verification.reason, verification.brokenAt.line);
        continue;
      }
      const successor = successors.get(name);
      const handOff = successor ? checkHandOff(name, verification, successor) : { ok: true as const };
      if (!handOff.ok) {
        await keep(name, 'not continued by the next file', null);
        continue;
      }
      if (!isExpired(newestAt, now, days)) continue;
      await fs.unlink(path.join(dir, name));
      report.deleted.push(name);
      await this.append({
        actor: null,
        action: 'audit.archive-deleted',
        outcome: 'success',
        details: {
          archive: name,
          firstSeq,
          lastSeq: verification.head.seq,
          newestAt: new Date(newestAt).toISOString(),
          retentionDays: days,
        },
      });
    }
    if (report.deleted.length > 0) await syncDir(dir);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async readText(): Promise<string> {
    return (await readLog(this.file)).toString('utf8');
  }

  private async writeRaw(data: string): Promise<void> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.file, APPEND_FLAGS, 0o600);
      const { size } = await handle.stat();
      try {
        await handle.writeFile(data, 'utf8');
        await handle.sync();
      } catch (error) {
        // Never leave half a line for the next append to be glued to.
        await handle.truncate(size).catch(() => undefined);
        throw error;
      }
    } catch (error) {
      throw new AuditLogError('AUDIT_WRITE_FAILED', `Portico could not write to its audit log (${errorCode(error)}).`, this.file);
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private async cutTo(size: number): Promise<void> {
    try {
      const handle = await fs.open(this.file, 'r+');
      try {
        await handle.truncate(size);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new AuditLogError('AUDIT_WRITE_FAILED', `Portico could not repair its audit log (${errorCode(error)}).`, this.file);
    }
  }
}

async function readLog(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    // Deleted while the app runs: an empty chain, which the in-memory head then reports as 'records missing'.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw new AuditLogError('AUDIT_UNREADABLE', `Portico cannot read its audit log (${errorCode(error)}).`, file);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Writes a whole new file (replacing a stale one, but never through a symbolic link), 0600, fsynced. */
async function writeWhole(file: string, data: string): Promise<void> {
  const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | (fsConstants.O_NOFOLLOW ?? 0);
  const handle = await fs.open(file, flags, 0o600);
  try {
    if (process.platform !== 'win32') await handle.chmod(0o600);
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'I/O error';
}

/**
 * Says in the app's log what comparing the log with the vault's head found: one record ahead
 * is a crash between the two writes; more means the vault's head writes failed, or the vault
 * was put back from an older copy (which would let records removed since go unnoticed).
 */
export function logAnchorReport(
  report: AuditAnchorReport | null,
  log: {
    info(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
  },
): void {
  if (!report) return;
  const fields = { vaultSeq: report.vaultHead?.seq ?? null, behindBy: report.behindBy };
  if (report.vaultHead === null)
    log.info('Audit log anchored in the vault; records from now on carry a MAC', { keyedFrom: report.keyedFrom });
  else if (report.behindBy === 1)
    log.info('Audit log was one record ahead of its head in the vault (an interrupted write)', fields);
  else if (report.behindBy > 1)
    log.error(
      'Audit log was several records ahead of its head in the vault: head writes failed, or the vault is an older copy',
      fields,
    );
}
