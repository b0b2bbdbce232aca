/**
 * A local sign-in after the password: what else the account must do before its session starts,
 * held in main as one short-lived pending sign-in bound to that account.
 *
 * In order: its second factor (when set up), a new password (when an administrator's reset left
 * a temporary one), and setting up a second factor (when policy `localAccounts.mfa` requires one
 * it does not have). Each step's channel answers the session once nothing is left, or the next
 * step as an error code. Until then there is no session: every channel that needs one answers
 * NOT_SIGNED_IN, so a pending sign-in reaches no data.
 */
import type { Permission, SecondFactorEnrolled, SecondFactorEnrolment, SessionSummary } from '../../../preload/contract';
import { AppError } from '../../errors';
import type { Clock } from '../../platform';
import type { Session, SessionManager } from '../../session/session-manager';
import type { LocalUserRecord } from '../../vault/vault-document';
import { permissionsFor, type RolePermissions } from '../roles';
import type { LocalAccounts } from './local-accounts';

export type SignInStep = 'second-factor' | 'change-password' | 'enrol-second-factor';
export type MfaPolicy = 'off' | 'admins' | 'everyone';

/** How long the pending sign-in waits for its next step (restarted by each step done). */
export const PENDING_SIGN_IN_MS = 10 * 60_000;

/**
 * The steps left after a right password. The second factor comes first: the temporary password
 * an administrator set (and knows) must not alone be enough to choose the next one.
 */
export function stepsAfterPassword(account: {
  secondFactor: boolean;
  passwordChangeRequired: boolean;
  secondFactorRequired: boolean;
}): SignInStep[] {
  const steps: SignInStep[] = [];
  if (account.secondFactor) steps.push('second-factor');
  if (account.passwordChangeRequired) steps.push('change-password');
  if (account.secondFactorRequired && !account.secondFactor) steps.push('enrol-second-factor');
  return steps;
}

/** Whether policy requires a second factor of someone with these permissions (`admins`: any admin.* permission). */
export function secondFactorRequired(policy: MfaPolicy, permissions: readonly Permission[]): boolean {
  if (policy === 'everyone') return true;
  return policy === 'admins' && permissions.some((permission) => permission.startsWith('admin.'));
}

/** The answer that asks for `step`: a value the window acts on, with what to do in words. */
export function stepRequired(step: SignInStep): AppError {
  switch (step) {
    case 'second-factor':
      return new AppError(
        'SECOND_FACTOR_REQUIRED',
        'Enter the 6-digit code from your authenticator app, or one of your recovery codes, to finish signing in.',
      );
    case 'change-password':
      return new AppError(
        'PASSWORD_CHANGE_REQUIRED',
        'Your password was set by an administrator and is temporary. Choose your own password to finish signing in.',
      );
    case 'enrol-second-factor':
      return new AppError(
        'SECOND_FACTOR_ENROLMENT_REQUIRED',
        'Your organization requires two-step verification for this account. Set it up with an authenticator app to finish signing in.',
      );
  }
}

/** Starts a local account's session (the earlier one, if any, ends first: no carry-over). */
export function startLocalSession(sessions: SessionManager, user: Readonly<LocalUserRecord>): Session {
  sessions.end();
  return sessions.start(
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
  );
}

interface Pending {
  userId: string;
  username: string;
  steps: SignInStep[];
  expiresAt: number;
}

export interface SignInFlowDeps {
  accounts: LocalAccounts;
  sessions: SessionManager;
  clock: Clock;
  mfa: MfaPolicy;
  rolePermissions?: RolePermissions | undefined;
}

export class SignInFlow {
  private pending: Pending | null = null;

  constructor(private readonly deps: SignInFlowDeps) {}

  /** Whose sign-in is pending, for the audit log (null: none, or it expired). */
  pendingUsername(): string | null {
    return this.live()?.username ?? null;
  }

  /** Whether policy requires a second factor of this account (its roles now). */
  secondFactorRequired(user: Pick<LocalUserRecord, 'roles'>): boolean {
    return secondFactorRequired(this.deps.mfa, permissionsFor(user.roles, this.deps.rolePermissions));
  }

  /**
   * The password was right (accounts.signIn): the session, or the first step left. A sign-in
   * pending for anyone else is dropped; nothing ends the current session until the steps are done.
   */
  passwordVerified(user: Readonly<LocalUserRecord>): SessionSummary {
    const { accounts } = this.deps;
    this.pending = null;
    const steps = stepsAfterPassword({
      secondFactor: accounts.secondFactors.isEnrolled(user.id),
      passwordChangeRequired: accounts.passwordChangeRequired(user.id),
      secondFactorRequired: this.secondFactorRequired(user),
    });
    if (steps.length === 0) return this.finish(user.id);
    this.pending = { userId: user.id, username: user.username, steps, expiresAt: this.deps.clock.now() + PENDING_SIGN_IN_MS };
    throw stepRequired(steps[0]!);
  }

  async verifySecondFactor(code: string): Promise<SessionSummary> {
    const pending = this.at('second-factor');
    await this.deps.accounts.secondFactors.verify({ id: pending.userId, username: pending.username }, code);
    return this.advance(pending);
  }

  async setNewPassword(password: string): Promise<SessionSummary> {
    const pending = this.at('change-password');
    await this.deps.accounts.setOwnPassword(pending.userId, password);
    return this.advance(pending);
  }

  beginEnrolment(): SecondFactorEnrolment {
    const pending = this.at('enrol-second-factor');
    return this.deps.accounts.secondFactors.beginEnrolment({ id: pending.userId, username: pending.username });
  }

  async confirmEnrolment(code: string): Promise<SecondFactorEnrolled> {
    const pending = this.at('enrol-second-factor');
    const recoveryCodes = await this.deps.accounts.secondFactors.confirmEnrolment(
      { id: pending.userId, username: pending.username },
      code,
    );
    return { recoveryCodes, session: this.advance(pending) };
  }

  cancel(): void {
    this.pending = null;
  }

  private live(): Pending | null {
    if (this.pending && this.deps.clock.now() >= this.pending.expiresAt) this.pending = null;
    return this.pending;
  }

  /** The pending sign-in, if it is waiting for `step`. */
  private at(step: SignInStep): Pending {
    const pending = this.live();
    if (!pending) {
      throw new AppError(
        'NOT_SIGNED_IN',
        'No sign-in is waiting for this step (it took longer than 10 minutes, or was cancelled). Sign in again.',
      );
    }
    // The window asked for another step than the one due: say which one is.
    if (pending.steps[0] !== step) throw stepRequired(pending.steps[0]!);
    return pending;
  }

  /** One step done: the next one, or the session. */
  private advance(pending: Pending): SessionSummary {
    // Only if it is still this sign-in: another one may have started while this step ran.
    if (this.pending !== pending) throw new AppError('NOT_SIGNED_IN', 'Another sign-in started meanwhile. Sign in again.');
    pending.steps.shift();
    if (pending.steps.length > 0) {
      pending.expiresAt = this.deps.clock.now() + PENDING_SIGN_IN_MS;
      throw stepRequired(pending.steps[0]!);
    }
    this.pending = null;
    return this.finish(pending.userId);
  }

  /** The session starts with the account as it is now (roles changed, or disabled, meanwhile). */
  private finish(userId: string): SessionSummary {
    const user = this.deps.accounts.get(userId);
    if (!user) throw new AppError('NOT_SIGNED_IN', 'This account no longer exists.');
    if (user.disabled) {
      throw new AppError('ACCOUNT_DISABLED', 'This account is disabled. Ask your Portico administrator to enable it.');
    }
    return this.deps.sessions.summary(startLocalSession(this.deps.sessions, user));
  }
}
