import type { IpcRegistry } from '../ipc/registry';
import type { Session, SessionManager } from './session-manager';
import { expiredError } from './authorize';

export function setupSessionHandlers(registry: IpcRegistry<Session>, { sessions }: { sessions: SessionManager }): void {
  registry.handle('session:get-current', function handleGetCurrentSession() {
    const state = sessions.check();
    if (state.state === 'expired') throw expiredError(state.reason);
    return state.state === 'active' ? sessions.summary(state.session) : null;
  });

  // Public so that signing out always works, even with an expired session.
  registry.handle('auth:sign-out', function handleSignOut() {
    sessions.end();
    return null;
  });
}
