/**
 * The access check run by the IPC registry before any handler: the session must be active
 * (idle and absolute timeouts checked now, not locked), its user still enabled, and its roles
 * (re-read from the vault on every call, so removing a role takes effect at the next call)
 * must grant the channel's permission.
 *
 * A locked session answers nothing that needs a session (SESSION_LOCKED), whatever the window
 * shows; of the public channels, those that would start another session are refused too:
 * another person signs out first (the lock screen offers it), then signs in.
 */
import type { Access, ChannelName } from '../../preload/contract';
import { AppError } from '../errors';
import type { LocalAccounts } from '../auth/local/local-accounts';
import type { Session, SessionManager, SessionState } from './session-manager';

/** Public channels that start a session: not while one is locked. */
const STARTS_A_SESSION: ReadonlySet<ChannelName> = new Set([
  'auth:sign-in-local',
  'setup:create-admin',
  'auth:start-sso',
  // The steps of a local sign-in after its password (sign-in-flow.ts): each may start the session.
  'auth:verify-second-factor',
  'auth:set-new-password',
  'auth:begin-second-factor-enrolment',
  'auth:confirm-second-factor-enrolment',
]);

export interface AccessOptions {
  recentSignIn?: boolean;
  /** The channel asked for (the registry always says; direct callers may leave it out). */
  channel?: ChannelName;
}

export function createAuthorizer({ sessions, accounts }: { sessions: SessionManager; accounts: LocalAccounts }) {
  return (access: Access, options: AccessOptions = {}): Session | null => {
    const state = sessions.check();
    if (access === 'public') {
      if (state.state === 'locked' && options.channel && STARTS_A_SESSION.has(options.channel)) {
        throw lockedError(state.session, 'sign-in');
      }
      // A locked session still reaches the public handlers that need it (sign-out, unlock).
      return state.state === 'active' || state.state === 'locked' ? state.session : null;
    }
    const session = requireActive(state);
    // Local users: roles and status re-read from the vault. SSO users: the roles the IdP's
    // groups gave at sign-in, for the session's life (the IdP is the source of truth).
    if (session.user.provider === 'local') {
      const user = accounts.get(session.user.id);
      if (!user || user.disabled) {
        sessions.end();
        throw new AppError('NOT_SIGNED_IN', 'Your account was disabled or removed. Ask your Portico administrator.');
      }
      sessions.updateRoles(user.roles, user.groups);
    }
    if (access !== 'session' && !sessions.permissions(session).includes(access)) {
      throw new AppError('PERMISSION_DENIED', 'Your role does not allow this action. Ask your Portico administrator for access.');
    }
    if (options.recentSignIn === true && !sessions.isRecentSignIn(session)) {
      // SECURITY.md: admin actions need a recent sign-in (a walk-up attacker at an
      // unlocked screen cannot create accounts without the password).
      throw new AppError(
        'RECENT_SIGN_IN_REQUIRED',
        session.user.provider === 'local'
          ? 'Confirm your password to continue with this administrator action.'
          : `Sign in again with ${session.user.providerName ?? 'your identity provider'} to continue with this administrator action.`,
      );
    }
    sessions.touch();
    return session;
  };
}

export function requireActive(state: SessionState): Session {
  if (state.state === 'active') return state.session;
  if (state.state === 'locked') throw lockedError(state.session, 'call');
  if (state.state === 'expired') throw expiredError(state.reason);
  throw new AppError('NOT_SIGNED_IN', 'You are not signed in. Sign in to continue.');
}

export function expiredError(reason: 'idle' | 'absolute'): AppError {
  return new AppError(
    'SESSION_EXPIRED',
    reason === 'idle'
      ? 'You were signed out because Portico was idle for too long. Sign in again to continue.'
      : 'Your session reached its maximum length. Sign in again to continue.',
  );
}

/** What a locked session answers: to a call that needs it, and to a sign-in as anyone. */
export function lockedError(session: Session, refused: 'call' | 'sign-in'): AppError {
  const how = session.user.provider === 'local' ? 'your password' : `${session.user.providerName ?? 'your identity provider'}`;
  return new AppError(
    'SESSION_LOCKED',
    refused === 'call'
      ? `Portico is locked. Unlock it with ${how} to continue.`
      : `Portico is locked for ${session.user.displayName}. Unlock it, or sign out first to sign in as someone else.`,
  );
}
