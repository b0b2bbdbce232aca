import type { IpcRegistry } from '../ipc/registry';
import type { SsoService } from '../auth/sso-service';
import type { Session, SessionManager } from './session-manager';
import { expiredError } from './authorize';

export function setupSessionHandlers(
  registry: IpcRegistry<Session>,
  { sessions, sso }: { sessions: SessionManager; sso: SsoService },
): void {
  registry.handle('session:get-current', function handleGetCurrentSession() {
    const state = sessions.check();
    if (state.state === 'expired') throw expiredError(state.reason);
    return state.state === 'active' ? sessions.summary(state.session) : null;
  });

  // Public so that signing out always works, even with an expired session. The local
  // session ends first; single logout at the IdP follows, best effort.
  registry.handle('auth:sign-out', async function handleSignOut(_input, { session }) {
    sessions.end();
    if (session?.sso) await sso.signOut(session.sso);
    return null;
  });
}
