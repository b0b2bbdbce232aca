/**
 * Two-step verification and temporary passwords through the real IPC registry (createApp: real
 * vault on the OS keychain, real argon2, the audit log); only the clock is a stand-in. Codes are
 * computed here from the secret Portico showed, as an authenticator app would.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../../../../main/app';
import { stepsAfterPassword, secondFactorRequired } from '../../../../../main/auth/local/sign-in-flow';
import { totpCode, totpStep } from '../../../../../main/auth/local/totp';
import { decodeVault } from '../../../../../main/vault/vault-format';
import type { ChannelName, ChannelPayload, ChannelValue, ErrorCode, IpcResult } from '../../../../../preload/contract';
import {
  APP_ORIGIN,
  FakeClock,
  GOOD_PASSWORD,
  OTHER_GOOD_PASSWORD,
  tempDir,
  testKeychain,
  trustedSender,
} from '../../../helpers';

const ADMIN = { username: 'root', displayName: 'Root Admin', password: GOOD_PASSWORD };
const VIEWER = { username: 'vera', displayName: 'Vera Viewer', password: OTHER_GOOD_PASSWORD, roles: ['viewer' as const] };
const MIN = 60_000;
/** Sessions that do not lock while a test waits out other timers. */
const NO_LOCK = { lockAfterMinutes: 120, idleMinutes: 240 };

async function start(policy: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  const dir = path.join(await tempDir(), 'userData');
  const protector = testKeychain();
  const responses: unknown[] = [];
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.0.0', platform: 'linux' },
    paths: { userData: dir },
    keyProtector: () => protector,
    configLayers: async () => [
      {
        source: 'policy.json',
        kind: 'policy' as const,
        value: { data: { sample: { enabled: true, rows: 500 } }, localAccounts: { backoffBaseMs: 1000 }, ...policy },
      },
    ],
    clock,
    log: { info: () => undefined, error: () => undefined },
  });
  onTestFinished(() => app.close());
  async function call<C extends ChannelName>(channel: C, payload: ChannelPayload<C>): Promise<IpcResult<ChannelValue<C>>> {
    const result = (await app.registry.dispatch(channel, trustedSender, payload)) as IpcResult<ChannelValue<C>>;
    await app.flush();
    responses.push(result);
    return result;
  }
  async function ok<C extends ChannelName>(channel: C, payload: ChannelPayload<C>): Promise<ChannelValue<C>> {
    const result = await call(channel, payload);
    if (!result.ok) throw new Error(`${channel} failed: ${result.code} ${result.message}`);
    return result.value;
  }
  async function fails<C extends ChannelName>(channel: C, code: ErrorCode, payload: ChannelPayload<C>) {
    const result = await call(channel, payload);
    expect(result, `${channel} should fail with ${code}`).toMatchObject({ ok: false, code });
    if (result.ok) throw new Error('unreachable');
    return result;
  }
  const audit = async (action: string) => (await ok('audit:query', { action })).entries;
  return { app, clock, dir, protector, call, ok, fails, audit, responses };
}

/** The admin, signed in, with two-step verification set up from Account; its secret and recovery codes. */
async function adminWithSecondFactor(policy: Record<string, unknown> = {}) {
  const ctx = await start(policy);
  await ctx.ok('setup:create-admin', ADMIN);
  const enrolment = await ctx.ok('account:begin-second-factor-enrolment', {});
  const step = totpStep(ctx.clock.now());
  const enrolled = await ctx.ok('account:confirm-second-factor-enrolment', { code: totpCode(enrolment.secret, step) });
  await ctx.ok('auth:sign-out', {});
  return { ...ctx, secret: enrolment.secret, recoveryCodes: enrolled.recoveryCodes, enrolledStep: step };
}

describe('the steps after a right password (pure)', () => {
  it('asks the second factor first, then a new password, then a set-up policy requires', () => {
    const all = { secondFactor: true, passwordChangeRequired: true, secondFactorRequired: true };
    expect(stepsAfterPassword(all)).toEqual(['second-factor', 'change-password']);
    expect(stepsAfterPassword({ ...all, secondFactor: false })).toEqual(['change-password', 'enrol-second-factor']);
    expect(stepsAfterPassword({ secondFactor: false, passwordChangeRequired: false, secondFactorRequired: false })).toEqual([]);
  });

  it('requires a second factor of admins only when policy says so', () => {
    expect(secondFactorRequired('off', ['admin.users'])).toBe(false);
    expect(secondFactorRequired('admins', ['data.read'])).toBe(false);
    expect(secondFactorRequired('admins', ['data.read', 'admin.audit'])).toBe(true);
    expect(secondFactorRequired('everyone', ['data.read'])).toBe(true);
  });
});

describe('two-step verification (real registry)', () => {
  it('sets up from Account with a QR code and the key as text; the sign-in then needs a code, and no data answers before it', async () => {
    const { ok, fails, call, clock, secret, recoveryCodes, responses, audit } = await adminWithSecondFactor();
    expect(recoveryCodes).toHaveLength(10);

    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    // A pending sign-in is no session: every channel that needs one answers NOT_SIGNED_IN.
    expect(await ok('session:get-current', {})).toBeNull();
    for (const channel of ['data:list-datasets', 'users:list', 'account:get-security', 'audit:query'] as const) {
      await fails(channel, 'NOT_SIGNED_IN', {});
    }
    await fails('data:query', 'NOT_SIGNED_IN', { datasetId: 'sample-orders', offset: 0, limit: 10 });
    // Nor can it skip ahead to another step.
    await fails('auth:set-new-password', 'SECOND_FACTOR_REQUIRED', { newPassword: 'quiet-harbour-lantern-fig' });

    clock.advance(2 * MIN);
    const session = await ok('auth:verify-second-factor', { code: totpCode(secret, totpStep(clock.now())) });
    expect(session.user.username).toBe('root');
    await ok('users:list', {});

    // The secret was sent once, in the set-up's answer; never again, never with the codes' hashes.
    expect(responses.filter((response) => JSON.stringify(response).includes(secret))).toHaveLength(1);
    expect(JSON.stringify(responses)).not.toMatch(/"salt"|"hash"/);
    const signIns = await audit('auth.sign-in');
    expect(signIns[0]).toMatchObject({ actor: 'root', details: { method: 'local', secondFactor: 'totp' } });
    expect((await audit('auth.sign-in-pending'))[0]).toMatchObject({
      target: 'root',
      details: { next: 'SECOND_FACTOR_REQUIRED' },
    });
    expect(await audit('account.second-factor-enrolled')).toHaveLength(1);
    void call;
  });

  it('refuses a TOTP code used once already, within the same window (replay), and any earlier step', async () => {
    const { ok, fails, clock, secret } = await adminWithSecondFactor();
    clock.advance(5 * MIN);
    const step = totpStep(clock.now());
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    await ok('auth:verify-second-factor', { code: totpCode(secret, step) });
    await ok('auth:sign-out', {});

    clock.advance(5_000);
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    const replay = await fails('auth:verify-second-factor', 'SECOND_FACTOR_INVALID', { code: totpCode(secret, step) });
    expect(replay.message).toContain('already used');
    expect(replay.fields).toHaveProperty('code');
    clock.advance(1_000); // the backoff after that counted failure
    await fails('auth:verify-second-factor', 'SECOND_FACTOR_INVALID', { code: totpCode(secret, step - 1) });
    clock.advance(30_000);
    await ok('auth:verify-second-factor', { code: totpCode(secret, totpStep(clock.now())) });
  });

  it('takes each recovery code once, instead of the app, and says how many are left', async () => {
    const { ok, fails, clock, recoveryCodes, audit } = await adminWithSecondFactor();
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    await ok('auth:verify-second-factor', { code: recoveryCodes[0]!.toUpperCase() });
    expect((await ok('account:get-security', {})).secondFactor).toMatchObject({ recoveryCodesLeft: 9 });
    expect((await audit('auth.sign-in'))[0]).toMatchObject({ details: { secondFactor: 'recovery-code' } });
    await ok('auth:sign-out', {});

    clock.advance(MIN);
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    const reused = await fails('auth:verify-second-factor', 'SECOND_FACTOR_INVALID', { code: recoveryCodes[0]! });
    expect(reused.message).toContain('already used');
    clock.advance(1_000);
    await ok('auth:verify-second-factor', { code: recoveryCodes[1]! });
    // The audit log never holds a code.
    const failed = await audit('auth.sign-in-failed');
    expect(failed[0]).toMatchObject({
      target: 'root',
      details: { reason: 'SECOND_FACTOR_INVALID', secondFactor: 'recovery-code' },
    });
    expect(JSON.stringify(await ok('audit:query', {}))).not.toContain(recoveryCodes[0]!);
  });

  it('throttles guesses at the code like passwords: backoff, then a lockout a right password and code cannot pass', async () => {
    const { ok, fails, clock, secret } = await adminWithSecondFactor({ localAccounts: { backoffBaseMs: 1000, maxFailures: 5 } });
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    await fails('auth:verify-second-factor', 'SECOND_FACTOR_INVALID', { code: '000000' });
    // The next guess at once waits for the backoff, with when to try again.
    const throttled = await fails('auth:verify-second-factor', 'THROTTLED', { code: '000001' });
    expect(throttled.retryAt).toBe(clock.now() + 1000);
    // Signing in with the password again does not start the count over.
    clock.advance(1000);
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    for (let i = 1; i < 4; i++) {
      await fails('auth:verify-second-factor', 'SECOND_FACTOR_INVALID', { code: `00000${i + 1}` });
      clock.advance(30_000);
    }
    const locked = await fails('auth:verify-second-factor', 'ACCOUNT_LOCKED', { code: '999999' });
    expect(locked.retryAt).toBeGreaterThan(clock.now() + 14 * MIN);
    // Locked: neither the right code nor the right password gets through.
    await fails('auth:verify-second-factor', 'ACCOUNT_LOCKED', { code: totpCode(secret, totpStep(clock.now())) });
    await fails('auth:sign-in-local', 'ACCOUNT_LOCKED', { username: 'root', password: GOOD_PASSWORD });
    expect(await ok('session:get-current', {})).toBeNull();
  });

  it('forgets a pending sign-in after 10 minutes, and on cancel', async () => {
    const { ok, fails, clock, secret } = await adminWithSecondFactor();
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    clock.advance(10 * MIN);
    await fails('auth:verify-second-factor', 'NOT_SIGNED_IN', { code: totpCode(secret, totpStep(clock.now())) });

    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    await ok('auth:cancel-sign-in', {});
    await fails('auth:verify-second-factor', 'NOT_SIGNED_IN', { code: totpCode(secret, totpStep(clock.now())) });
  });

  it('binds the pending sign-in to its account: a wrong password for another name leaves it, a right one replaces it', async () => {
    const { ok, fails, clock, secret } = await adminWithSecondFactor();
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    await fails('auth:sign-in-local', 'INVALID_CREDENTIALS', { username: 'nobody', password: 'wrong-password-here' });
    const session = await ok('auth:verify-second-factor', { code: totpCode(secret, totpStep(clock.now()) + 1) });
    expect(session.user.username).toBe('root');
    await ok('users:create', VIEWER);
    await ok('auth:sign-out', {});

    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    expect((await ok('auth:sign-in-local', { username: 'vera', password: VIEWER.password })).user.username).toBe('vera');
    await fails('auth:verify-second-factor', 'NOT_SIGNED_IN', { code: totpCode(secret, totpStep(clock.now()) + 1) });
  });

  it('keeps the secret only in the vault, which is encrypted: not in any file in clear', async () => {
    const { dir, protector, secret, recoveryCodes } = await adminWithSecondFactor();
    for (const file of await fs.readdir(dir)) {
      const stat = await fs.stat(path.join(dir, file));
      if (!stat.isFile()) continue;
      const bytes = await fs.readFile(path.join(dir, file));
      expect(bytes.includes(Buffer.from(secret)), file).toBe(false);
      for (const code of recoveryCodes) expect(bytes.includes(Buffer.from(code)), file).toBe(false);
    }
    const json = decodeVault(await fs.readFile(path.join(dir, 'vault.bin')), (await protector.loadKey())!).plaintext.toString(
      'utf8',
    );
    expect(json).toContain(secret);
    for (const code of recoveryCodes) expect(json).not.toContain(code.replace(/-/g, ''));
  });

  it('unlocks a locked session only with the password and a code', async () => {
    const { ok, fails, clock, secret } = await adminWithSecondFactor({ session: { lockAfterMinutes: 5, idleMinutes: 60 } });
    clock.advance(30_000); // the set-up used the current step's code
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    await ok('auth:verify-second-factor', { code: totpCode(secret, totpStep(clock.now())) });
    clock.advance(6 * MIN);
    await fails('users:list', 'SESSION_LOCKED', {});
    await fails('session:unlock', 'SECOND_FACTOR_REQUIRED', { password: GOOD_PASSWORD });
    await fails('users:list', 'SESSION_LOCKED', {});
    await fails('session:unlock', 'SECOND_FACTOR_INVALID', { password: GOOD_PASSWORD, code: '123456' });
    clock.advance(1_000);
    expect((await ok('session:unlock', { password: GOOD_PASSWORD, code: totpCode(secret, totpStep(clock.now())) })).locked).toBe(
      false,
    );
    await ok('users:list', {});
  });

  it('lets an administrator reset someone’s second factor (recent sign-in, audited); the password alone then signs in', async () => {
    const { ok, fails, clock, audit } = await start({ session: NO_LOCK });
    await ok('setup:create-admin', ADMIN);
    const vera = await ok('users:create', VIEWER);
    await ok('auth:sign-out', {});
    await ok('auth:sign-in-local', { username: 'vera', password: VIEWER.password });
    const enrolment = await ok('account:begin-second-factor-enrolment', {});
    await ok('account:confirm-second-factor-enrolment', { code: totpCode(enrolment.secret, totpStep(clock.now())) });
    await ok('auth:sign-out', {});

    await ok('auth:sign-in-local', { username: ADMIN.username, password: ADMIN.password });
    expect((await ok('users:list', {})).find((u) => u.username === 'vera')).toMatchObject({ secondFactor: true });
    clock.advance(20 * MIN);
    await fails('users:reset-second-factor', 'RECENT_SIGN_IN_REQUIRED', { userId: vera.id });
    await ok('auth:confirm-password', { password: GOOD_PASSWORD });
    expect(await ok('users:reset-second-factor', { userId: vera.id })).toMatchObject({ username: 'vera', secondFactor: false });
    expect((await audit('users.reset-second-factor'))[0]).toMatchObject({ actor: 'root', target: 'vera' });
    await fails('users:reset-second-factor', 'NOT_FOUND', { userId: '00000000-0000-4000-8000-000000000000' });
    await ok('auth:sign-out', {});
    expect((await ok('auth:sign-in-local', { username: 'vera', password: VIEWER.password })).user.username).toBe('vera');
  });

  it('refuses a viewer who calls users:reset-second-factor', async () => {
    const { ok, fails } = await start();
    await ok('setup:create-admin', ADMIN);
    const vera = await ok('users:create', VIEWER);
    await ok('auth:sign-in-local', { username: 'vera', password: VIEWER.password });
    await fails('users:reset-second-factor', 'PERMISSION_DENIED', { userId: vera.id });
  });

  it('with policy mfa "admins", an administrator without one sets it up at the next sign-in, before any session', async () => {
    const { ok, fails, clock, audit } = await start({ localAccounts: { mfa: 'admins' } });
    await ok('setup:create-admin', ADMIN);
    await ok('users:create', VIEWER);
    await ok('auth:sign-out', {});
    // Not required of a viewer.
    expect((await ok('auth:sign-in-local', { username: 'vera', password: VIEWER.password })).user.username).toBe('vera');
    expect((await ok('account:get-security', {})).secondFactorRequired).toBe(false);
    await ok('auth:sign-out', {});

    await fails('auth:sign-in-local', 'SECOND_FACTOR_ENROLMENT_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    await fails('users:list', 'NOT_SIGNED_IN', {});
    const enrolment = await ok('auth:begin-second-factor-enrolment', {});
    expect(enrolment.uri).toContain(`secret=${enrolment.secret}`);
    expect(enrolment.qr.length).toBeGreaterThan(20);
    expect(enrolment.qr.every((row) => row.length === enrolment.qr.length && /^[01]+$/.test(row))).toBe(true);
    const wrong = await fails('auth:confirm-second-factor-enrolment', 'SECOND_FACTOR_INVALID', { code: '000000' });
    expect(wrong.fields).toHaveProperty('code');
    await fails('users:list', 'NOT_SIGNED_IN', {});
    const done = await ok('auth:confirm-second-factor-enrolment', { code: totpCode(enrolment.secret, totpStep(clock.now())) });
    expect(done.recoveryCodes).toHaveLength(10);
    expect(done.session.user.username).toBe('root');
    await ok('users:list', {});
    expect((await audit('auth.sign-in'))[0]).toMatchObject({ details: { secondFactorEnrolled: true } });
    // Required: it cannot be turned off, only replaced.
    await fails('account:remove-second-factor', 'SETTING_LOCKED', {});
  });

  it('expires a set-up that waited too long, and a code from another secret does not confirm it', async () => {
    const { ok, fails, clock } = await start({ session: NO_LOCK });
    await ok('setup:create-admin', ADMIN);
    const first = await ok('account:begin-second-factor-enrolment', {});
    const second = await ok('account:begin-second-factor-enrolment', {});
    expect(second.secret).not.toBe(first.secret);
    await fails('account:confirm-second-factor-enrolment', 'SECOND_FACTOR_INVALID', {
      code: totpCode(first.secret, totpStep(clock.now())),
    });
    clock.advance(16 * MIN);
    await fails('account:confirm-second-factor-enrolment', 'SECOND_FACTOR_SETUP_EXPIRED', {
      code: totpCode(second.secret, totpStep(clock.now())),
    });
    expect((await ok('account:get-security', {})).secondFactor).toBeNull();
  });

  it('removes its own second factor when policy allows, after a recent sign-in, and gives new recovery codes', async () => {
    const { ok, fails, clock, secret, recoveryCodes, audit } = await adminWithSecondFactor({ session: NO_LOCK });
    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'root', password: GOOD_PASSWORD });
    await ok('auth:verify-second-factor', { code: totpCode(secret, totpStep(clock.now()) + 1) });
    const renewed = await ok('account:new-recovery-codes', {});
    expect(renewed).toHaveLength(10);
    expect(renewed).not.toContain(recoveryCodes[0]);
    clock.advance(20 * MIN);
    await fails('account:remove-second-factor', 'RECENT_SIGN_IN_REQUIRED', {});
    await ok('auth:confirm-password', { password: GOOD_PASSWORD });
    expect((await ok('account:remove-second-factor', {})).secondFactor).toBeNull();
    expect(await audit('account.second-factor-removed')).toHaveLength(1);
    expect(await audit('account.recovery-codes-renewed')).toHaveLength(1);
    await ok('auth:sign-out', {});
    expect((await ok('auth:sign-in-local', { username: 'root', password: GOOD_PASSWORD })).user.username).toBe('root');
  });

  it('the command-line recovery of an administrator removes the second factor too', async () => {
    const { app, ok, fails, clock, audit } = await adminWithSecondFactor();
    expect(await app.recoverAdministrator('root', 'quiet-harbour-lantern-fig')).toEqual({ secondFactorRemoved: true });
    await fails('auth:sign-in-local', 'INVALID_CREDENTIALS', { username: 'root', password: GOOD_PASSWORD });
    clock.advance(1_000);
    // The password alone signs in, and it is not temporary.
    expect((await ok('auth:sign-in-local', { username: 'root', password: 'quiet-harbour-lantern-fig' })).user.username).toBe(
      'root',
    );
    expect((await ok('account:get-security', {})).secondFactor).toBeNull();
    expect((await audit('users.reset-password'))[0]).toMatchObject({
      actor: '(account recovery)',
      target: 'root',
      details: { secondFactorRemoved: true },
    });
  });
});

describe('passwords (real registry)', () => {
  it('changes one’s own password with the current one; a wrong current one and a weak new one are named together', async () => {
    const { ok, fails, clock, audit } = await start();
    await ok('setup:create-admin', ADMIN);
    const both = await fails('account:change-password', 'INVALID_CREDENTIALS', {
      currentPassword: 'wrong-password-here',
      newPassword: 'short',
    });
    expect(Object.keys(both.fields ?? {}).sort()).toEqual(['currentPassword', 'newPassword']);
    expect(both.message).toContain('current password');
    clock.advance(1_000);
    const same = await fails('account:change-password', 'WEAK_PASSWORD', {
      currentPassword: GOOD_PASSWORD,
      newPassword: GOOD_PASSWORD,
    });
    expect(Object.keys(same.fields ?? {})).toEqual(['newPassword']);
    await fails('account:change-password', 'WEAK_PASSWORD', { currentPassword: GOOD_PASSWORD, newPassword: 'password1234' });
    await ok('account:change-password', { currentPassword: GOOD_PASSWORD, newPassword: 'quiet-harbour-lantern-fig' });
    // Newest first.
    expect((await audit('account.password-changed')).map((e) => e.outcome)).toEqual(['success', 'failure']);
    await ok('auth:sign-out', {});
    await fails('auth:sign-in-local', 'INVALID_CREDENTIALS', { username: 'root', password: GOOD_PASSWORD });
    clock.advance(1_000);
    await ok('auth:sign-in-local', { username: 'root', password: 'quiet-harbour-lantern-fig' });
  });

  it('counts wrong current passwords towards the lockout', async () => {
    const { ok, fails, clock } = await start({ localAccounts: { maxFailures: 3, backoffBaseMs: 0 } });
    await ok('setup:create-admin', ADMIN);
    for (let i = 0; i < 2; i++) {
      await fails('account:change-password', 'INVALID_CREDENTIALS', {
        currentPassword: 'wrong-password-here',
        newPassword: 'quiet-harbour-lantern-fig',
      });
    }
    await fails('account:change-password', 'ACCOUNT_LOCKED', {
      currentPassword: 'wrong-password-here',
      newPassword: 'quiet-harbour-lantern-fig',
    });
    await fails('account:change-password', 'ACCOUNT_LOCKED', {
      currentPassword: GOOD_PASSWORD,
      newPassword: 'quiet-harbour-lantern-fig',
    });
    void clock;
  });

  it('after a temporary password and with two-step verification: the code first, then the new password', async () => {
    const { ok, fails, clock, audit } = await start();
    await ok('setup:create-admin', ADMIN);
    const vera = await ok('users:create', VIEWER);
    await ok('auth:sign-out', {});
    await ok('auth:sign-in-local', { username: 'vera', password: VIEWER.password });
    const enrolment = await ok('account:begin-second-factor-enrolment', {});
    await ok('account:confirm-second-factor-enrolment', { code: totpCode(enrolment.secret, totpStep(clock.now())) });
    await ok('auth:sign-out', {});
    await ok('auth:sign-in-local', { username: ADMIN.username, password: ADMIN.password });
    expect(
      (await ok('users:reset-password', { userId: vera.id, password: 'hollow-granite-pepper-owl' })).passwordChangeRequired,
    ).toBe(true);
    expect((await audit('users.reset-password'))[0]).toMatchObject({ target: 'vera', details: { temporary: true } });
    await ok('auth:sign-out', {});

    await fails('auth:sign-in-local', 'SECOND_FACTOR_REQUIRED', { username: 'vera', password: 'hollow-granite-pepper-owl' });
    await fails('auth:set-new-password', 'SECOND_FACTOR_REQUIRED', { newPassword: 'quiet-harbour-lantern-fig' });
    clock.advance(30_000);
    await fails('auth:verify-second-factor', 'PASSWORD_CHANGE_REQUIRED', {
      code: totpCode(enrolment.secret, totpStep(clock.now())),
    });
    await fails('data:list-datasets', 'NOT_SIGNED_IN', {});
    const session = await ok('auth:set-new-password', { newPassword: 'quiet-harbour-lantern-fig' });
    expect(session.user.username).toBe('vera');
    await ok('auth:sign-out', {});
    await ok('auth:sign-in-local', { username: ADMIN.username, password: ADMIN.password });
    const veraSignIns = (await audit('auth.sign-in')).filter((entry) => entry.actor === 'vera');
    expect(veraSignIns[0]).toMatchObject({ details: { method: 'local', temporaryReplaced: true } });
  });
});
