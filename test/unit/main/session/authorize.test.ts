import { describe, expect, it } from 'vitest';
import { LocalAccounts } from '../../../../main/auth/local/local-accounts';
import { AppError } from '../../../../main/errors';
import { OWASP_ARGON2ID } from '../../../../main/policy/config-schema';
import { createAuthorizer } from '../../../../main/session/authorize';
import { SessionManager } from '../../../../main/session/session-manager';
import type { Access } from '../../../../preload/contract';
import { FakeClock, GOOD_PASSWORD, OTHER_GOOD_PASSWORD, openTestVault } from '../../helpers';

const MIN = 60_000;

async function setup(lockMs?: number) {
  const { vault } = await openTestVault();
  const clock = new FakeClock();
  const accounts = new LocalAccounts(
    vault,
    { minPasswordLength: 12, argon2: { ...OWASP_ARGON2ID }, maxFailures: 5, lockoutMs: 15 * MIN, backoffBaseMs: 1000 },
    clock,
  );
  const sessions = new SessionManager(clock, {
    idleMs: lockMs ? 60 * MIN : 15 * MIN,
    absoluteMs: 12 * 60 * MIN,
    recentSignInMs: 5 * MIN,
    ...(lockMs ? { lockMs } : {}),
  });
  const admin = await accounts.createFirstAdmin({ username: 'root', displayName: 'Root', password: GOOD_PASSWORD });
  const viewer = await accounts.create({
    username: 'vera',
    displayName: 'Vera',
    password: OTHER_GOOD_PASSWORD,
    roles: ['viewer'],
  });
  const authorize = createAuthorizer({ sessions, accounts });
  const signInAs = (user: typeof admin) =>
    sessions.start(
      {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        provider: 'local',
        providerId: null,
        providerName: null,
        email: null,
      },
      [...user.roles],
    );
  return { accounts, sessions, clock, admin, viewer, authorize, signInAs };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
  return 'OK';
}

describe('createAuthorizer', () => {
  it('lets public channels through without a session', async () => {
    const { authorize } = await setup();
    expect(authorize('public')).toBeNull();
  });

  it.each<Access>(['session', 'admin.users', 'data.read'])('refuses %s without a session: NOT_SIGNED_IN', async (access) => {
    const { authorize } = await setup();
    expect(codeOf(() => authorize(access))).toBe('NOT_SIGNED_IN');
  });

  it('refuses a permission the roles do not grant, and allows one they do', async () => {
    const { authorize, signInAs, viewer } = await setup();
    const session = signInAs(viewer);
    expect(codeOf(() => authorize('admin.users'))).toBe('PERMISSION_DENIED');
    expect(authorize('data.read')).toBe(session);
  });

  it('reports SESSION_EXPIRED after the idle timeout', async () => {
    const { authorize, signInAs, admin, clock } = await setup();
    signInAs(admin);
    clock.advance(15 * MIN);
    expect(codeOf(() => authorize('session'))).toBe('SESSION_EXPIRED');
  });

  it('counts an authorised call as activity (idle timeout restarts)', async () => {
    const { authorize, signInAs, admin, clock } = await setup();
    signInAs(admin);
    clock.advance(14 * MIN);
    authorize('session');
    clock.advance(14 * MIN);
    expect(codeOf(() => authorize('session'))).toBe('OK');
  });

  it('does not count a public call as activity', async () => {
    const { authorize, signInAs, admin, clock } = await setup();
    signInAs(admin);
    clock.advance(14 * MIN);
    authorize('public');
    clock.advance(MIN);
    expect(codeOf(() => authorize('session'))).toBe('SESSION_EXPIRED');
  });

  it('ends the session of a user disabled mid-session at their next call', async () => {
    const { authorize, signInAs, accounts, admin, viewer, sessions } = await setup();
    signInAs(viewer);
    expect(codeOf(() => authorize('data.read'))).toBe('OK');

    await accounts.setDisabled(admin.id, viewer.id, true);

    expect(codeOf(() => authorize('data.read'))).toBe('NOT_SIGNED_IN');
    expect(sessions.check()).toEqual({ state: 'none' });
  });

  it('re-reads roles from the vault: the session does not keep roles it was started with', async () => {
    const { authorize, sessions, viewer } = await setup();
    // A session claiming admin for a user whose vault record says viewer.
    const session = sessions.start(
      {
        id: viewer.id,
        username: viewer.username,
        displayName: viewer.displayName,
        provider: 'local',
        providerId: null,
        providerName: null,
        email: null,
      },
      ['admin'],
    );
    expect(codeOf(() => authorize('admin.users'))).toBe('PERMISSION_DENIED');
    expect(sessions.summary(session).roles).toEqual(['viewer']);
  });

  it('requires a recent sign-in where asked, after the permission check', async () => {
    const { authorize, signInAs, admin, viewer, clock, sessions } = await setup();
    signInAs(admin);
    expect(codeOf(() => authorize('admin.users', { recentSignIn: true }))).toBe('OK');
    clock.advance(5 * MIN);
    expect(codeOf(() => authorize('admin.users', { recentSignIn: true }))).toBe('RECENT_SIGN_IN_REQUIRED');
    expect(codeOf(() => authorize('admin.users', { recentSignIn: false }))).toBe('OK');
    sessions.markAuthenticated();
    expect(codeOf(() => authorize('admin.users', { recentSignIn: true }))).toBe('OK');

    signInAs(viewer);
    clock.advance(5 * MIN);
    expect(codeOf(() => authorize('admin.users', { recentSignIn: true }))).toBe('PERMISSION_DENIED');
  });

  describe('a locked session', () => {
    it('answers no channel that needs a session: SESSION_LOCKED, whatever the permission', async () => {
      const { authorize, signInAs, admin, clock } = await setup(10 * MIN);
      signInAs(admin);
      clock.advance(10 * MIN);
      for (const access of ['session', 'data.read', 'data.export', 'admin.users', 'admin.audit'] as Access[]) {
        expect(codeOf(() => authorize(access))).toBe('SESSION_LOCKED');
      }
    });

    it('is not opened by the refused calls (they are not activity) and still signs out when idle long enough', async () => {
      const { authorize, signInAs, admin, clock, sessions } = await setup(10 * MIN);
      signInAs(admin);
      clock.advance(10 * MIN);
      codeOf(() => authorize('data.read'));
      clock.advance(50 * MIN);
      expect(codeOf(() => authorize('data.read'))).toBe('SESSION_EXPIRED');
      expect(sessions.check().state).toBe('expired');
    });

    it('gives public handlers the locked session (sign-out, unlock need it)', async () => {
      const { authorize, signInAs, admin, clock } = await setup(10 * MIN);
      const session = signInAs(admin);
      clock.advance(10 * MIN);
      expect(authorize('public', { channel: 'auth:sign-out' })).toBe(session);
    });

    it.each(['auth:sign-in-local', 'setup:create-admin', 'auth:start-sso'] as const)(
      'refuses %s: another person signs out first',
      async (channel) => {
        const { authorize, signInAs, admin, clock } = await setup(10 * MIN);
        signInAs(admin);
        clock.advance(10 * MIN);
        expect(codeOf(() => authorize('public', { channel }))).toBe('SESSION_LOCKED');
      },
    );

    it('lets sign-in channels through while the session is open', async () => {
      const { authorize, signInAs, admin } = await setup(10 * MIN);
      const session = signInAs(admin);
      expect(authorize('public', { channel: 'auth:sign-in-local' })).toBe(session);
    });
  });
});
