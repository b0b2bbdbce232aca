/**
 * The idle lock through createApp: a real vault on the OS keychain, real argon2, the registry the
 * app and the test host use; only the clock is fake. Locked means no channel that needs the
 * session answers (at IPC, whatever the window shows); unlocking needs the session's own user's
 * password, throttled and audited like a sign-in; another person signs out first.
 */
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../../../main/app';
import {
  channels,
  type ChannelName,
  type ChannelPayload,
  type ChannelValue,
  type IpcResult,
  type SessionSummary,
} from '../../../../preload/contract';
import { APP_ORIGIN, FakeClock, GOOD_PASSWORD, OTHER_GOOD_PASSWORD, tempDir, testKeychain, trustedSender } from '../../helpers';

const MIN = 60_000;
const ADMIN = { username: 'root', displayName: 'Root Admin', password: GOOD_PASSWORD };
const VERA = { username: 'vera', displayName: 'Vera Viewer', password: OTHER_GOOD_PASSWORD, roles: ['viewer' as const] };

async function start(policy: Record<string, unknown> = {}, dir?: string, protector = testKeychain()) {
  const userData = dir ?? path.join(await tempDir(), 'userData');
  const clock = new FakeClock();
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.2.3', platform: 'linux' },
    paths: { userData },
    keyProtector: () => protector,
    configLayers: async () => [
      {
        source: 'policy.json',
        kind: 'policy' as const,
        value: { data: { sample: { rows: 500 } }, localAccounts: { backoffBaseMs: 0 }, ...policy },
      },
    ],
    clock,
  });
  onTestFinished(() => app.close());
  await app.dataSettled();
  const call = async <C extends ChannelName>(channel: C, payload: ChannelPayload<C>) => {
    const result = (await app.registry.dispatch(channel, trustedSender, payload)) as IpcResult<ChannelValue<C>>;
    await app.flush();
    return result;
  };
  const ok = async <C extends ChannelName>(channel: C, payload: ChannelPayload<C>) => {
    const result = await call(channel, payload);
    if (!result.ok) throw new Error(`${channel} failed: ${result.code} ${result.message}`);
    return result.value;
  };
  const audit = async (action: string) =>
    (await ok('audit:query', { action })).entries.map((e) => ({ actor: e.actor, target: e.target, details: e.details }));
  return { app, clock, call, ok, audit, userData, protector };
}

/** The admin signed in, a viewer created, the window left idle until it locks. */
async function lockedAdmin(policy: Record<string, unknown> = {}) {
  const ctx = await start(policy);
  await ctx.ok('setup:create-admin', ADMIN);
  await ctx.ok('users:create', { ...VERA, groups: [] });
  ctx.clock.advance(15 * MIN);
  return ctx;
}

describe('the idle lock (createApp)', () => {
  it('locks after session.lockAfterMinutes: every channel that needs the session answers SESSION_LOCKED', async () => {
    const { call, ok, audit } = await lockedAdmin();
    const needsSession = (Object.keys(channels) as ChannelName[]).filter((c) => channels[c].access !== 'public');
    expect(needsSession).toEqual(expect.arrayContaining(['data:query', 'data:export', 'users:list', 'session:activity']));
    // Data first: the rows a locked window must not get.
    for (const channel of ['data:list-datasets', 'data:query', 'data:counts', 'data:export', 'users:list'] as const) {
      const payload = {
        'data:list-datasets': {},
        'data:query': { datasetId: 'orders', offset: 0, limit: 10 },
        'data:counts': { datasetId: 'orders', column: 'region' },
        'data:export': { datasetId: 'orders' },
        'users:list': {},
      }[channel];
      expect(await call(channel, payload as never), channel).toMatchObject({ ok: false, code: 'SESSION_LOCKED' });
    }
    // The window learns it is locked, and for whom.
    const current = (await ok('session:get-current', {})) as SessionSummary;
    expect(current).toMatchObject({ locked: true, user: { username: 'root' } });
    // Unlocked again, the audit shows the lock (once), as the user it locked.
    await ok('session:unlock', { password: ADMIN.password });
    expect(await audit('auth.session-locked')).toEqual([{ actor: 'root', target: null, details: {} }]);
  });

  it('refuses activity while locked: input in the window does not open it', async () => {
    const { call } = await lockedAdmin();
    expect(await call('session:activity', {})).toMatchObject({ ok: false, code: 'SESSION_LOCKED' });
    expect(await call('data:list-datasets', {})).toMatchObject({ ok: false, code: 'SESSION_LOCKED' });
  });

  it('unlocks with the password of the session’s own user, as a recent sign-in; data answers again', async () => {
    const { call, ok, audit, clock } = await lockedAdmin();
    const summary = await ok('session:unlock', { password: ADMIN.password });
    expect(summary).toMatchObject({ locked: false, user: { username: 'root' }, recentSignInUntil: clock.t + 15 * MIN });
    expect(await call('data:list-datasets', {})).toMatchObject({ ok: true });
    expect(await audit('auth.unlock')).toEqual([{ actor: 'root', target: null, details: { method: 'local', provider: null } }]);
  });

  it('refuses a wrong password (audited as a failed sign-in, marked as an unlock) and stays locked', async () => {
    const { call, ok, audit } = await lockedAdmin();
    expect(await call('session:unlock', { password: 'wrong-password-here' })).toMatchObject({
      ok: false,
      code: 'INVALID_CREDENTIALS',
    });
    expect(await call('data:query', { datasetId: 'orders', offset: 0, limit: 10 })).toMatchObject({
      ok: false,
      code: 'SESSION_LOCKED',
    });
    await ok('session:unlock', { password: ADMIN.password });
    const failures = await audit('auth.sign-in-failed');
    expect(failures).toEqual([
      { actor: 'root', target: 'root', details: { method: 'local', reason: 'INVALID_CREDENTIALS', unlock: true } },
    ]);
  });

  it('refuses unlocking as another user: Vera’s password does not open Root’s session', async () => {
    const { call, ok } = await lockedAdmin();
    expect(await call('session:unlock', { password: VERA.password })).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
    // Nor may she sign in over it: she signs out first (the lock screen offers it).
    expect(await call('auth:sign-in-local', { username: VERA.username, password: VERA.password })).toMatchObject({
      ok: false,
      code: 'SESSION_LOCKED',
    });
    expect(await ok('session:get-current', {})).toMatchObject({ locked: true, user: { username: 'root' } });
    await ok('auth:sign-out', {});
    expect(await ok('auth:sign-in-local', { username: VERA.username, password: VERA.password })).toMatchObject({
      user: { username: 'vera' },
      locked: false,
    });
  });

  it('throttles wrong unlock passwords like sign-in: the account locks out after maxFailures', async () => {
    const { call } = await lockedAdmin({ localAccounts: { backoffBaseMs: 0, maxFailures: 3 } });
    for (let i = 0; i < 2; i++) {
      expect(await call('session:unlock', { password: 'wrong-password-here' })).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    expect(await call('session:unlock', { password: 'wrong-password-here' })).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    // Locked out: even the right password waits, as at sign-in.
    expect(await call('session:unlock', { password: ADMIN.password })).toMatchObject({ code: 'ACCOUNT_LOCKED' });
  });

  it('still signs out after session.idleMinutes, locked or not; then unlock says so', async () => {
    const { call, clock } = await lockedAdmin();
    clock.advance(45 * MIN);
    expect(await call('session:unlock', { password: ADMIN.password })).toMatchObject({ ok: false, code: 'SESSION_EXPIRED' });
  });

  it('still signs out at the absolute limit while locked', async () => {
    const { call, clock } = await lockedAdmin({ session: { idleMinutes: 24 * 60, absoluteHours: 1 } });
    clock.advance(45 * MIN);
    expect(await call('data:list-datasets', {})).toMatchObject({ ok: false, code: 'SESSION_EXPIRED' });
  });

  it('an SSO unlock of a local account’s session is refused; unlocking an open session changes nothing', async () => {
    const ctx = await start();
    await ctx.ok('setup:create-admin', ADMIN);
    const open = await ctx.ok('session:unlock', { password: 'anything at all' });
    expect(open).toMatchObject({ locked: false, user: { username: 'root' } });
    ctx.clock.advance(15 * MIN);
    expect(await ctx.call('session:unlock-sso', {})).toMatchObject({ ok: false, code: 'PERMISSION_DENIED' });
    expect(await ctx.ok('session:get-current', {})).toMatchObject({ locked: true });
  });

  it('with nobody signed in, unlock says so', async () => {
    const { call } = await start();
    expect(await call('session:unlock', { password: ADMIN.password })).toMatchObject({ ok: false, code: 'NOT_SIGNED_IN' });
  });

  it('activity keeps it open: session:activity moves the lock on', async () => {
    const ctx = await start();
    await ctx.ok('setup:create-admin', ADMIN);
    for (let i = 0; i < 4; i++) {
      ctx.clock.advance(14 * MIN);
      const summary = await ctx.ok('session:activity', {});
      expect(summary).toMatchObject({ locked: false, lockAt: ctx.clock.t + 15 * MIN, now: ctx.clock.t });
    }
  });

  it('locks after the policy’s session.lockAfterMinutes', async () => {
    const ctx = await start({ session: { lockAfterMinutes: 5 } });
    await ctx.ok('setup:create-admin', ADMIN);
    ctx.clock.advance(5 * MIN);
    expect(await ctx.call('users:list', {})).toMatchObject({ ok: false, code: 'SESSION_LOCKED' });
  });
});
