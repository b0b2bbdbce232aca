/** Retention in AuditLog.open: rotation into archives, and deletion of the archives past the retention period. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_FILE, AuditLog } from '../../../../main/audit/audit-log';
import { verifyAuditText } from '../../../../main/audit/audit-chain';
import { checkHandOff, DAY_MS } from '../../../../main/audit/audit-rotation';
import { serializeRecord, type AuditEvent, type AuditRecord } from '../../../../main/audit/audit-record';
import { FakeClock, tempDir } from '../../helpers';
import { buildChain, headOf, T0, toText } from './audit-fixtures';

const signIn = (actor: string): AuditEvent => ({
  actor,
  action: 'auth.sign-in',
  outcome: 'success',
  details: { provider: 'local' },
});

async function setup(): Promise<{ dir: string; file: string; clock: FakeClock }> {
  const dir = path.join(await tempDir(), 'userData');
  await fs.mkdir(dir, { recursive: true });
  return { dir, file: path.join(dir, AUDIT_FILE), clock: new FakeClock(T0) };
}

async function records(file: string): Promise<AuditRecord[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
}

async function archives(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((n) => n !== AUDIT_FILE).sort();
}

/** A start of the app: open with retention, then a few sign-ins a minute apart. */
async function session(file: string, clock: FakeClock, retentionDays: number, users = ['alice', 'bob']): Promise<AuditLog> {
  const log = await AuditLog.open(file, { clock, retentionDays });
  for (const user of users) {
    await log.append(signIn(user));
    clock.advance(60_000);
  }
  return log;
}

describe('AuditLog retention: off', () => {
  it('never rotates or deletes with retentionDays 0 or unset, however old the records', async () => {
    const { dir, file, clock } = await setup();
    const old = toText(buildChain(5));
    await fs.writeFile(file, old);
    const archive = 'audit-2020-01-01-3.jsonl';
    await fs.writeFile(path.join(dir, archive), toText(buildChain(3, undefined, Date.UTC(2020, 0, 1))));
    clock.advance(3650 * DAY_MS);
    for (const retentionDays of [0, undefined]) {
      const log = await AuditLog.open(file, { clock, ...(retentionDays === undefined ? {} : { retentionDays }) });
      expect(log.opened.retention).toBeNull();
      expect(log.head.seq).toBe(5);
    }
    expect(await fs.readFile(file, 'utf8')).toBe(old);
    expect(await archives(dir)).toEqual([archive]);
  });
});

describe('AuditLog retention: rotation', () => {
  it('rotates at open once the first record is a rotation period old (retentionDays / 10), not before', async () => {
    const { dir, file, clock } = await setup();
    const first = await session(file, clock, 30, ['alice', 'bob', 'carol']);
    const archived = await fs.readFile(file, 'utf8');
    const head = first.head;

    clock.t = T0 + 3 * DAY_MS - 1;
    const early = await AuditLog.open(file, { clock, retentionDays: 30 });
    expect(early.opened.retention).toEqual({ rotated: null, deleted: [], kept: [], error: null });
    expect(await fs.readFile(file, 'utf8')).toBe(archived);

    clock.t = T0 + 3 * DAY_MS;
    const log = await AuditLog.open(file, { clock, retentionDays: 30 });
    const name = 'audit-2026-01-05-3.jsonl';
    expect(log.opened.retention).toEqual({ rotated: { archive: name, lastSeq: 3 }, deleted: [], kept: [], error: null });
    expect(log.opened.broken).toBe(false);

    // The archive is the old file, byte for byte, still 0600 and still verifying on its own.
    expect(await archives(dir)).toEqual([name]);
    expect(await fs.readFile(path.join(dir, name), 'utf8')).toBe(archived);
    if (process.platform !== 'win32') {
      expect((await fs.stat(path.join(dir, name))).mode & 0o777).toBe(0o600);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    }

    // The new file starts with the rotation record, which continues the chain.
    const [rotated, ...rest] = await records(file);
    expect(rest).toEqual([]);
    expect(rotated).toMatchObject({
      seq: 4,
      at: new Date(T0 + 3 * DAY_MS).toISOString(),
      actor: null,
      action: 'audit.rotated',
      outcome: 'success',
      prev: head.hash,
      details: { archive: name, archiveLastSeq: 3, archiveHead: head.hash },
    });
    expect(log.head).toEqual(headOf(rotated!));
    expect(await log.append(signIn('dave'))).toMatchObject({ seq: 5, prev: rotated!.hash });
    const verification = await log.verify();
    expect(verification).toEqual({
      ok: true,
      count: 2,
      head: log.head,
      rotatedFrom: { archive: name, head },
      unkeyed: 2,
      macsChecked: false,
    });
    const archive = verifyAuditText(archived);
    expect(checkHandOff(name, archive, verification)).toEqual({ ok: true });

    // The viewer reads the current file, which verifies.
    const query = await log.query();
    expect(query.records.map((r) => [r.seq, r.action, r.verified])).toEqual([
      [5, 'auth.sign-in', true],
      [4, 'audit.rotated', true],
    ]);
  });

  it('rotates a rotated file again: seq keeps counting and every hand-off checks', async () => {
    const { dir, file, clock } = await setup();
    await session(file, clock, 10); // rotation period: 1 day
    clock.t = T0 + DAY_MS;
    await session(file, clock, 10);
    clock.t = T0 + 2 * DAY_MS;
    const log = await session(file, clock, 10);
    expect(log.opened.retention?.rotated).toEqual({ archive: 'audit-2026-01-06-5.jsonl', lastSeq: 5 });
    const names = await archives(dir);
    expect(names).toEqual(['audit-2026-01-05-2.jsonl', 'audit-2026-01-06-5.jsonl']);
    const chain = [...names.map((n) => path.join(dir, n)), file];
    const results = await Promise.all(chain.map(async (f) => verifyAuditText(await fs.readFile(f, 'utf8'))));
    expect(results.map((r) => r.ok && r.head.seq)).toEqual([2, 5, 8]);
    expect(checkHandOff(names[0]!, results[0]!, results[1]!)).toEqual({ ok: true });
    expect(checkHandOff(names[1]!, results[1]!, results[2]!)).toEqual({ ok: true });
    expect((await records(file)).map((r) => r.seq)).toEqual([6, 7, 8]);
  });

  it('does not rotate an empty log', async () => {
    const { dir, file, clock } = await setup();
    await AuditLog.open(file, { clock, retentionDays: 1 });
    clock.advance(100 * DAY_MS);
    const log = await AuditLog.open(file, { clock, retentionDays: 1 });
    expect(log.opened.retention?.rotated).toBeNull();
    expect(await archives(dir)).toEqual([]);
  });

  it('does not rotate a broken log: it stays the current file, so the break stays on screen', async () => {
    const { dir, file, clock } = await setup();
    const lines = buildChain(4).map(serializeRecord);
    lines[1] = lines[1]!.replace('"bob"', '"mallory"');
    await fs.writeFile(file, lines.map((l) => `${l}\n`).join(''));
    clock.advance(10 * DAY_MS);
    const log = await AuditLog.open(file, { clock, retentionDays: 10 });
    expect(log.opened).toMatchObject({ broken: true, retention: { rotated: null, deleted: [], error: null } });
    expect(await archives(dir)).toEqual([]);
    expect(await log.verify()).toMatchObject({ ok: false, reason: 'hash mismatch', brokenAt: { line: 2 } });
  });

  it('does not overwrite a file that already has the archive name', async () => {
    const { dir, file, clock } = await setup();
    await session(file, clock, 10);
    const before = await fs.readFile(file, 'utf8');
    const taken = path.join(dir, 'audit-2026-01-05-2.jsonl');
    await fs.writeFile(taken, 'someone else’s file\n');
    clock.t = T0 + DAY_MS;
    const log = await AuditLog.open(file, { clock, retentionDays: 10 });
    expect(log.opened.retention).toMatchObject({
      rotated: null,
      // Named like an archive but not one: kept, and noted as a broken archive.
      kept: [{ archive: 'audit-2026-01-05-2.jsonl', reason: 'invalid JSON' }],
      error: expect.stringContaining('already exists'),
    });
    expect(await fs.readFile(taken, 'utf8')).toBe('someone else’s file\n');
    expect((await fs.readFile(file, 'utf8')).startsWith(before)).toBe(true);
    expect((await records(file)).map((r) => [r.seq, r.action])).toEqual([
      [1, 'auth.sign-in'],
      [2, 'auth.sign-in'],
      [3, 'audit.archive-broken'],
    ]);
  });

  it('never writes through a link planted at the temporary name, and carries on with the current file', async () => {
    if (process.platform === 'win32') return;
    const { dir, file, clock } = await setup();
    await session(file, clock, 10);
    const before = await fs.readFile(file, 'utf8');
    const outside = path.join(await tempDir(), 'victim.txt');
    await fs.writeFile(outside, 'precious\n');
    await fs.symlink(outside, `${file}.rotating`);
    clock.t = T0 + DAY_MS;
    const log = await AuditLog.open(file, { clock, retentionDays: 10 });
    expect(log.opened.retention).toMatchObject({ rotated: null, error: expect.stringContaining('could not be rotated') });
    expect(await fs.readFile(outside, 'utf8')).toBe('precious\n');
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect(await log.append(signIn('carol'))).toMatchObject({ seq: 3 });
    expect(await archives(dir)).toEqual(['audit.jsonl.rotating']);
  });

  it('finishes a rotation cut short after the current file became the archive', async () => {
    const { dir, file, clock } = await setup();
    await session(file, clock, 10);
    clock.t = T0 + DAY_MS;
    const rotated = await AuditLog.open(file, { clock, retentionDays: 10 });
    const head = rotated.head;
    // As if the last rename had not happened: the next file is still under its temporary name.
    await fs.rename(file, `${file}.rotating`);
    const log = await AuditLog.open(file, { clock, retentionDays: 10 });
    expect(log.head).toEqual(head);
    expect(log.opened.verification).toMatchObject({ ok: true, rotatedFrom: { archive: 'audit-2026-01-05-2.jsonl' } });
    expect(await archives(dir)).toEqual(['audit-2026-01-05-2.jsonl']);
  });
});

describe('AuditLog retention: deleting archives', () => {
  /** Three starts, a day apart, with retention 10: two archives (newest records on day 0 and day 1) and a current file. */
  async function history(): Promise<{ dir: string; file: string; clock: FakeClock; names: string[] }> {
    const { dir, file, clock } = await setup();
    await session(file, clock, 10);
    clock.t = T0 + DAY_MS;
    await session(file, clock, 10);
    clock.t = T0 + 2 * DAY_MS;
    await session(file, clock, 10);
    return { dir, file, clock, names: await archives(dir) };
  }

  it('deletes archives whose newest record is retentionDays old, keeps newer ones, and logs each deletion', async () => {
    const { dir, file, clock, names } = await history();
    expect(names).toEqual(['audit-2026-01-05-2.jsonl', 'audit-2026-01-06-5.jsonl']);
    const [oldest, newer] = names as [string, string];
    const oldestNewestAt = (await records(path.join(dir, oldest))).at(-1)!.at;

    clock.t = Date.parse(oldestNewestAt) + 10 * DAY_MS - 1;
    const before = await AuditLog.open(file, { clock, retentionDays: 10 });
    // The current file was a day old: rotated, and its archive is far from expired.
    expect(before.opened.retention).toMatchObject({ rotated: { archive: 'audit-2026-01-07-8.jsonl' }, deleted: [] });
    expect(await archives(dir)).toEqual([oldest, newer, 'audit-2026-01-07-8.jsonl']);

    clock.t = Date.parse(oldestNewestAt) + 10 * DAY_MS;
    const log = await AuditLog.open(file, { clock, retentionDays: 10 });
    expect(log.opened.retention).toEqual({ rotated: null, deleted: [oldest], kept: [], error: null });
    expect(await archives(dir)).toEqual([newer, 'audit-2026-01-07-8.jsonl']);
    const notes = (await records(file)).filter((r) => r.action === 'audit.archive-deleted');
    expect(notes).toEqual([
      expect.objectContaining({
        actor: null,
        outcome: 'success',
        details: { archive: oldest, firstSeq: 1, lastSeq: 2, newestAt: oldestNewestAt, retentionDays: 10 },
      }),
    ]);
    expect(await log.verify()).toMatchObject({ ok: true });
  });

  it('rotates and then deletes a current file whose every record is past retention: nothing older is kept', async () => {
    const { dir, file, clock } = await setup();
    await session(file, clock, 7);
    clock.t = T0 + 400 * DAY_MS;
    const log = await AuditLog.open(file, { clock, retentionDays: 7 });
    expect(log.opened.retention).toMatchObject({
      rotated: { archive: 'audit-2026-01-05-2.jsonl' },
      deleted: ['audit-2026-01-05-2.jsonl'],
    });
    expect(await archives(dir)).toEqual([]);
    // The current file is never deleted: it holds the rotation record and the deletion.
    expect((await records(file)).map((r) => [r.seq, r.action])).toEqual([
      [3, 'audit.rotated'],
      [4, 'audit.archive-deleted'],
    ]);
    expect(await log.verify()).toMatchObject({ ok: true, count: 2 });
  });

  it('keeps a broken archive past retention, and notes it once', async () => {
    const { dir, file, clock, names } = await history();
    const oldest = path.join(dir, names[0]!);
    const lines = (await fs.readFile(oldest, 'utf8')).split('\n');
    lines[0] = lines[0]!.replace('"alice"', '"mallory"');
    await fs.writeFile(oldest, lines.join('\n'));

    clock.t = T0 + 20 * DAY_MS;
    const log = await AuditLog.open(file, { clock, retentionDays: 10 });
    expect(log.opened.retention?.kept).toEqual([{ archive: names[0], reason: 'hash mismatch' }]);
    // The intact archives past retention go (including the one just rotated); the broken one stays.
    expect(log.opened.retention?.deleted).toEqual([names[1], 'audit-2026-01-07-8.jsonl']);
    expect(await archives(dir)).toEqual([names[0]]);
    const notes = (await records(file)).filter((r) => r.action === 'audit.archive-broken');
    expect(notes).toEqual([
      expect.objectContaining({ outcome: 'failure', details: { archive: names[0], reason: 'hash mismatch', brokenLine: 1 } }),
    ]);

    // The next start (same day: no rotation) keeps it again without a second note.
    const again = await AuditLog.open(file, { clock, retentionDays: 10 });
    expect(again.opened.retention?.kept).toEqual([{ archive: names[0], reason: 'hash mismatch' }]);
    expect((await records(file)).filter((r) => r.action === 'audit.archive-broken')).toHaveLength(1);
  });

  it('keeps an archive that the file after it does not continue (records cut from its end)', async () => {
    const { dir, file, clock, names } = await history();
    const oldest = path.join(dir, names[0]!);
    const text = await fs.readFile(oldest, 'utf8');
    await fs.writeFile(oldest, text.slice(0, text.indexOf('\n') + 1)); // still a valid chain on its own
    expect(verifyAuditText(await fs.readFile(oldest, 'utf8')).ok).toBe(true);

    clock.t = T0 + 20 * DAY_MS;
    const log = await AuditLog.open(file, { clock, retentionDays: 10 });
    expect(log.opened.retention?.kept).toEqual([{ archive: names[0], reason: 'not continued by the next file' }]);
    expect(await archives(dir)).toContain(names[0]);
  });

  it('touches only regular files named like an archive, never the current file or anything else', async () => {
    const { dir, file, clock } = await setup();
    await session(file, clock, 1);
    const old = toText(buildChain(2, undefined, Date.UTC(2020, 0, 1)));
    const bystanders = ['audit-old.jsonl', 'audit-2020-01-01-2.jsonl.bak', 'audit-2020-01-01.jsonl', 'vault.json', 'notes.txt'];
    for (const name of bystanders) await fs.writeFile(path.join(dir, name), old);
    await fs.mkdir(path.join(dir, 'audit-2020-01-01-3.jsonl'));
    const outside = path.join(await tempDir(), 'outside.jsonl');
    await fs.writeFile(outside, old);
    if (process.platform !== 'win32') await fs.symlink(outside, path.join(dir, 'audit-2020-01-01-4.jsonl'));
    await fs.writeFile(path.join(dir, 'audit-2020-01-01-2.jsonl'), old); // a real, expired archive

    clock.t = T0 + 12 * 60 * 60 * 1000; // half a day: no rotation with a 1-day period
    const log = await AuditLog.open(file, { clock, retentionDays: 1 });
    expect(log.opened.retention).toMatchObject({ rotated: null, deleted: ['audit-2020-01-01-2.jsonl'], kept: [] });
    const left = await archives(dir);
    for (const name of [...bystanders, 'audit-2020-01-01-3.jsonl']) expect(left).toContain(name);
    if (process.platform !== 'win32') expect(left).toContain('audit-2020-01-01-4.jsonl');
    expect(await fs.readFile(outside, 'utf8')).toBe(old);
    expect((await records(file)).map((r) => r.seq)).toEqual([1, 2, 3]);
  });
});
