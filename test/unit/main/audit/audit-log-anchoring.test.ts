/**
 * AuditLog with its MAC key and head in a real vault (OS keychain, real files): what open does
 * with the head it finds, when appends resolve, and what happens when the vault cannot be written.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  anchoringFromVault,
  VaultAuditHeadStore,
  type AuditAnchor,
  type AuditHeadStore,
} from '../../../../main/audit/audit-anchor';
import { AuditKey } from '../../../../main/audit/audit-key';
import { AUDIT_FILE, AuditLog, AuditLogError } from '../../../../main/audit/audit-log';
import { verifyAuditText } from '../../../../main/audit/audit-chain';
import { recordHash, serializeRecord, type AuditEvent, type AuditRecord } from '../../../../main/audit/audit-record';
import { Vault } from '../../../../main/vault/vault';
import { FakeClock, openTestVault, rejectionOf } from '../../helpers';
import { buildChain, toText } from './audit-fixtures';

const signIn = (actor: string): AuditEvent => ({
  actor,
  action: 'auth.sign-in',
  outcome: 'success',
  details: { method: 'local' },
});

async function setUp() {
  const { vault, dir, protector } = await openTestVault();
  const file = path.join(dir, AUDIT_FILE);
  return { vault, dir, protector, file, anchoring: anchoringFromVault(vault) };
}

async function readRecords(file: string): Promise<AuditRecord[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
}

/** A head store on the real vault whose writes can be held back, counting them. */
class GatedStore implements AuditHeadStore {
  saves: AuditAnchor[] = [];
  private gate: Promise<void> | null = null;
  private release: (() => void) | null = null;
  constructor(private readonly inner: AuditHeadStore) {}
  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  open(): void {
    this.release?.();
    this.gate = null;
  }
  load(): AuditAnchor | null {
    return this.inner.load();
  }
  async save(anchor: AuditAnchor): Promise<void> {
    this.saves.push(anchor);
    await this.gate;
    await this.inner.save(anchor);
  }
}

describe('AuditLog anchored in the vault', () => {
  it('keeps the head in the vault from the first open, and after every append', async () => {
    const { vault, dir, protector, file, anchoring } = await setUp();
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    expect(vault.read().auditHead).toEqual({ seq: 0, hash: '0'.repeat(64), keyedFrom: 1 });
    expect(log.opened.anchor).toEqual({ vaultHead: null, behindBy: 0, keyedFrom: 1 });
    for (const user of ['alice', 'bob', 'carol']) {
      const record = await log.append(signIn(user));
      expect(record.mac).toBe(anchoring.key.mac(record.hash));
      expect(vault.read().auditHead).toEqual({ seq: record.seq, hash: record.hash, keyedFrom: 1 });
    }
    // On disk, not only in memory.
    const reopened = await Vault.open({ dir, protector });
    expect(reopened.read().auditHead).toEqual({ ...log.head, keyedFrom: 1 });
    expect(await log.verify()).toMatchObject({ ok: true, count: 3, unkeyed: 0, macsChecked: true });
  });

  it('derives the same key from the same vault after a restart, and another from another vault', async () => {
    const { dir, protector, file, anchoring } = await setUp();
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    const record = await log.append(signIn('alice'));
    const again = AuditKey.fromVault(await Vault.open({ dir, protector }));
    expect(again.verify(record.hash, record.mac!)).toBe(true);
    const other = AuditKey.fromVault((await openTestVault()).vault);
    expect(other.verify(record.hash, record.mac!)).toBe(false);
    expect(JSON.stringify({ key: again })).toBe('{"key":"[AuditKey]"}');
  });

  it('keeps an older log as unkeyed history: it verifies, and an audit.keyed record says where MACs start', async () => {
    const { vault, file, anchoring } = await setUp();
    await fs.writeFile(file, toText(buildChain(5)));
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    expect(log.opened).toMatchObject({ broken: false, verification: { ok: true, count: 5, unkeyed: 5 } });
    const records = await readRecords(file);
    expect(records[5]).toMatchObject({ seq: 6, action: 'audit.keyed', details: { firstSeq: 6, previousRecords: 5 } });
    expect(records[5]!.mac).toBeDefined();
    expect(vault.read().auditHead).toMatchObject({ seq: 6, keyedFrom: 6 });
    expect(await log.verify()).toMatchObject({ ok: true, count: 6, unkeyed: 5, macsChecked: true });

    // Once keyed, a record without a MAC is a break, also where every MAC after it was removed.
    await log.append(signIn('alice'));
    const stripped = (await readRecords(file)).map(({ mac: _mac, ...r }) => r);
    await fs.writeFile(file, stripped.map((r) => `${serializeRecord(r)}\n`).join(''));
    const reopened = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    expect(reopened.opened).toMatchObject({ broken: true, verification: { reason: 'mac missing', brokenAt: { line: 6 } } });
  });

  it('resolves no append before the vault holds its head, and shares one vault write among waiting appends', async () => {
    const { vault, file, anchoring } = await setUp();
    const store = new GatedStore(anchoring.store);
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring: { ...anchoring, store } });
    store.saves = [];
    store.hold();
    const resolved: number[] = [];
    const appends = Array.from({ length: 40 }, (_, i) =>
      log.append(signIn(`user${i}`)).then((r) => {
        resolved.push(r.seq);
        return r;
      }),
    );
    // verify() runs in the append queue: once it answers, all 40 lines are written and fsynced.
    expect(await log.verify()).toMatchObject({ ok: true, count: 40 });
    expect(await readRecords(file)).toHaveLength(40);
    expect(resolved).toEqual([]);
    expect(store.saves.map((s) => s.seq)).toEqual([1]);
    expect(vault.read().auditHead?.seq).toBe(0);

    store.open();
    const records = await Promise.all(appends);
    expect(resolved).toHaveLength(40);
    // The held write (record 1), then one for all the others.
    expect(store.saves.map((s) => s.seq)).toEqual([1, 40]);
    expect(vault.read().auditHead).toEqual({ seq: 40, hash: records[39]!.hash, keyedFrom: 1 });
  });

  it('rejects an append whose head cannot be written to the vault, and catches the head up with the next one', async () => {
    const { vault, file, anchoring } = await setUp();
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    await log.append(signIn('alice'));
    // The vault file is now a folder: its atomic rename fails (also as root).
    const saved = await fs.readFile(vault.file);
    await fs.rm(vault.file);
    await fs.mkdir(vault.file);
    const error = await rejectionOf(log.append(signIn('bob')));
    expect(error).toBeInstanceOf(AuditLogError);
    expect(error).toMatchObject({ code: 'AUDIT_WRITE_FAILED', message: expect.stringContaining("log's head") });
    // The line itself is on disk.
    expect((await readRecords(file)).map((r) => r.actor)).toEqual(['alice', 'bob']);
    expect(vault.read().auditHead?.seq).toBe(1);

    await fs.rmdir(vault.file);
    await fs.writeFile(vault.file, saved);
    const third = await log.append(signIn('carol'));
    expect(vault.read().auditHead).toMatchObject({ seq: 3, hash: third.hash });
    const reopened = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    expect(reopened.opened).toMatchObject({ broken: false, anchor: { behindBy: 0 } });
  });

  it('notes a log ahead of the vault by one record (a crash between the two writes), and catches the head up', async () => {
    const { vault, file, anchoring } = await setUp();
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    await log.append(signIn('alice'));
    const before = vault.read().auditHead!;
    const store = new GatedStore(anchoring.store);
    const crashing = await AuditLog.open(file, { clock: new FakeClock(), anchoring: { ...anchoring, store } });
    // The line is written, the head write never happens: the process "dies" here.
    store.hold();
    void crashing.append(signIn('bob'));
    await crashing.verify();
    expect(vault.read().auditHead).toEqual(before);

    const reopened = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    expect(reopened.opened).toMatchObject({
      broken: false,
      verification: { ok: true },
      anchor: { vaultHead: { seq: 1 }, behindBy: 1 },
    });
    const records = await readRecords(file);
    expect(records.map((r) => r.action)).toEqual(['auth.sign-in', 'auth.sign-in', 'audit.head-behind']);
    expect(records[2]).toMatchObject({ details: { vaultSeq: 1, logSeq: 2 } });
    expect(vault.read().auditHead?.seq).toBe(3);
  });

  it('reports a tail cut at the next start, notes it once, and keeps reporting it at every start after', async () => {
    const { vault, file, anchoring } = await setUp();
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    for (const user of ['alice', 'bob', 'carol', 'dave']) await log.append(signIn(user));
    const records = await readRecords(file);
    await fs.writeFile(
      file,
      records
        .slice(0, 2)
        .map((r) => `${serializeRecord(r)}\n`)
        .join(''),
    );

    const second = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    // The vault's head follows the log as it now is: the note after the cut.
    const note = (await readRecords(file))[2]!;
    expect(note).toMatchObject({ seq: 3, action: 'audit.chain-broken' });
    expect(vault.read().auditHead).toMatchObject({ seq: 3, hash: note.hash });
    expect(second.opened).toMatchObject({
      broken: true,
      verification: { reason: 'records missing', brokenAt: { line: 3, seq: 3 } },
    });
    await second.append(signIn('erin'));
    expect(await second.verify()).toMatchObject({ ok: false, reason: 'records missing', brokenAt: { line: 3 } });

    const third = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    expect(third.opened).toMatchObject({ broken: true, verification: { reason: 'records missing', notedBy: { line: 3 } } });
    const notes = (await readRecords(file)).filter((r) => r.action === 'audit.chain-broken');
    expect(notes).toHaveLength(1);
    const query = await third.query();
    expect(query.verification).toMatchObject({ ok: false, reason: 'records missing' });
    expect(query.records.filter((r) => r.verified).map((r) => r.seq)).toEqual([2, 1]);
  });

  it('reports a chain edited and re-hashed while the app runs (mac mismatch), in verify and query', async () => {
    const { file, anchoring } = await setUp();
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    for (const user of ['alice', 'bob', 'carol']) await log.append(signIn(user));
    const records = await readRecords(file);
    const forged: AuditRecord[] = [];
    for (const r of records) {
      const body = { ...r, actor: r.actor === 'bob' ? 'mallory' : r.actor, prev: forged.at(-1)?.hash ?? r.prev };
      forged.push({ ...body, hash: recordHash(body) });
    }
    await fs.writeFile(file, forged.map((r) => `${serializeRecord(r)}\n`).join(''));
    // The SHA-256 chain is whole: only the MAC shows the forgery.
    expect(verifyAuditText(await fs.readFile(file, 'utf8')).ok).toBe(true);
    // The head's hash changed too; the first thing wrong is record 2's MAC.
    expect(await log.verify()).toMatchObject({ ok: false, reason: 'mac mismatch', brokenAt: { line: 2, seq: 2 } });
    expect((await log.query()).verification).toMatchObject({ ok: false, reason: 'mac mismatch' });
  });

  it('reports a log written with another vault’s key (the vault was reset) once, and carries on with the new key', async () => {
    const first = await setUp();
    const log = await AuditLog.open(first.file, { clock: new FakeClock(), anchoring: first.anchoring });
    for (const user of ['alice', 'bob']) await log.append(signIn(user));
    const { vault: fresh } = await openTestVault();
    const anchoring = anchoringFromVault(fresh);

    const reset = await AuditLog.open(first.file, { clock: new FakeClock(), anchoring });
    expect(reset.opened).toMatchObject({ broken: true, verification: { reason: 'mac mismatch', brokenAt: { line: 1 } } });
    const written = await readRecords(first.file);
    expect(written[2]).toMatchObject({ seq: 3, action: 'audit.chain-broken', mac: anchoring.key.mac(written[2]!.hash) });
    expect(written[3]).toMatchObject({ seq: 4, action: 'audit.keyed', details: { firstSeq: 3 } });
    expect(fresh.read().auditHead).toMatchObject({ seq: 4, keyedFrom: 3 });

    const again = await AuditLog.open(first.file, { clock: new FakeClock(), anchoring });
    expect(again.opened).toMatchObject({ broken: true, verification: { reason: 'mac mismatch' } });
    expect((await readRecords(first.file)).filter((r) => r.action === 'audit.chain-broken')).toHaveLength(1);
  });

  it('reports a log with MACs where the vault holds no head (anchor missing)', async () => {
    const { vault, dir, protector, file, anchoring } = await setUp();
    const log = await AuditLog.open(file, { clock: new FakeClock(), anchoring });
    await log.append(signIn('alice'));
    // The same vault key, but a document without the head: what an older copy of the vault holds.
    await vault.update((draft) => {
      delete draft.auditHead;
    });
    const reopened = await Vault.open({ dir, protector });
    expect(reopened.read().auditHead).toBeUndefined();
    const next = await AuditLog.open(file, { clock: new FakeClock(), anchoring: anchoringFromVault(reopened) });
    expect(next.opened).toMatchObject({ broken: true, verification: { reason: 'anchor missing', brokenAt: { line: 1 } } });
  });

  it('gives a rotation record a MAC and keeps its head in the vault at open', async () => {
    const { vault, file, anchoring } = await setUp();
    const clock = new FakeClock();
    const log = await AuditLog.open(file, { clock, anchoring, retentionDays: 10 });
    for (const user of ['alice', 'bob']) await log.append(signIn(user));
    clock.advance(2 * 86_400_000);
    const rotated = await AuditLog.open(file, { clock, anchoring, retentionDays: 10 });
    expect(rotated.opened.retention?.rotated).toMatchObject({ lastSeq: 2 });
    const [start] = await readRecords(file);
    expect(start).toMatchObject({ seq: 3, action: 'audit.rotated', mac: anchoring.key.mac(start!.hash) });
    expect(vault.read().auditHead).toMatchObject({ seq: 3, hash: start!.hash });
    const archive = (await fs.readdir(path.dirname(file))).find((n) => n.startsWith('audit-'))!;
    expect(verifyAuditText(await fs.readFile(path.join(path.dirname(file), archive), 'utf8'))).toMatchObject({
      ok: true,
      count: 2,
    });
    const reopened = await AuditLog.open(file, { clock, anchoring, retentionDays: 10 });
    expect(reopened.opened).toMatchObject({ broken: false, anchor: { behindBy: 0 } });
  });

  it('never deletes an expired archive whose MACs fail, and notes it', async () => {
    const { file, anchoring } = await setUp();
    const clock = new FakeClock();
    const log = await AuditLog.open(file, { clock, anchoring, retentionDays: 10 });
    for (const user of ['alice', 'bob']) await log.append(signIn(user));
    clock.advance(2 * 86_400_000);
    await AuditLog.open(file, { clock, anchoring, retentionDays: 10 });
    const dir = path.dirname(file);
    const archive = (await fs.readdir(dir)).find((n) => n.startsWith('audit-'))!;
    // A MAC swapped for another key's: the SHA-256 chain and the hand-off to the next file still hold.
    const records = await readRecords(path.join(dir, archive));
    records[0] = { ...records[0]!, mac: AuditKey.fromBytes(Buffer.alloc(32, 7)).mac(records[0]!.hash) };
    await fs.writeFile(path.join(dir, archive), records.map((r) => `${serializeRecord(r)}\n`).join(''));
    expect(verifyAuditText(await fs.readFile(path.join(dir, archive), 'utf8')).ok).toBe(true);
    clock.advance(30 * 86_400_000);
    const later = await AuditLog.open(file, { clock, anchoring, retentionDays: 10 });
    expect(later.opened.retention?.deleted).not.toContain(archive);
    expect(later.opened.retention?.kept.map((k) => k.archive)).toContain(archive);
    expect(await fs.readdir(dir)).toContain(archive);
  });

  it('stores only a valid head in the vault', async () => {
    const { vault } = await setUp();
    const store = new VaultAuditHeadStore(vault);
    await expect(store.save({ seq: -1, hash: 'x', keyedFrom: 0 })).rejects.toThrow(/invalid audit head/);
    expect(vault.read().auditHead).toBeUndefined();
  });
});
