import { AppError } from '../../errors';
import type { IpcRegistry } from '../../ipc/registry';
import type { Session, SessionManager } from '../../session/session-manager';
import type { LocalAccounts } from './local-accounts';
import type { PorticoConfig } from '../../policy/config-schema';
import { startLocalSession, type SignInFlow } from './sign-in-flow';

interface Deps {
  accounts: LocalAccounts;
  sessions: SessionManager;
  config: PorticoConfig;
  signInFlow: SignInFlow;
}

export function setupLocalAuthHandlers(registry: IpcRegistry<Session>, { accounts, sessions, config, signInFlow }: Deps): void {
  const assertEnabled = () => {
    if (!config.localAccounts.enabled) {
      throw new AppError('PERMISSION_DENIED', 'Local accounts are turned off by your IT department. Use single sign-on.');
    }
  };

  registry.handle('setup:create-admin', async function handleCreateAdmin(input) {
    assertEnabled();
    const admin = await accounts.createFirstAdmin(input);
    return sessions.summary(startLocalSession(sessions, admin));
  });

  registry.handle('auth:sign-in-local', async function handleSignInLocal(input) {
    assertEnabled();
    // Only first-run setup sends the person to the setup screen; with SSO and no local account
    // this is an ordinary failed sign-in (an unknown name), never a way into setup.
    if (accounts.isFirstRun())
      throw new AppError('SETUP_REQUIRED', 'Portico has no accounts yet. Create the administrator first.');
    const user = await accounts.signIn(input.username, input.password);
    // Only a completed sign-in ends the earlier session, which the new one then replaces (no
    // fixation, no carry-over). A failed attempt changes nothing: otherwise anyone at the
    // keyboard, or a script in the window, could sign the user out with a wrong password. With
    // steps left (second factor, temporary password), the answer names the next one.
    return signInFlow.passwordVerified(user);
  });

  // The steps of a pending sign-in (sign-in-flow.ts): public, since no session exists yet; each
  // acts only on the account whose password was just verified, held in main.
  registry.handle('auth:verify-second-factor', function handleVerifySecondFactor(input) {
    assertEnabled();
    return signInFlow.verifySecondFactor(input.code);
  });

  registry.handle('auth:set-new-password', function handleSetNewPassword(input) {
    assertEnabled();
    return signInFlow.setNewPassword(input.newPassword);
  });

  registry.handle('auth:begin-second-factor-enrolment', function handleBeginSignInEnrolment() {
    assertEnabled();
    return signInFlow.beginEnrolment();
  });

  registry.handle('auth:confirm-second-factor-enrolment', function handleConfirmSignInEnrolment(input) {
    assertEnabled();
    return signInFlow.confirmEnrolment(input.code);
  });

  registry.handle('auth:cancel-sign-in', function handleCancelSignIn() {
    signInFlow.cancel();
    return null;
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
