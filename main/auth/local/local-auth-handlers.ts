import { AppError } from '../../errors';
import type { IpcRegistry } from '../../ipc/registry';
import type { Session, SessionManager } from '../../session/session-manager';
import type { LocalAccounts } from './local-accounts';
import type { LocalUserRecord } from '../../vault/vault-document';
import type { PorticoConfig } from '../../policy/config-schema';

interface Deps {
  accounts: LocalAccounts;
  sessions: SessionManager;
  config: PorticoConfig;
}

export function setupLocalAuthHandlers(registry: IpcRegistry<Session>, { accounts, sessions, config }: Deps): void {
  const startSession = (user: Readonly<LocalUserRecord>) =>
    sessions.summary(
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
        user.roles,
        { groups: user.groups },
      ),
    );

  const assertEnabled = () => {
    if (!config.localAccounts.enabled) {
      throw new AppError('PERMISSION_DENIED', 'Local accounts are turned off by your IT department. Use single sign-on.');
    }
  };

  registry.handle('setup:create-admin', async function handleCreateAdmin(input) {
    assertEnabled();
    const admin = await accounts.createFirstAdmin(input);
    return startSession(admin);
  });

  registry.handle('auth:sign-in-local', async function handleSignInLocal(input) {
    assertEnabled();
    // Only first-run setup sends the person to the setup screen; with SSO and no local account
    // this is an ordinary failed sign-in (an unknown name), never a way into setup.
    if (accounts.isFirstRun())
      throw new AppError('SETUP_REQUIRED', 'Portico has no accounts yet. Create the administrator first.');
    const user = await accounts.signIn(input.username, input.password);
    // Only a successful sign-in ends the earlier session, which the new one then replaces
    // (no fixation, no carry-over). A failed attempt changes nothing: otherwise anyone at
    // the keyboard, or a script in the window, could sign the user out with a wrong password.
    sessions.end();
    return startSession(user);
  });

  // Re-proves the signed-in user's identity before admin actions. Same throttling and
  // lockout as sign-in; a wrong password does not end the session.
  registry.handle('auth:confirm-password', async function handleConfirmPassword(input, { session }) {
    if (session!.user.provider !== 'local') {
      throw new AppError('PERMISSION_DENIED', `You signed in with ${session!.user.providerName}: sign in with it again instead.`);
    }
    await accounts.signIn(session!.user.username, input.password);
    sessions.markAuthenticated();
    return sessions.summary(session!);
  });
}
