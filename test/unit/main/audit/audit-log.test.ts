import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_FILE, AuditLog, AuditLogError } from '../../../../main/audit/audit-log';
import { verifyAuditText } from '../../../../main/audit/audit-chain';
import { AuditQueryError } from '../../../../main/audit/audit-query';
import { AuditEventError, GENESIS_HASH, serializeRecord, type AuditEvent } from '../../../../main/audit/audit-record';
import { anchoringFromVault, type AuditAnchoring } from '../../../../main/audit/audit-anchor';
import { FakeClock, openTestVault, tempDir } from '../../helpers';
import { buildChain, toText } from './audit-fixtures';

const signIn = (actor: string): AuditEvent => ({
  actor,
  action: 'auth.sign-in',
  outcome: 'success',
  details: { provider: 'local' },
});

async function logFile(): Promise<string> {
  return path.join(await tempDir(), 'userData', AUDIT_FILE);
}

/** The MAC key and head store of a fresh vault on the real OS keychain. */
async function vaultAnchoring(): Promise<AuditAnchoring> {
  return anchoringFromVault((await openTestVault()).vault);
}

async function readLines(file: string): Promise<string[]> {
  return (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

async function writeLines(file: string, lines: string[]): Promise<void> {
  await fs.writeFile(file, lines.map((l) => `${l}\n`).join(''));
}

describe('AuditLog: writing', () => {
  it('creates the file (and its folder) with mode 0600 at open', async () => {
    const file = await logFile();
    const log = await AuditLog.open(file, { clock: new FakeClock() });
    expect(await fs.readFile(file, 'utf8')).toBe('');
    if (process.platform !== 'win32') expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(log.head).toEqual({ seq: 0, hash: GENESIS_HASH });
    expect(log.opened).toMatchObject({ verification: { ok: true, count: 0 }, repaired: null, broken: false });
  });

  it('tightens an existing world-readable file to 0600', async () => {
    if (process.platform === 'win32') return;
    const file = await logFile();
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '', { mode: 0o644 });
    await fs.chmod(file, 0o644);
    await AuditLog.open(file, { clock: new FakeClock() });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('appends one canonical line per event, with the clock time, and resolves with the record', async () => {
    const file = await logFile();
    const clock = new FakeClock();
    const log = await AuditLog.open(file, { clock });
    const first = await log.append(signIn('alice'));
    clock.advance(1500);
    const second = await log.append({ actor: 'alice', action: 'auth.sign-out', outcome: 'success' });
    expect(first).toMatchObject({ seq: 1, at: '2026-01-05T09:00:00.000Z', actor: 'alice', prev: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, at: '2026-01-05T09:00:01.500Z', prev: first.hash });
    expect(await readLines(file)).toEqual([serializeRecord(first), serializeRecord(second)]);
    expect(log.head).toEqual({ seq: 2, hash: second.hash });
    expect(await log.verify()).toEqual({ ok: true, count: 2, head: log.head, unkeyed: 2, macsChecked: false });
  });

  it('keeps call order and the chain under concurrent appends', async () => {
    const file = await logFile();
    const log = await AuditLog.open(file, { clock: new FakeClock() });
    const records = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        log.append({ actor: `user${i}`, action: 'data.export', outcome: 'success', details: { call: i } }),
      ),
    );
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const lines = await readLines(file);
    expect(lines.map((l) => (JSON.parse(l) as { details: { call: number } }).details.call)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(await log.verify()).toMatchObject({ ok: true, count: 100 });
  });

  it('refuses a secret-looking detail without writing anything or disturbing the chain', async () => {
    const file = await logFile();
    const log = await AuditLog.open(file, { clock: new FakeClock() });
    await log.append(signIn('alice'));
    const results = await Promise.allSettled([
      log.append({ actor: 'alice', action: 'auth.sign-in-failed', outcome: 'failure', details: { password: 'hunter2' } }),
      log.append({ actor: 'bob', action: 'auth.sign-in', outcome: 'success', details: { idToken: 'x' } }),
      log.append(signIn('carol')),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.any(AuditEventError) });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(AuditEventError) });
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { seq: 2, actor: 'carol' } });
    const text = await fs.readFile(file, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('idToken');
    expect(verifyAuditText(text)).toMatchObject({ ok: true, count: 2 });
  });

  it('rejects with AuditLogError when the write fails, and continues the chain afterwards', async () => {
    const file = await logFile();
    const log = await AuditLog.open(file, { clock: new FakeClock() });
    await log.append(signIn('alice'));
    const saved = await fs.readFile(file);
    await fs.rm(file);
    await fs.mkdir(file); // the path is now a folder: open for writing fails (even as root)
    const error = await log.append(signIn('bob')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditLogError);
    expect(error).toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    expect(log.head.seq).toBe(1);
    await fs.rmdir(file);
    await fs.writeFile(file, saved);
    expect(await log.append(signIn('carol'))).toMatchObject({ seq: 2 });
    expect(await log.verify()).toMatchObject({ ok: true, count: 2 });
  });

  it('reports an unreadable path at open with AuditLogError', async () => {
    const file = await logFile();
    await fs.mkdir(file, { recursive: true });
    await expect(AuditLog.open(file, { clock: new FakeClock() })).rejects.toMatchObject({
      name: 'AuditLogError',
      code: 'AUDIT_UNREADABLE',
    });
  });
});

describe('AuditLog: reopening', () => {
  it('continues the chain from the last record', async () => {
    const file = await logFile();
    const first = await AuditLog.open(file, { clock: new FakeClock() });
    for (const user of ['alice', 'bob', 'carol']) await first.append(signIn(user));
    const second = await AuditLog.open(file, { clock: new FakeClock() });
    expect(second.head).toEqual(first.head);
    expect(second.opened).toMatchObject({ verification: { ok: true, count: 3 }, repaired: null, broken: false });
    const next = await second.append(signIn('dave'));
    expect(next).toMatchObject({ seq: 4, prev: first.head.hash });
    expect(await second.verify()).toMatchObject({ ok: true, count: 4 });
  });

  it('repairs a last line cut short by a crash: cuts it, notes the repair, and the chain verifies', async () => {
    const file = await logFile();
    const log = await AuditLog.open(file, { clock: new FakeClock() });
    for (const user of ['alice', 'bob', 'carol']) await log.append(signIn(user));
    const whole = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, `${whole}{"action":"auth.sign-in","actor":"da`);

    const reopened = await AuditLog.open(file, { clock: new FakeClock() });
    expect(reopened.opened).toMatchObject({
      verification: { ok: false, reason: 'truncated record', brokenAt: { line: 4, seq: null } },
      repaired: { line: 4, removedBytes: 36 },
      broken: false,
    });
    const lines = await readLines(file);
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3]!)).toMatchObject({
      seq: 4,
      action: 'audit.log-repaired',
      actor: null,
      details: { reason: 'truncated record', line: 4, removedBytes: 36 },
    });
    expect(await reopened.verify()).toMatchObject({ ok: true, count: 4 });
    expect(await reopened.append(signIn('dave'))).toMatchObject({ seq: 5 });
  });

  it('keeps a whole record that only lost its line end', async () => {
    const file = await logFile();
    const log = await AuditLog.open(file, { clock: new FakeClock() });
    for (const user of ['alice', 'bob']) await log.append(signIn(user));
    const whole = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, whole.slice(0, -1));

    const reopened = await AuditLog.open(file, { clock: new FakeClock() });
    expect(reopened.opened.repaired).toEqual({ line: 2, removedBytes: 0 });
    const lines = await readLines(file);
    expect(lines.map((l) => (JSON.parse(l) as { actor: string | null }).actor)).toEqual(['alice', 'bob', null]);
    expect(await reopened.verify()).toMatchObject({ ok: true, count: 3 });
  });

  it('keeps a tampered file as evidence, notes the break once, and verify keeps reporting it', async () => {
    const file = await logFile();
    const original = buildChain(6);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const lines = original.map(serializeRecord);
    lines[2] = serializeRecord({ ...original[2]!, actor: 'mallory' });
    await writeLines(file, lines);
    const tampered = await fs.readFile(file, 'utf8');

    const log = await AuditLog.open(file, { clock: new FakeClock() });
    expect(log.opened).toMatchObject({
      verification: { ok: false, reason: 'hash mismatch', brokenAt: { line: 3, seq: 3 } },
      repaired: null,
      broken: true,
    });
    const after = await fs.readFile(file, 'utf8');
    expect(after.startsWith(tampered)).toBe(true); // nothing rewritten
    const note = JSON.parse((await readLines(file))[6]!) as unknown;
    expect(note).toMatchObject({
      seq: 7,
      prev: original[5]!.hash,
      action: 'audit.chain-broken',
      outcome: 'failure',
      details: { reason: 'hash mismatch', brokenLine: 3, brokenSeq: 3 },
    });
    await log.append(signIn('alice'));
    expect(await log.verify()).toMatchObject({ ok: false, reason: 'hash mismatch', brokenAt: { line: 3, seq: 3 } });

    // A restart notes the same break only once.
    const again = await AuditLog.open(file, { clock: new FakeClock() });
    expect(again.opened.broken).toBe(true);
    expect(await readLines(file)).toHaveLength(8);
    expect(await again.append(signIn('bob'))).toMatchObject({ seq: 9 });
    const query = await again.query({ action: 'audit.chain-broken' });
    expect(query.records).toHaveLength(1);
    expect(query.records[0]!.verified).toBe(false);
  });

  it('terminates, but keeps, an unfinished last line behind an earlier break', async () => {
    const file = await logFile();
    const original = buildChain(4);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const text = toText([original[0]!, original[2]!, original[3]!]) + '{"action":"auth.si';
    await fs.writeFile(file, text);
    const log = await AuditLog.open(file, { clock: new FakeClock() });
    expect(log.opened).toMatchObject({ verification: { reason: 'prev mismatch', brokenAt: { line: 2 } }, broken: true });
    const after = await fs.readFile(file, 'utf8');
    expect(after.startsWith(`${text}\n`)).toBe(true);
    expect(await log.verify()).toMatchObject({ ok: false, reason: 'prev mismatch', brokenAt: { line: 2, seq: 3 } });
    // The note continues from the last readable record.
    expect(log.head.seq).toBe(5);
  });

  it('does not repair a cut-short last line when records before it are missing too', async () => {
    const file = await logFile();
    const anchoring = await vaultAnchoring();
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    for (const user of ['alice', 'bob', 'carol']) await log.append(signIn(user));
    const lines = await readLines(file);
    const text = `${lines[0]}\n${lines[1]!.slice(0, 50)}`;
    await fs.writeFile(file, text);
    const reopened = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    expect(reopened.opened).toMatchObject({ verification: { reason: 'truncated record' }, repaired: null, broken: true });
    expect((await fs.readFile(file, 'utf8')).startsWith(`${text}\n`)).toBe(true);
    expect(JSON.parse((await readLines(file))[2]!)).toMatchObject({ seq: 2, action: 'audit.chain-broken' });
  });

  it('continues after an unterminated whole record that does not chain, without reusing its seq', async () => {
    const file = await logFile();
    const original = buildChain(4);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const text = toText(original.slice(0, 2)) + serializeRecord(original[3]!);
    await fs.writeFile(file, text);
    const log = await AuditLog.open(file, { clock: new FakeClock() });
    expect(log.opened).toMatchObject({ verification: { reason: 'prev mismatch', brokenAt: { line: 3, seq: 4 } }, broken: true });
    expect(log.head.seq).toBe(5);
    expect((await fs.readFile(file, 'utf8')).startsWith(`${text}\n`)).toBe(true);
  });

  it('reports a log that does not hold the head kept in the vault', async () => {
    const file = await logFile();
    const anchoring = await vaultAnchoring();
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    for (const user of ['alice', 'bob', 'carol']) await log.append(signIn(user));
    const lines = await readLines(file);
    await writeLines(file, lines.slice(0, 2));
    const reopened = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    expect(reopened.opened).toMatchObject({ verification: { ok: false, reason: 'records missing' }, broken: true });
  });
});

describe('AuditLog: tampering while the app runs', () => {
  async function runningLog(): Promise<{ log: AuditLog; file: string }> {
    const file = await logFile();
    const log = await AuditLog.open(file, { clock: new FakeClock() });
    for (const user of ['alice', 'bob', 'carol', 'dave']) await log.append(signIn(user));
    return { log, file };
  }

  it('detects an edited record', async () => {
    const { log, file } = await runningLog();
    const lines = await readLines(file);
    lines[1] = lines[1]!.replace('"bob"', '"eve"');
    await writeLines(file, lines);
    expect(await log.verify()).toMatchObject({ ok: false, reason: 'hash mismatch', brokenAt: { line: 2, seq: 2 } });
    expect((await log.query()).verification).toMatchObject({ ok: false, brokenAt: { line: 2 } });
  });

  it('detects records removed from the end, before and after the next append', async () => {
    const { log, file } = await runningLog();
    await writeLines(file, (await readLines(file)).slice(0, 3));
    expect(await log.verify()).toMatchObject({ ok: false, reason: 'records missing', brokenAt: { line: 4, seq: 4 } });
    // The chain continues from what the app wrote, so the gap shows in the file itself too.
    const next = await log.append(signIn('erin'));
    expect(next.seq).toBe(5);
    expect(verifyAuditText(await fs.readFile(file, 'utf8'))).toMatchObject({
      ok: false,
      reason: 'prev mismatch',
      brokenAt: { line: 4, seq: 5 },
    });
  });

  it('detects a deleted file', async () => {
    const { log, file } = await runningLog();
    await fs.rm(file);
    expect(await log.verify()).toMatchObject({ ok: false, reason: 'records missing', brokenAt: { line: 1, seq: 1 } });
    await log.append(signIn('erin'));
    expect(verifyAuditText(await fs.readFile(file, 'utf8'))).toMatchObject({
      ok: false,
      reason: 'prev mismatch',
      brokenAt: { line: 1, seq: 5 },
    });
  });
});

describe('AuditLog: query', () => {
  it('filters by actor, action and time, newest first, with a limit and the verification', async () => {
    const file = await logFile();
    const clock = new FakeClock();
    const log = await AuditLog.open(file, { clock });
    const start = clock.now();
    for (let i = 0; i < 30; i += 1) {
      await log.append(
        i % 3 === 0
          ? { actor: 'admin', action: 'users.disable', outcome: 'success', target: `user${i}` }
          : signIn(i % 2 ? 'alice' : 'bob'),
      );
      clock.advance(60_000);
    }
    const admin = await log.query({ actor: 'admin' });
    expect(admin.records.map((r) => r.seq)).toEqual([28, 25, 22, 19, 16, 13, 10, 7, 4, 1]);
    expect(admin.verification).toMatchObject({ ok: true, count: 30 });
    const aliceSignIns = await log.query({ actor: 'alice', action: 'auth.sign-in', limit: 3 });
    expect(aliceSignIns.records.map((r) => r.seq)).toEqual([30, 26, 24]);
    expect(aliceSignIns.nextBeforeSeq).toBe(24);
    const window = await log.query({ from: start + 5 * 60_000, to: start + 8 * 60_000 });
    expect(window.records.map((r) => r.seq)).toEqual([8, 7, 6]);
    await expect(log.query({ limit: 5000 })).rejects.toBeInstanceOf(AuditQueryError);
  });
});
