/**
 * The signed-in person's own local account: change the password, set up, replace or remove
 * two-step verification, new recovery codes. SSO accounts have none of these here: their IdP
 * keeps their password and second factor.
 */
import type { AccountSecurity } from '../../../preload/contract';
import { AppError } from '../../errors';
import type { IpcRegistry } from '../../ipc/registry';
import type { PorticoConfig } from '../../policy/config-schema';
import type { Session, SessionManager } from '../../session/session-manager';
import type { LocalUserRecord } from '../../vault/vault-document';
import type { LocalAccounts } from './local-accounts';
import type { SignInFlow } from './sign-in-flow';

interface Deps {
  accounts: LocalAccounts;
  sessions: SessionManager;
  config: PorticoConfig;
  signInFlow: SignInFlow;
}

/** Errors that stop a password change before its fields are looked at: the account itself is refused. */
const ACCOUNT_REFUSALS = new Set(['THROTTLED', 'ACCOUNT_LOCKED', 'ACCOUNT_DISABLED']);

export function setupAccountHandlers(registry: IpcRegistry<Session>, { accounts, sessions, config, signInFlow }: Deps): void {
  /** The session's local account, or a refusal for SSO sessions. */
  const localAccount = (session: Session): Readonly<LocalUserRecord> => {
    if (session.user.provider !== 'local') {
      throw new AppError(
        'PERMISSION_DENIED',
        `You signed in with ${session.user.providerName ?? 'single sign-on'}: your password and two-step verification are managed there.`,
      );
    }
    const user = accounts.get(session.user.id);
    if (!user) throw new AppError('NOT_SIGNED_IN', 'Your account was removed. Ask your Portico administrator.');
    return user;
  };

  const securityOf = (user: Readonly<LocalUserRecord>): AccountSecurity => ({
    secondFactor: accounts.secondFactors.status(user.id),
    secondFactorRequired: signInFlow.secondFactorRequired(user),
    passwordPolicy: { minLength: config.localAccounts.minPasswordLength },
  });

  registry.handle('account:get-security', function handleGetAccountSecurity(_input, { session }) {
    return securityOf(localAccount(session!));
  });

  // Current and new password. Every problem is named at once (a wrong current password and a
  // new one that breaks the rules), so the form shows them together. The current password is
  // checked like a sign-in: throttled, counted towards the lockout.
  registry.handle('account:change-password', async function handleChangePassword(input, { session }) {
    const user = localAccount(session!);
    const fields: Record<string, string> = {};
    try {
      await accounts.signIn(user.username, input.currentPassword);
    } catch (error) {
      if (!(error instanceof AppError) || ACCOUNT_REFUSALS.has(error.code)) throw error;
      fields.currentPassword = 'The current password is not right.';
    }
    const problem = accounts.newPasswordProblem(user, input.newPassword);
    if (problem) fields.newPassword = problem;
    else if (!fields.currentPassword && input.newPassword.normalize('NFC') === input.currentPassword.normalize('NFC')) {
      fields.newPassword = 'Choose a password different from your current one.';
    }
    if (Object.keys(fields).length > 0) {
      const message = ['Check the form:', fields.currentPassword, fields.newPassword].filter(Boolean).join(' ');
      throw new AppError(fields.currentPassword ? 'INVALID_CREDENTIALS' : 'WEAK_PASSWORD', message, { fields });
    }
    await accounts.setOwnPassword(user.id, input.newPassword);
    // The person just proved who they are: admin actions need no confirmation for a while.
    sessions.markAuthenticated();
    return sessions.summary(session!);
  });

  registry.handle('account:begin-second-factor-enrolment', function handleBeginEnrolment(_input, { session }) {
    return accounts.secondFactors.beginEnrolment(localAccount(session!));
  });

  registry.handle('account:confirm-second-factor-enrolment', async function handleConfirmEnrolment(input, { session }) {
    const recoveryCodes = await accounts.secondFactors.confirmEnrolment(localAccount(session!), input.code);
    return { recoveryCodes, session: sessions.summary(session!) };
  });

  registry.handle('account:remove-second-factor', async function handleRemoveSecondFactor(_input, { session }) {
    const user = localAccount(session!);
    if (signInFlow.secondFactorRequired(user)) {
      throw new AppError(
        'SETTING_LOCKED',
        'Your organization’s policy requires two-step verification for this account, so it cannot be turned off. You can set up a new authenticator app instead.',
      );
    }
    await accounts.secondFactors.remove(user.id);
    return securityOf(user);
  });

  registry.handle('account:new-recovery-codes', function handleNewRecoveryCodes(_input, { session }) {
    return accounts.secondFactors.renewRecoveryCodes(localAccount(session!).id);
  });
}
