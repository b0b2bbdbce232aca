import { describe, expect, it } from 'vitest';
import { SessionManager, type Session, type SessionPolicy, type SessionUser } from '../../../../main/session/session-manager';
import { FakeClock } from '../../helpers';
import { PERMISSIONS } from '../../../../preload/constants';

const MIN = 60_000;
const HOUR = 60 * MIN;
const user: SessionUser = {
  id: '9b2f3c1e-1111-4222-8333-444455556666',
  username: 'ada',
  displayName: 'Ada',
  provider: 'local',
  providerId: null,
  providerName: null,
  email: null,
};
const defaults = { idleMs: 15 * MIN, absoluteMs: 12 * HOUR, recentSignInMs: 15 * MIN };

function started(policy: SessionPolicy = defaults) {
  const clock = new FakeClock();
  const sessions = new SessionManager(clock, policy);
  const session = sessions.start(user, ['viewer']);
  return { clock, sessions, session };
}

describe('SessionManager', () => {
  it('has no session before sign-in', () => {
    expect(new SessionManager(new FakeClock(), defaults).check()).toEqual({ state: 'none' });
  });

  it('is active until the idle timeout (15 min by default), then expired with reason idle', () => {
    const { clock, sessions, session } = started();
    clock.advance(15 * MIN - 1);
    expect(sessions.check()).toEqual({ state: 'active', session });
    clock.advance(1);
    expect(sessions.check()).toEqual({ state: 'expired', reason: 'idle' });
    // Expired is final: time going on, or a touch, does not bring it back.
    sessions.touch();
    expect(sessions.check()).toEqual({ state: 'expired', reason: 'idle' });
  });

  it('extends the idle timeout on touch()', () => {
    const { clock, sessions } = started();
    for (let i = 0; i < 8; i++) {
      clock.advance(14 * MIN);
      expect(sessions.check().state).toBe('active');
      sessions.touch();
    }
    clock.advance(15 * MIN);
    expect(sessions.check()).toEqual({ state: 'expired', reason: 'idle' });
  });

  it('expires at the absolute limit (12 h) however active the user is', () => {
    const { clock, sessions, session } = started();
    expect(session.expiresAt).toBe(session.createdAt + 12 * HOUR);
    while (clock.t + 10 * MIN < session.expiresAt) {
      clock.advance(10 * MIN);
      expect(sessions.check().state).toBe('active');
      sessions.touch();
    }
    clock.t = session.expiresAt;
    expect(sessions.check()).toEqual({ state: 'expired', reason: 'absolute' });
  });

  it('ends on end(): none, not expired', () => {
    const { sessions } = started();
    sessions.end();
    expect(sessions.check()).toEqual({ state: 'none' });
  });

  it('gives a new id on every start, and nothing carries over', () => {
    const { sessions, session, clock } = started();
    sessions.updateRoles(['admin']);
    clock.advance(MIN);
    const next = sessions.start(user, ['viewer']);
    expect(next.id).not.toBe(session.id);
    expect(next.roles).toEqual(['viewer']);
    expect(next.createdAt).toBe(clock.t);
    const ids = new Set(Array.from({ length: 20 }, () => sessions.start(user, []).id));
    expect(ids.size).toBe(20);
  });

  it('starts fresh after an expiry', () => {
    const { sessions, clock } = started();
    clock.advance(16 * MIN);
    expect(sessions.check().state).toBe('expired');
    sessions.start(user, ['viewer']);
    expect(sessions.check().state).toBe('active');
  });

  it('summarises without secrets, with permissions from the roles and both expiries', () => {
    const { sessions, session, clock } = started();
    clock.advance(3 * MIN);
    sessions.touch();
    const summary = sessions.summary(session);
    expect(summary).toEqual({
      user: { ...user },
      roles: ['viewer'],
      groups: [],
      permissions: ['data.read'],
      expiresAt: session.expiresAt,
      idleExpiresAt: clock.t + 15 * MIN,
      recentSignInUntil: session.createdAt + 15 * MIN,
      locked: false,
      lockAt: null,
      now: clock.t,
    });
    expect(Object.keys(summary).sort()).toEqual([
      'expiresAt',
      'groups',
      'idleExpiresAt',
      'lockAt',
      'locked',
      'now',
      'permissions',
      'recentSignInUntil',
      'roles',
      'user',
    ]);
    expect(JSON.stringify(summary)).not.toContain(session.id);

    sessions.updateRoles(['admin', 'analyst'], ['Sales-EMEA']);
    expect(sessions.summary(session).permissions).toEqual([...PERMISSIONS].sort());
    expect(sessions.summary(session).groups).toEqual(['Sales-EMEA']);
  });

  it('caps idleExpiresAt at the absolute expiry', () => {
    const { sessions, session, clock } = started();
    clock.t = session.expiresAt - MIN;
    sessions.touch();
    expect(sessions.summary(session).idleExpiresAt).toBe(session.expiresAt);
  });

  it('honours a configured idle timeout', () => {
    const { sessions, clock } = started({ ...defaults, idleMs: 5 * MIN, absoluteMs: HOUR });
    clock.advance(5 * MIN);
    expect(sessions.check()).toEqual({ state: 'expired', reason: 'idle' });
  });

  it('counts a sign-in as recent for recentSignInMs only; activity does not extend it', () => {
    const { sessions, session, clock } = started();
    expect(sessions.isRecentSignIn(session)).toBe(true);
    clock.advance(10 * MIN);
    sessions.touch();
    clock.advance(5 * MIN - 1);
    expect(sessions.isRecentSignIn(session)).toBe(true);
    clock.advance(1);
    expect(sessions.isRecentSignIn(session)).toBe(false);
    expect(sessions.check().state).toBe('active');
  });

  it('makes the sign-in recent again after markAuthenticated()', () => {
    const { sessions, session, clock } = started();
    clock.advance(20 * MIN);
    sessions.touch();
    expect(sessions.isRecentSignIn(session)).toBe(false);
    sessions.markAuthenticated();
    expect(sessions.isRecentSignIn(session)).toBe(true);
    expect(sessions.summary(session).recentSignInUntil).toBe(clock.t + 15 * MIN);
  });

  it('ends an SSO session at the IdP’s SessionNotOnOrAfter when that comes before the policy limit', () => {
    const clock = new FakeClock();
    const sessions = new SessionManager(clock, { idleMs: 15 * 60_000, absoluteMs: 12 * 3600_000, recentSignInMs: 15 * 60_000 });
    const early = sessions.start(user, ['viewer'], { endsAt: clock.t + 3600_000 });
    expect(early.expiresAt).toBe(clock.t + 3600_000);
    // Policy caps a longer IdP session; a past or missing one falls back to the policy limit.
    expect(sessions.start(user, ['viewer'], { endsAt: clock.t + 48 * 3600_000 }).expiresAt).toBe(clock.t + 12 * 3600_000);
    expect(sessions.start(user, ['viewer'], { endsAt: clock.t - 1 }).expiresAt).toBe(clock.t + 12 * 3600_000);
    expect(sessions.start(user, ['viewer'], { endsAt: null }).expiresAt).toBe(clock.t + 12 * 3600_000);
  });

  describe('lock', () => {
    const locking = { ...defaults, lockMs: 10 * MIN, idleMs: 60 * MIN };

    it('locks after lockMs without activity; the session stays, the lock time is when idle reached it', () => {
      const { clock, sessions, session } = started(locking);
      const locks: string[] = [];
      sessions.onLock = (s) => locks.push(s.id);
      clock.advance(10 * MIN - 1);
      expect(sessions.check()).toEqual({ state: 'active', session });
      clock.advance(5 * MIN);
      expect(sessions.check()).toEqual({ state: 'locked', session });
      expect(session.lockedAt).toBe(session.lastActivityAt + 10 * MIN);
      expect(sessions.activeUser()).toBeNull();
      // Reported once, however often it is checked.
      sessions.check();
      expect(locks).toEqual([session.id]);
    });

    it('is not opened by activity: a locked session ignores touch()', () => {
      const { clock, sessions } = started(locking);
      clock.advance(10 * MIN);
      expect(sessions.check().state).toBe('locked');
      sessions.touch();
      clock.advance(MIN);
      expect(sessions.check().state).toBe('locked');
    });

    it('signs out after idleMs, locked or not, counted from the last activity', () => {
      const { clock, sessions } = started(locking);
      clock.advance(10 * MIN);
      expect(sessions.check().state).toBe('locked');
      clock.advance(50 * MIN - 1);
      expect(sessions.check().state).toBe('locked');
      clock.advance(1);
      expect(sessions.check()).toEqual({ state: 'expired', reason: 'idle' });
    });

    it('still signs out at the absolute limit while locked', () => {
      const { clock, sessions, session } = started({ ...locking, idleMs: 24 * HOUR, absoluteMs: HOUR });
      clock.advance(10 * MIN);
      expect(sessions.check().state).toBe('locked');
      clock.t = session.expiresAt;
      expect(sessions.check()).toEqual({ state: 'expired', reason: 'absolute' });
    });

    it('unlock() opens it where it was: active from now, a recent sign-in, reported', () => {
      const { clock, sessions, session } = started(locking);
      const unlocked: string[] = [];
      sessions.onUnlock = (s) => unlocked.push(s.id);
      clock.advance(40 * MIN);
      expect(sessions.check().state).toBe('locked');
      sessions.unlock();
      expect(sessions.check()).toEqual({ state: 'active', session });
      expect(session.lastActivityAt).toBe(clock.t);
      expect(sessions.isRecentSignIn(session)).toBe(true);
      expect(unlocked).toEqual([session.id]);
      // The idle clock starts again from the unlock.
      clock.advance(10 * MIN - 1);
      expect(sessions.check().state).toBe('active');
    });

    it('lock() locks at once (a kept sign-in restored for someone whose session was locked)', () => {
      const { sessions, session, clock } = started(locking);
      sessions.lock();
      expect(sessions.check()).toEqual({ state: 'locked', session });
      expect(session.lockedAt).toBe(clock.t);
    });

    it('never locks when the lock would not come before the idle sign-out', () => {
      const { clock, sessions } = started({ ...defaults, lockMs: 15 * MIN, idleMs: 15 * MIN });
      clock.advance(15 * MIN - 1);
      expect(sessions.check().state).toBe('active');
      expect(sessions.summary((sessions.check() as { session: Session }).session).lockAt).toBeNull();
      clock.advance(1);
      expect(sessions.check()).toEqual({ state: 'expired', reason: 'idle' });
    });

    it('summarises the lock: when it comes if idle from now on, and whether it has', () => {
      const { clock, sessions, session } = started(locking);
      clock.advance(3 * MIN);
      sessions.touch();
      expect(sessions.summary(session)).toMatchObject({ locked: false, lockAt: clock.t + 10 * MIN, now: clock.t });
      clock.advance(10 * MIN);
      sessions.check();
      expect(sessions.summary(session)).toMatchObject({ locked: true, now: clock.t });
    });

    it('keeps the lock across a restart (persistSession): a saved locked session comes back locked', async () => {
      const saved: (Session | null)[] = [];
      const store = { save: async (s: Session | null) => void saved.push(s && structuredClone(s)) };
      const { clock, sessions } = started(locking);
      await sessions.persistWith(store, null);
      clock.advance(10 * MIN);
      expect(sessions.check().state).toBe('locked');
      await sessions.flush();
      const last = saved.at(-1)!;
      expect(last.lockedAt).not.toBeNull();

      const restarted = new SessionManager(clock, locking);
      await restarted.persistWith(store, last);
      expect(restarted.check().state).toBe('locked');
    });
  });
});
