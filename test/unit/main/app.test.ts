/**
 * createApp end to end at unit level: real vault on the real OS keychain, real argon2, the
 * registry the Electron main process and the test host both use; only the clock is fake.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { createApp, type Logger } from '../../../main/app';
import type { KeychainKeyProtector } from '../../host/keychain-key-protector';
import { VAULT_FILE } from '../../../main/vault/vault';
import {
  channels,
  type AppInfo,
  type ChannelName,
  type ChannelPayload,
  type ChannelValue,
  type ErrorCode,
  type IpcResult,
  type SessionSummary,
} from '../../../preload/contract';
import {
  APP_ORIGIN,
  FakeClock,
  flipByte,
  GOOD_PASSWORD,
  OTHER_GOOD_PASSWORD,
  snapshotDir,
  tempDir,
  testKeychain,
  trustedSender,
} from '../helpers';

const MIN = 60_000;
const ADMIN = { username: 'root', displayName: 'Root Admin', password: GOOD_PASSWORD };
const VIEWER = { username: 'vera', displayName: 'Vera Viewer', password: OTHER_GOOD_PASSWORD, roles: ['viewer' as const] };
const SOME_USER_ID = '00000000-0000-4000-8000-000000000000';
/** The password a person chooses in place of a temporary one. */
const OWN_PASSWORD = 'quiet-harbour-lantern-fig';

/** A valid payload for every channel: adding a channel to the contract fails to compile here until it is covered. */
const validPayloads: { [C in ChannelName]: ChannelPayload<C> } = {
  'app:get-info': {},
  'auth:discover-provider': { email: 'someone@corp.test' },
  'auth:start-sso': { providerId: 'entra' },
  'auth:cancel-sso': {},
  'auth:reauthenticate-sso': {},
  'admin:get-sp-metadata': { providerId: 'entra' },
  'setup:create-admin': ADMIN,
  'auth:sign-in-local': { username: ADMIN.username, password: ADMIN.password },
  'auth:verify-second-factor': { code: '123456' },
  'auth:set-new-password': { newPassword: 'hollow-granite-pepper-owl' },
  'auth:begin-second-factor-enrolment': {},
  'auth:confirm-second-factor-enrolment': { code: '123456' },
  'auth:cancel-sign-in': {},
  'account:get-security': {},
  'account:change-password': { currentPassword: ADMIN.password, newPassword: 'hollow-granite-pepper-owl' },
  'account:begin-second-factor-enrolment': {},
  'account:confirm-second-factor-enrolment': { code: '123456' },
  'account:remove-second-factor': {},
  'account:new-recovery-codes': {},
  'auth:sign-out': {},
  'session:get-current': {},
  'session:activity': {},
  'session:unlock': { password: ADMIN.password },
  'session:unlock-sso': {},
  'users:list': {},
  'users:list-sso': {},
  'users:end-kept-sign-in': { personId: 'entra:someone' },
  'users:create': { username: 'newbie', displayName: 'New', password: 'hollow-granite-pepper-owl', roles: ['viewer'] },
  'users:set-disabled': { userId: SOME_USER_ID, disabled: true },
  'users:reset-password': { userId: SOME_USER_ID, password: 'hollow-granite-pepper-owl' },
  'users:reset-second-factor': { userId: SOME_USER_ID },
  'users:set-access': { userId: SOME_USER_ID, roles: ['viewer'], groups: ['Sales-EMEA'] },
  'auth:confirm-password': { password: ADMIN.password },
  'data:list-datasets': {},
  'data:query': { datasetId: 'orders', offset: 0, limit: 50 },
  'data:counts': { datasetId: 'orders', column: 'region' },
  'data:export': { datasetId: 'orders' },
  'data:connect': { datasetId: 'orders', username: 'alice', password: 'not-used' },
  'data:forget-login': { datasetId: 'orders' },
  'audit:query': {},
  'admin:get-role-mapping': {},
  'admin:set-role-mapping': { providerId: 'entra', mapping: { 'Sales-EMEA': ['viewer'] } },
  'admin:preview-access': { groups: ['Sales-EMEA'] },
  'admin:get-diagnostics': {},
  'admin:export-support-bundle': {},
};
const allChannels = Object.keys(channels) as ChannelName[];
const sessionChannels = allChannels.filter((c) => channels[c].access !== 'public');

/** Every response and log line of the current test, checked for leaks after it. */
let responses: unknown[] = [];
let logs: unknown[] = [];

afterEach(() => {
  const text = JSON.stringify({ responses, logs });
  expect(text).not.toContain('passwordHash');
  expect(text).not.toContain('$argon2');
  for (const password of [GOOD_PASSWORD, OTHER_GOOD_PASSWORD, 'hollow-granite-pepper-owl', 'wrong-password-here', OWN_PASSWORD]) {
    expect(text).not.toContain(password);
  }
  responses = [];
  logs = [];
});

/**
 * `layers`: IT's machine policy for the test (policy layers); `userLayers`: the person's own
 * settings (config.json), which may only tighten.
 */
async function start(
  options: { dir?: string; protector?: KeychainKeyProtector; layers?: unknown[]; userLayers?: unknown[]; clock?: FakeClock } = {},
) {
  const dir = options.dir ?? path.join(await tempDir(), 'userData');
  const protector = options.protector ?? testKeychain();
  const clock = options.clock ?? new FakeClock();
  const log: Logger = { info: (m, f) => logs.push([m, f]), error: (m, f) => logs.push([m, f]) };
  let protectorsMade = 0;
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.2.3', platform: 'linux' },
    paths: { userData: dir },
    keyProtector: () => {
      protectorsMade += 1;
      return protector;
    },
    // A small sample dataset: these tests are about the app's wiring, not the data engine.
    configLayers: async () => [
      { source: 'small-sample.json', kind: 'policy' as const, value: { data: { sample: { rows: 2000 } } } },
      ...(options.layers ?? []).map((value, i) => ({ source: `layer-${i}.json`, kind: 'policy' as const, value })),
      ...(options.userLayers ?? []).map((value, i) => ({ source: `user-layer-${i}.json`, kind: 'user' as const, value })),
    ],
    clock,
    log,
  });
  onTestFinished(() => app.close());
  // The data engine starts in the background (its channels answer DATA_LOADING meanwhile): these tests use it ready.
  await app.dataSettled();
  async function call<C extends ChannelName>(
    channel: C,
    payload: ChannelPayload<C> = validPayloads[channel],
  ): Promise<IpcResult<ChannelValue<C>>> {
    const result = (await app.registry.dispatch(channel, trustedSender, payload)) as IpcResult<ChannelValue<C>>;
    // Audit records are written beside the call: let them land before the test looks or cleans up.
    await app.flush();
    responses.push(result);
    return result;
  }
  async function ok<C extends ChannelName>(channel: C, payload?: ChannelPayload<C>): Promise<ChannelValue<C>> {
    const result = await call(channel, payload);
    if (!result.ok) throw new Error(`${channel} failed: ${result.code} ${result.message}`);
    return result.value;
  }
  async function fails<C extends ChannelName>(channel: C, code: ErrorCode, payload?: ChannelPayload<C>) {
    const result = await call(channel, payload);
    expect(result, `${channel} should fail with ${code}`).toMatchObject({ ok: false, code });
    if (result.ok) throw new Error('unreachable');
    return result;
  }
  return { app, dir, protector, clock, call, ok, fails, protectorsMade: () => protectorsMade };
}

/** A started app with the admin set up and a viewer created; the admin is signed in. */
async function withAdminAndViewer() {
  const ctx = await start();
  const admin = await ctx.ok('setup:create-admin');
  const viewer = await ctx.ok('users:create', VIEWER);
  return { ...ctx, admin, viewer };
}

describe('createApp', () => {
  it('starts in needs-setup on a fresh profile, then create-admin signs the admin in', async () => {
    const { ok, dir } = await start();
    const info: AppInfo = await ok('app:get-info');
    expect(info).toEqual({
      name: 'Portico',
      version: '1.2.3',
      platform: 'linux',
      status: { state: 'needs-setup' },
      keyStorage: 'os-keychain',
      passwordPolicy: { minLength: 12 },
      localAccountsEnabled: true,
      providers: [],
      signInNotice: null,
      lastSignIn: null,
    });
    expect(await ok('session:get-current')).toBeNull();
    expect(await fs.readdir(dir)).toContain(VAULT_FILE);

    const session: SessionSummary = await ok('setup:create-admin');
    expect(session.user).toMatchObject({ username: 'root', displayName: 'Root Admin', provider: 'local' });
    expect(session.roles).toEqual(['admin']);
    expect(session.permissions).toContain('admin.users');
    expect((await ok('app:get-info')).status).toEqual({ state: 'ready' });
    expect(await ok('session:get-current')).toEqual(session);
  });

  it('refuses a second create-admin and sign-in before setup', async () => {
    const { ok, fails } = await start();
    await fails('auth:sign-in-local', 'SETUP_REQUIRED');
    await ok('setup:create-admin');
    await fails('setup:create-admin', 'SETUP_ALREADY_DONE', { ...ADMIN, username: 'mallory' });
  });

  it('refuses a weak first-admin password, stays in needs-setup', async () => {
    const { ok, fails } = await start();
    const result = await fails('setup:create-admin', 'WEAK_PASSWORD', { ...ADMIN, password: 'Password1234!' });
    expect(result.fields?.password).toBeDefined();
    expect((await ok('app:get-info')).status).toEqual({ state: 'needs-setup' });
  });

  it('lets an admin manage users, and refuses users:* to a viewer (PERMISSION_DENIED)', async () => {
    const { ok, fails, viewer } = await withAdminAndViewer();
    expect((await ok('users:list')).map((u) => u.username)).toEqual(['root', 'vera']);
    expect(viewer).toMatchObject({ username: 'vera', roles: ['viewer'], disabled: false, locked: false });

    await ok('auth:sign-out');
    const session = await ok('auth:sign-in-local', { username: 'Vera', password: VIEWER.password });
    expect(session.permissions).toEqual(['data.read']);

    await fails('users:list', 'PERMISSION_DENIED');
    await fails('users:create', 'PERMISSION_DENIED');
    await fails('users:set-disabled', 'PERMISSION_DENIED', { userId: viewer.id, disabled: false });
    await fails('users:reset-password', 'PERMISSION_DENIED', { userId: viewer.id, password: 'hollow-granite-pepper-owl' });
    // Still signed in: a refused call does not end the session.
    expect((await ok('session:get-current'))?.user.username).toBe('vera');
  });

  it('audits sign-ins, failures, admin actions and refused calls, in a chain that verifies', async () => {
    const { ok, fails, clock } = await withAdminAndViewer();
    await ok('auth:sign-out');
    await fails('auth:sign-in-local', 'INVALID_CREDENTIALS', { username: 'vera', password: 'wrong-password-here' });
    clock.advance(MIN); // past the backoff after a failure
    await ok('auth:sign-in-local', { username: 'vera', password: VIEWER.password });
    await fails('users:list', 'PERMISSION_DENIED');
    await fails('audit:query', 'PERMISSION_DENIED');
    await ok('auth:sign-out');
    await ok('auth:sign-in-local', { username: ADMIN.username, password: ADMIN.password });

    const log = await ok('audit:query', { limit: 50 });
    expect(log.integrity).toEqual({ ok: true, count: log.entries.length });
    const lines = log.entries.map((e) => [e.actor, e.action, e.outcome, e.target]).reverse();
    expect(lines).toEqual([
      [null, 'app.start', 'success', null],
      ['root', 'users.create', 'success', 'root'],
      ['root', 'users.create', 'success', 'vera'],
      ['root', 'auth.sign-out', 'success', null],
      [null, 'auth.sign-in-failed', 'failure', 'vera'],
      ['vera', 'auth.sign-in', 'success', null],
      ['vera', 'access.denied', 'denied', 'users:list'],
      ['vera', 'access.denied', 'denied', 'audit:query'],
      ['vera', 'auth.sign-out', 'success', null],
      ['root', 'auth.sign-in', 'success', null],
    ]);
    // Filters: by user, and by part of an action's name.
    expect((await ok('audit:query', { actor: 'vera', limit: 50 })).entries).toHaveLength(4);
    expect((await ok('audit:query', { action: 'sign-in', limit: 50 })).entries.map((e) => e.action)).toEqual([
      'auth.sign-in',
      'auth.sign-in',
      'auth.sign-in-failed',
    ]);
    expect((await ok('audit:query', { action: 'no-such-action' })).entries).toEqual([]);
  });

  it('refuses every session channel after sign-out with NOT_SIGNED_IN', async () => {
    const { ok, fails } = await withAdminAndViewer();
    await ok('auth:sign-out');
    expect(sessionChannels.length).toBeGreaterThanOrEqual(5);
    for (const channel of sessionChannels) await fails(channel, 'NOT_SIGNED_IN');
    expect(await ok('session:get-current')).toBeNull();
    expect(await ok('auth:sign-out')).toBeNull();
  });

  it('expires an idle session (SESSION_EXPIRED) and keeps refusing until a new sign-in', async () => {
    const { ok, fails, clock } = await withAdminAndViewer();
    clock.advance(14 * MIN);
    await ok('users:list');
    clock.advance(14 * MIN);
    await ok('users:list');
    // Locked after 15 minutes (session.lockAfterMinutes), signed out after 60 (session.idleMinutes).
    clock.advance(15 * MIN);
    await fails('users:list', 'SESSION_LOCKED');
    clock.advance(45 * MIN);
    await fails('users:list', 'SESSION_EXPIRED');
    await fails('session:get-current', 'SESSION_EXPIRED');
    for (const channel of sessionChannels) await fails(channel, 'SESSION_EXPIRED');

    await ok('auth:sign-out');
    await fails('users:list', 'NOT_SIGNED_IN');
    await ok('auth:sign-in-local');
    await ok('users:list');
    // The timeout is audited once, as the user it ended.
    const expired = (await ok('audit:query', { action: 'auth.session-expired' })).entries;
    expect(expired.map((e) => [e.actor, e.details.reason])).toEqual([['root', 'idle']]);
  });

  it('ends a session at the absolute limit however active', async () => {
    const { ok, fails, clock } = await start({ layers: [{ session: { absoluteHours: 1 } }] });
    await ok('setup:create-admin');
    for (let i = 0; i < 5; i++) {
      clock.advance(10 * MIN);
      await ok('users:list');
    }
    clock.advance(10 * MIN);
    const result = await fails('users:list', 'SESSION_EXPIRED');
    expect(result.message).toMatch(/maximum length/);
  });

  it('previews another role within the caller’s own access, and audits the preview', async () => {
    const masked = /^[a-z0-9]\*\*\*@/;
    const email = (p: { dataset: { id: string }; page: { columns: string[]; rows: unknown[][] } }) =>
      p.page.rows.map((row) => row[p.page.columns.indexOf('customer_email')]);
    const { ok } = await withAdminAndViewer();
    const asManager = await ok('admin:preview-access', { roles: ['manager'], groups: ['Sales-APAC'] });
    expect(asManager.permissions).toContain('data.read.pii');
    const sample = asManager.datasets[0]!;
    expect(sample).toMatchObject({ rowsHidden: false, dataset: { rowScope: 'region is APAC' } });
    expect(new Set(sample.page.rows.map((row) => row[sample.page.columns.indexOf('region')]))).toEqual(new Set(['APAC']));
    for (const value of email(sample)) expect(value).not.toMatch(masked);
    const log = await ok('audit:query', { action: 'access.previewed' });
    expect(log.entries.map((e) => [e.actor, e.details.roles, e.details.groups])).toEqual([['root', 'manager', 1]]);

    // An admin whose own role lacks data.read.pii sees the preview masked; a scoped caller sees no rows.
    const custom = await start({
      layers: [
        {
          access: {
            rolePermissions: { admin: ['data.read', 'admin.users', 'admin.roles'], viewer: ['data.read', 'admin.roles'] },
          },
        },
      ],
    });
    await custom.ok('setup:create-admin');
    await custom.ok('users:create', { ...VIEWER, groups: ['Sales-EMEA'] });
    const noPii = (await custom.ok('admin:preview-access', { roles: ['manager'], groups: ['Sales-APAC'] })).datasets[0]!;
    expect(noPii.rowsHidden).toBe(false);
    for (const value of email(noPii)) expect(value).toMatch(masked);
    await custom.ok('auth:sign-out');
    await custom.ok('auth:sign-in-local', { username: VIEWER.username, password: VIEWER.password });
    const scoped = (await custom.ok('admin:preview-access', { roles: ['analyst'], groups: [] })).datasets[0]!;
    expect(scoped).toMatchObject({ rowsHidden: true, page: { rows: [] } });
    expect(scoped.page.total).toBeGreaterThan(0);
  });

  it('needs a recent sign-in for admin changes; auth:confirm-password renews it', async () => {
    const { ok, fails, clock } = await withAdminAndViewer();
    for (let i = 0; i < 2; i++) {
      clock.advance(10 * MIN);
      await ok('users:list');
    }
    await fails('users:create', 'RECENT_SIGN_IN_REQUIRED');
    await fails('auth:confirm-password', 'INVALID_CREDENTIALS', { password: 'wrong-password-here' });
    expect((await ok('session:get-current'))?.user.username).toBe('root');

    clock.advance(1000);
    await ok('auth:confirm-password');
    expect((await ok('users:create')).username).toBe('newbie');
  });

  it('applies a disable at the user’s next sign-in, and keeps the last admin enabled', async () => {
    const { ok, fails, admin, viewer } = await withAdminAndViewer();
    expect((await ok('users:set-disabled', { userId: viewer.id, disabled: true })).disabled).toBe(true);
    await fails('users:set-disabled', 'CANNOT_DISABLE_SELF', { userId: admin.user.id, disabled: true });

    await ok('auth:sign-out');
    await fails('auth:sign-in-local', 'ACCOUNT_DISABLED', { username: 'vera', password: VIEWER.password });
    await fails('auth:sign-in-local', 'INVALID_CREDENTIALS', { username: 'vera', password: 'wrong-password-here' });
    expect(await ok('session:get-current')).toBeNull();
  });

  it('resets a password to a temporary one: the old one stops working, the new one must be replaced before anything else', async () => {
    const { ok, fails, viewer, clock } = await withAdminAndViewer();
    expect(
      (await ok('users:reset-password', { userId: viewer.id, password: 'hollow-granite-pepper-owl' })).passwordChangeRequired,
    ).toBe(true);
    await ok('auth:sign-out');
    await fails('auth:sign-in-local', 'INVALID_CREDENTIALS', { username: 'vera', password: VIEWER.password });
    clock.advance(1000);
    await fails('auth:sign-in-local', 'PASSWORD_CHANGE_REQUIRED', { username: 'vera', password: 'hollow-granite-pepper-owl' });
    // No session until the password is changed: no channel that needs one answers.
    expect(await ok('session:get-current')).toBeNull();
    await fails('data:list-datasets', 'NOT_SIGNED_IN');
    await fails('account:get-security', 'NOT_SIGNED_IN');
    // Neither the temporary password again, nor a weak one.
    expect(
      (await fails('auth:set-new-password', 'WEAK_PASSWORD', { newPassword: 'hollow-granite-pepper-owl' })).fields,
    ).toHaveProperty('newPassword');
    await fails('auth:set-new-password', 'WEAK_PASSWORD', { newPassword: 'password1234' });
    const session = await ok('auth:set-new-password', { newPassword: OWN_PASSWORD });
    expect(session.user.username).toBe('vera');
    expect((await ok('data:list-datasets')).length).toBeGreaterThan(0);
    // Changed: the next sign-in is an ordinary one.
    await ok('auth:sign-out');
    expect((await ok('auth:sign-in-local', { username: 'vera', password: OWN_PASSWORD })).user.username).toBe('vera');
  });

  it('gives a wrong password and an unknown user the same answer', async () => {
    const { call, ok } = await withAdminAndViewer();
    await ok('auth:sign-out');
    const wrong = await call('auth:sign-in-local', { username: 'vera', password: 'wrong-password-here' });
    const unknown = await call('auth:sign-in-local', { username: 'nobody', password: 'wrong-password-here' });
    expect(wrong).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
    expect(unknown).toEqual(wrong);
  });

  it('keeps users and a lockout across a restart on the same profile', async () => {
    const first = await withAdminAndViewer();
    await first.ok('auth:sign-out');
    for (let i = 0; i < 5; i++) {
      first.clock.advance(31_000);
      await first.call('auth:sign-in-local', { username: 'vera', password: 'wrong-password-here' });
    }

    const second = await start({ dir: first.dir, protector: first.protector, clock: first.clock });
    expect((await second.ok('app:get-info')).status).toEqual({ state: 'ready' });
    await second.fails('auth:sign-in-local', 'ACCOUNT_LOCKED', { username: 'vera', password: VIEWER.password });
    await second.ok('auth:sign-in-local');
    expect((await second.ok('users:list')).find((u) => u.username === 'vera')?.locked).toBe(true);
  });

  it('keeps a session across a restart only when policy persistSession allows it', async () => {
    const keep = [{ session: { persistSession: true } }];
    const first = await start({ layers: keep });
    const admin = await first.ok('setup:create-admin');
    await first.app.flush();

    const second = await start({ dir: first.dir, protector: first.protector, clock: first.clock, layers: keep });
    expect(await second.ok('session:get-current')).toMatchObject({ user: { id: admin.user.id }, expiresAt: admin.expiresAt });
    await second.ok('users:list');

    // Turning the policy off drops the kept session at the next start, and for good.
    const off = await start({ dir: first.dir, protector: first.protector, clock: first.clock });
    expect(await off.ok('session:get-current')).toBeNull();
    await off.app.flush();
    const onAgain = await start({ dir: first.dir, protector: first.protector, clock: first.clock, layers: keep });
    expect(await onAgain.ok('session:get-current')).toBeNull();
  });

  it('does not restore a kept session that went idle while the app was closed', async () => {
    const keep = [{ session: { persistSession: true, idleMinutes: 15 } }];
    const first = await start({ layers: keep });
    await first.ok('setup:create-admin');
    await first.app.flush();
    first.clock.advance(16 * MIN);

    const second = await start({ dir: first.dir, protector: first.protector, clock: first.clock, layers: keep });
    expect(await second.ok('session:get-current')).toBeNull();
    await second.fails('users:list', 'NOT_SIGNED_IN');
  });

  it('forgets a kept session at sign-out', async () => {
    const keep = [{ session: { persistSession: true } }];
    const first = await start({ layers: keep });
    await first.ok('setup:create-admin');
    await first.ok('auth:sign-out');
    await first.app.flush();
    const second = await start({ dir: first.dir, protector: first.protector, clock: first.clock, layers: keep });
    expect(await second.ok('session:get-current')).toBeNull();
  });

  it('refuses sign-in when IT turned local accounts off', async () => {
    const ctx = await start();
    await ctx.ok('setup:create-admin');
    const off = await start({ dir: ctx.dir, protector: ctx.protector, layers: [{ localAccounts: { enabled: false } }] });
    const result = await off.fails('auth:sign-in-local', 'PERMISSION_DENIED');
    expect(result.message).toMatch(/turned off/);
  });

  it('does not offer first-run setup when IT turned local accounts off', async () => {
    const off = await start({ layers: [{ localAccounts: { enabled: false } }] });
    expect((await off.ok('app:get-info')).status).toEqual({ state: 'ready' });
    await off.fails('setup:create-admin', 'PERMISSION_DENIED');
  });

  describe('with single sign-on configured and local accounts on (no self-made administrators)', () => {
    const sso = {
      providers: { oidc: [{ id: 'corp', displayName: 'Corp', issuer: 'https://corp.example.com', clientId: 'portico' }] },
    };

    it('offers no first-run setup and refuses setup:create-admin, creating nothing', async () => {
      const ctx = await start({ layers: [sso] });
      expect((await ctx.ok('app:get-info')).status).toEqual({ state: 'ready' });
      const refused = await ctx.fails('setup:create-admin', 'SETUP_NOT_ALLOWED');
      expect(refused.message).toMatch(/single sign-on/);
      expect(await ctx.ok('session:get-current')).toBeNull();
      // Nothing was created: the name is unknown, and sign-in does not send anyone to setup.
      const signIn = await ctx.fails('auth:sign-in-local', 'INVALID_CREDENTIALS', {
        username: ADMIN.username,
        password: ADMIN.password,
      });
      expect(signIn.code).not.toBe('SETUP_REQUIRED');
    });

    it('offers a local bootstrap administrator only when the policy allows one, and only once', async () => {
      const ctx = await start({ layers: [sso, { localAccounts: { allowBootstrapAdmin: true } }] });
      expect((await ctx.ok('app:get-info')).status).toEqual({ state: 'needs-setup' });
      const admin = await ctx.ok('setup:create-admin');
      expect(admin.roles).toEqual(['admin']);
      await ctx.fails('setup:create-admin', 'SETUP_ALREADY_DONE', { ...ADMIN, username: 'second' });
    });
  });

  it('creates one first administrator when two setup calls race', async () => {
    const ctx = await start();
    const results = await Promise.all([
      ctx.call('setup:create-admin', ADMIN),
      ctx.call('setup:create-admin', { ...ADMIN, username: 'rival' }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ code: 'SETUP_ALREADY_DONE' });
  });

  it('refuses a foreign sender on every channel, including app:get-info', async () => {
    const { app } = await withAdminAndViewer();
    for (const channel of allChannels) {
      const result = await app.registry.dispatch(
        channel,
        { ...trustedSender, url: 'https://portico.test.evil.test/' },
        validPayloads[channel],
      );
      responses.push(result);
      expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN_SENDER' });
    }
  });

  it.each([
    ['a wrong type', { session: { idleMinutes: 'x' } }],
    ['an unknown key', { sesion: { idleMinutes: 5 } }],
    ['argon2 below OWASP', { localAccounts: { argon2: { memoryKiB: 4096 } } }],
  ])('fails closed on an invalid configuration (%s): CONFIG_INVALID, everything else APP_UNAVAILABLE', async (_label, layer) => {
    const { ok, fails, dir, protectorsMade } = await start({ userLayers: [layer] });
    const info = await ok('app:get-info');
    expect(info.status).toMatchObject({ state: 'error', code: 'CONFIG_INVALID' });
    expect(info.status.state === 'error' && info.status.message).toMatch(/user-layer-0\.json/);
    expect(info.keyStorage).toBe('unavailable');
    for (const channel of allChannels.filter((c) => c !== 'app:get-info')) await fails(channel, 'APP_UNAVAILABLE');
    // Nothing was touched: no key storage, no vault.
    expect(protectorsMade()).toBe(0);
    await expect(fs.access(dir)).rejects.toThrow();
  });

  it('reports a tampered vault as VAULT_UNREADABLE, keeps it unchanged, and serves nothing else', async () => {
    const first = await withAdminAndViewer();
    const file = path.join(first.dir, VAULT_FILE);
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, flipByte(bytes, bytes.length - 10));
    const before = await snapshotDir(first.dir);

    const { ok, fails } = await start({ dir: first.dir, protector: first.protector });

    const status = (await ok('app:get-info')).status;
    expect(status).toMatchObject({ state: 'error', code: 'VAULT_UNREADABLE' });
    expect(status.state === 'error' && status.message).toMatch(/has not changed or deleted it/);
    for (const channel of allChannels.filter((c) => c !== 'app:get-info')) await fails(channel, 'APP_UNAVAILABLE');
    expect(await snapshotDir(first.dir)).toEqual(before);
  });

  it('reports a missing keychain entry as VAULT_KEY_MISSING and keeps the vault', async () => {
    const first = await withAdminAndViewer();
    await first.protector.deleteKey();
    const before = await snapshotDir(first.dir);

    const { ok } = await start({ dir: first.dir, protector: first.protector });

    expect((await ok('app:get-info')).status).toMatchObject({ state: 'error', code: 'VAULT_KEY_MISSING' });
    expect(await snapshotDir(first.dir)).toEqual(before);
    expect(await first.protector.loadKey()).toBeNull();
  });

  it('never sends a hash or a password over IPC in a whole admin session', async () => {
    const { ok, call, viewer, clock } = await withAdminAndViewer();
    await ok('users:list');
    await ok('users:reset-password', { userId: viewer.id, password: 'hollow-granite-pepper-owl' });
    await ok('users:set-disabled', { userId: viewer.id, disabled: true });
    await ok('users:set-disabled', { userId: viewer.id, disabled: false });
    await ok('auth:confirm-password');
    await ok('auth:sign-out');
    await call('auth:sign-in-local', { username: 'vera', password: 'wrong-password-here' });
    clock.advance(1000);
    await call('auth:sign-in-local', { username: 'vera', password: 'hollow-granite-pepper-owl' });
    await ok('auth:set-new-password', { newPassword: OWN_PASSWORD });
    await ok('session:get-current');
    // The afterEach hook checks every response and log line of this test.
    expect(responses.length).toBeGreaterThanOrEqual(10);
  });
});
