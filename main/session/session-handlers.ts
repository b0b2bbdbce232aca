import type { IpcRegistry } from '../ipc/registry';
import type { SsoService } from '../auth/sso-service';
import { reauthenticateAtIdp } from '../auth/sso-handlers';
import type { LocalAccounts } from '../auth/local/local-accounts';
import { AppError } from '../errors';
import type { Session, SessionManager, SessionState } from './session-manager';
import { expiredError } from './authorize';
import { verifyLocalUnlock } from './unlock';

export function setupSessionHandlers(
  registry: IpcRegistry<Session>,
  { sessions, sso, accounts }: { sessions: SessionManager; sso: SsoService; accounts: LocalAccounts },
): void {
  registry.handle('session:get-current', function handleGetCurrentSession() {
    const state = sessions.check();
    if (state.state === 'expired') throw expiredError(state.reason);
    return state.state === 'active' || state.state === 'locked' ? sessions.summary(state.session) : null;
  });

  // The access check has counted this call as activity (the idle lock starts again); the answer
  // says when the window locks now.
  registry.handle('session:activity', function handleActivity(_input, { session }) {
    return sessions.summary(session!);
  });

  // Public, since a locked session answers nothing else; the handler checks the state itself.
  // The same verification as signing in as the session's own user: throttled, locked out and
  // audited like a sign-in; a failure leaves the session locked.
  registry.handle('session:unlock', async function handleUnlock(input) {
    const locked = lockedSession(sessions.check());
    if (!locked) return sessions.summary(openSession(sessions.check()));
    if (locked.user.provider !== 'local') {
      throw new AppError(
        'PERMISSION_DENIED',
        `You signed in with ${locked.user.providerName}: unlock by signing in there again.`,
      );
    }
    try {
      await verifyLocalUnlock(accounts, locked.user.username, input);
    } catch (error) {
      // Disabled since: the session is over, not just locked.
      if (error instanceof AppError && error.code === 'ACCOUNT_DISABLED') sessions.end();
      throw error;
    }
    return sessions.summary(unlockSame(sessions, locked));
  });

  // A new sign-in at the session's IdP, which must authenticate again and return the same user.
  registry.handle('session:unlock-sso', async function handleUnlockSso() {
    const locked = lockedSession(sessions.check());
    if (!locked) return sessions.summary(openSession(sessions.check()));
    const identity = await reauthenticateAtIdp(sso, locked);
    return sessions.summary(
      unlockSame(sessions, locked, { roles: identity.roles, groups: identity.groups, sso: identity.logout }),
    );
  });

  // Public so that signing out always works, even with an expired or locked session. The local
  // session ends first; single logout at the IdP follows, best effort: what it could not
  // end is the answer, for the sign-in screen to say.
  registry.handle('auth:sign-out', async function handleSignOut(_input, { session }) {
    sessions.end();
    return session?.sso ? await sso.signOut(session.sso) : null;
  });
}

function lockedSession(state: SessionState): Session | null {
  return state.state === 'locked' ? state.session : null;
}

/** Unlocking what is not locked: an open session answers as it is; none, or an expired one, says so. */
function openSession(state: SessionState): Session {
  if (state.state === 'active') return state.session;
  if (state.state === 'expired') throw expiredError(state.reason);
  throw new AppError('NOT_SIGNED_IN', 'You are not signed in. Sign in to continue.');
}

/**
 * Unlocks `locked` only if it is still the session, still locked: a sign-out, a timeout or another
 * unlock while the password was checked or the IdP answered wins.
 */
function unlockSame(sessions: SessionManager, locked: Session, refreshed?: Parameters<SessionManager['unlock']>[0]): Session {
  const now = sessions.check();
  if (now.state === 'active' && now.session.id === locked.id) return now.session;
  if (now.state !== 'locked' || now.session.id !== locked.id) return openSession(now);
  sessions.unlock(refreshed);
  return locked;
}
