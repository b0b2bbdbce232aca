/**
 * The audit log through the whole app (createApp on the real vault and OS keychain, real files):
 * what someone with the file, but not the vault key, does to the log while Portico is not running
 * is reported at the next start and by the Audit log screen's check (audit:query's integrity); a
 * crash between a record and its head in the vault is not. And refusals that only the audit log
 * shows: wrong password confirmations, admin calls without a recent sign-in.
 */
import dgram from 'node:dgram';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp, type Logger } from '../../../../main/app';
import { AUDIT_FILE } from '../../../../main/audit/audit-log';
import { recordHash, serializeRecord, type AuditRecord } from '../../../../main/audit/audit-record';
import { VAULT_BACKUP_FILE, VAULT_FILE } from '../../../../main/vault/vault';
import type { KeychainKeyProtector } from '../../../host/keychain-key-protector';
import type { AuditQueryResult, ChannelName, ChannelPayload, IpcResult } from '../../../../preload/contract';
import { APP_ORIGIN, FakeClock, GOOD_PASSWORD, OTHER_GOOD_PASSWORD, tempDir, testKeychain, trustedSender } from '../../helpers';

const ADMIN = { username: 'root', displayName: 'Root Admin', password: GOOD_PASSWORD };
const BROKEN_AT_START = 'The audit log is broken (altered or damaged); see the Audit log screen';

interface Profile {
  dir: string;
  protector: KeychainKeyProtector;
  clock: FakeClock;
}

async function newProfile(): Promise<Profile> {
  return { dir: path.join(await tempDir(), 'userData'), protector: testKeychain(), clock: new FakeClock() };
}

/** Starts Portico on `profile`; `errors` collects what it logs as errors. */
async function start(profile: Profile, policy: Record<string, unknown> = {}) {
  const errors: string[] = [];
  const log: Logger = { info: () => undefined, error: (message) => errors.push(message) };
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.2.3', platform: 'linux' },
    paths: { userData: profile.dir },
    keyProtector: () => profile.protector,
    configLayers: async () => [
      { source: 'policy.json', kind: 'policy', value: { data: { sample: { enabled: false } }, ...policy } },
    ],
    clock: profile.clock,
    log,
  });
  onTestFinished(() => app.close());
  async function call<C extends ChannelName>(channel: C, payload: ChannelPayload<C>): Promise<IpcResult<unknown>> {
    const result = await app.registry.dispatch(channel, trustedSender, payload);
    await app.flush();
    return result;
  }
  async function integrity(): Promise<AuditQueryResult['integrity']> {
    const signIn = await call('auth:sign-in-local', { username: ADMIN.username, password: ADMIN.password });
    expect(signIn.ok).toBe(true);
    const result = await call('audit:query', { limit: 500 });
    if (!result.ok) throw new Error(`audit:query failed: ${result.code}`);
    return (result.value as AuditQueryResult).integrity;
  }
  return { app, errors, call, integrity, file: path.join(profile.dir, AUDIT_FILE) };
}

/** A profile whose log holds a few sign-ins, sign-outs and refusals, with the app stopped. */
async function usedProfile(): Promise<Profile> {
  const profile = await newProfile();
  const { call, app } = await start(profile);
  const setup = await call('setup:create-admin', ADMIN);
  expect(setup).toMatchObject({ ok: true });
  await call('users:create', { username: 'vera', displayName: 'Vera', password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
  for (let i = 0; i < 3; i += 1) {
    await call('auth:sign-out', {});
    profile.clock.advance(60_000);
    await call('auth:sign-in-local', { username: 'vera', password: OTHER_GOOD_PASSWORD });
    await call('users:list', {}); // refused: audited as access.denied
  }
  await call('auth:sign-out', {});
  await app.flush();
  return profile;
}

async function readRecords(file: string): Promise<AuditRecord[]> {
  const text = await fs.readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
}

/**
 * What someone with a text editor and the README's formula does: keeps `records` as given and
 * gives every record from `from` on a `prev` and SHA-256 `hash` that chain again (seq renumbered).
 * A MAC, if any, is left as it was, or removed with `dropMacs`.
 */
function rechain(records: AuditRecord[], from: number, dropMacs = false): AuditRecord[] {
  const out = records.slice(0, from);
  for (const original of records.slice(from)) {
    const before = out[out.length - 1];
    const body: AuditRecord = { ...original, seq: before ? before.seq + 1 : 1, prev: before ? before.hash : '0'.repeat(64) };
    if (dropMacs) delete body.mac;
    out.push({ ...body, hash: recordHash(body) });
  }
  return out;
}

async function writeRecords(file: string, records: AuditRecord[]): Promise<void> {
  await fs.writeFile(file, records.map((r) => `${serializeRecord(r)}\n`).join(''));
}

describe('the audit log across a restart (createApp, real vault and keychain)', () => {
  it('an untouched log verifies after a restart', async () => {
    const profile = await usedProfile();
    const { errors, integrity } = await start(profile);
    expect(errors).toEqual([]);
    expect(await integrity()).toMatchObject({ ok: true });
  });

  it('reports records deleted and the rest re-chained with SHA-256, at start and in the Audit log screen', async () => {
    const profile = await usedProfile();
    const file = path.join(profile.dir, AUDIT_FILE);
    const records = await readRecords(file);
    // The failed and refused calls of the viewer, gone; what follows renumbered and re-chained.
    const kept = records.filter((r) => r.action !== 'access.denied');
    expect(kept.length).toBeLessThan(records.length);
    await writeRecords(file, rechain(kept, 0));

    const { errors, integrity } = await start(profile);
    expect(errors).toContain(BROKEN_AT_START);
    expect(await integrity()).toMatchObject({ ok: false });
  });

  it('reports records cut from the end before a restart, at start and in the Audit log screen', async () => {
    const profile = await usedProfile();
    const file = path.join(profile.dir, AUDIT_FILE);
    const records = await readRecords(file);
    await writeRecords(file, records.slice(0, -3));

    const { errors, integrity } = await start(profile);
    expect(errors).toContain(BROKEN_AT_START);
    const found = await integrity();
    expect(found).toMatchObject({ ok: false, reason: 'records missing', brokenAtLine: records.length - 2 });
    // And at every start after that, although the file now chains on from the cut.
    const again = await start(profile);
    expect(await again.integrity()).toMatchObject({ ok: false, reason: 'records missing', brokenAtLine: records.length - 2 });
  });

  it('reports a whole file put back from an older copy', async () => {
    const profile = await usedProfile();
    const file = path.join(profile.dir, AUDIT_FILE);
    const older = await fs.readFile(file);
    const { call, app } = await start(profile);
    await call('auth:sign-in-local', { username: 'vera', password: 'not her password at all' });
    await app.flush();
    await fs.writeFile(file, older);

    const { errors, integrity } = await start(profile);
    expect(errors).toContain(BROKEN_AT_START);
    expect(await integrity()).toMatchObject({ ok: false, reason: 'records missing' });
  });

  it.each([
    ['leaving the MACs as they were', false],
    ['removing the MACs', true],
  ])('reports a record edited and the chain recomputed with SHA-256 (%s)', async (_, dropMacs) => {
    const profile = await usedProfile();
    const file = path.join(profile.dir, AUDIT_FILE);
    const records = await readRecords(file);
    const index = records.findIndex((r) => r.action === 'auth.sign-in' && r.actor === 'vera');
    expect(index).toBeGreaterThan(0);
    const edited = records.map((r, i) => (i === index ? { ...r, actor: 'root' } : r));
    const forged = rechain(edited, index, dropMacs);
    await writeRecords(file, forged);

    const { errors, integrity } = await start(profile);
    expect(errors).toContain(BROKEN_AT_START);
    expect(await integrity()).toMatchObject({ ok: false, brokenAtLine: index + 1 });
  });

  it('does not report a crash between a record reaching the log and its head reaching the vault', async () => {
    const profile = await usedProfile();
    const first = await start(profile);
    expect(first.errors).toEqual([]);
    // The vault as it was before the next record; put back after it, its head is one record behind.
    const vaultFiles = [VAULT_FILE, VAULT_BACKUP_FILE].map((name) => path.join(profile.dir, name));
    const saved = await Promise.all(vaultFiles.map((f) => fs.readFile(f)));
    await first.call('auth:sign-in-local', { username: 'vera', password: 'not her password at all' });
    const records = await readRecords(first.file);
    expect(records[records.length - 1]).toMatchObject({ action: 'auth.sign-in-failed', seq: records.length });
    await Promise.all(vaultFiles.map((f, i) => fs.writeFile(f, saved[i]!)));

    const { errors, integrity, file } = await start(profile);
    expect(errors).toEqual([]);
    expect(await integrity()).toMatchObject({ ok: true });
    const after = await readRecords(file);
    expect(after.filter((r) => r.action === 'audit.head-behind')).toMatchObject([
      { details: { vaultSeq: records.length - 1, logSeq: records.length } },
    ]);
  });
});

describe('refusals the audit log records (createApp)', () => {
  it('records wrong password confirmations and admin calls refused for want of a recent sign-in', async () => {
    const profile = await newProfile();
    const { call, file } = await start(profile);
    expect(await call('setup:create-admin', ADMIN)).toMatchObject({ ok: true });
    // Past session.recentSignInMinutes (15), active meanwhile so that the idle timeout (15) does not end the session.
    for (let i = 0; i < 2; i += 1) {
      profile.clock.advance(8 * 60_000);
      expect(await call('users:list', {})).toMatchObject({ ok: true });
    }
    const create = { username: 'newbie', displayName: 'New', password: OTHER_GOOD_PASSWORD, roles: ['viewer' as const] };
    expect(await call('users:create', create)).toMatchObject({ ok: false, code: 'RECENT_SIGN_IN_REQUIRED' });
    expect(await call('auth:confirm-password', { password: 'not the admin password' })).toMatchObject({
      ok: false,
      code: 'INVALID_CREDENTIALS',
    });
    profile.clock.advance(60_000); // past the backoff after a failure
    expect(await call('auth:confirm-password', { password: ADMIN.password })).toMatchObject({ ok: true });
    expect(await call('users:create', create)).toMatchObject({ ok: true });

    const records = await readRecords(file);
    expect(records.map((r) => [r.actor, r.action, r.outcome, r.target ?? null])).toEqual([
      [null, 'app.start', 'success', null],
      ['root', 'users.create', 'success', 'root'],
      ['root', 'access.recent-sign-in-required', 'denied', 'users:create'],
      ['root', 'auth.confirm-password-failed', 'failure', null],
      ['root', 'users.create', 'success', 'newbie'],
    ]);
    expect(records[3]).toMatchObject({ details: { method: 'local', reason: 'INVALID_CREDENTIALS' } });
    const text = await fs.readFile(file, 'utf8');
    expect(text).not.toContain('not the admin password');
    expect(text).not.toContain(OTHER_GOOD_PASSWORD);
  });
});

describe('forwarding to syslog (createApp)', () => {
  it('sends the records of a policy with audit.forward to the syslog server, and stops at close', async () => {
    const server = dgram.createSocket('udp4');
    const received: string[] = [];
    let arrived: (() => void) | null = null;
    server.on('message', (m) => {
      received.push(m.toString('utf8'));
      if (received.length >= 2) arrived?.();
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const both = new Promise<void>((resolve) => (arrived = resolve));

    const profile = await newProfile();
    const policy = { audit: { forward: { syslog: { host: '127.0.0.1', port: server.address().port } } } };
    const { call, app, file } = await start(profile, policy);
    expect(await call('setup:create-admin', ADMIN)).toMatchObject({ ok: true });
    await both;
    const lines = (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    expect(received.map((m) => m.slice(m.indexOf('\ufeff') + 1)).sort()).toEqual(lines.sort());
    expect(received.map((m) => m.split(' ')[5]).sort()).toEqual(['app.start', 'users.create']);
    await app.close();
  });
});
