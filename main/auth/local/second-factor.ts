/**
 * Two-step verification of local accounts: enrolment (a secret held in memory until the person
 * proves their app has it), sign-in codes (TOTP or a recovery code), and an account's removal
 * or fresh recovery codes. What is kept lives in the vault's accountSecurity map
 * (account-security.ts).
 *
 * A wrong code counts as a failed sign-in for the account, in the same counter as passwords
 * (throttle-state.ts): backoff, then lockout. Someone who knows the password therefore gets no
 * more guesses at the code than at the password, and signing in with the password again does
 * not reset the count (local-accounts.ts clears it only once the second factor is through).
 */
import type { SecondFactorEnrolment } from '../../../preload/contract';
import { AppError } from '../../errors';
import type { Clock } from '../../platform';
import type { Vault } from '../../vault/vault';
import type { LocalUserRecord } from '../../vault/vault-document';
import { changeSecurity, totpOf } from './account-security';
import { qrRows } from './qr-matrix';
import {
  checkRecoveryCode,
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCodes,
  recoveryCodesLeft,
} from './recovery-codes';
import { checkThrottle } from './throttle';
import { throttledError } from './throttle-messages';
import type { ThrottleState } from './throttle-state';
import { checkTotp, looksLikeTotpCode, newTotpSecret, totpUri } from './totp';

/** How long a secret shown for enrolment waits for its first code. */
export const ENROLMENT_MS = 15 * 60_000;

export interface SecondFactorStatus {
  enrolledAt: number;
  recoveryCodesLeft: number;
}

export type SecondFactorMethod = 'totp' | 'recovery-code';

type Account = Pick<LocalUserRecord, 'id' | 'username'>;

const CODE_FIELD = 'code';

function invalidCode(message: string): AppError {
  return new AppError('SECOND_FACTOR_INVALID', message, { fields: { [CODE_FIELD]: message } });
}

const WRONG_CODE =
  'That code is not right. Enter the 6-digit code your authenticator app shows now, or one of your recovery codes.';
const REPLAYED_CODE = 'That code was already used. Wait for your authenticator app to show the next one, then enter it.';
const USED_RECOVERY_CODE = 'That recovery code was already used: each one works once. Use another one.';

function factorRemoved(): AppError {
  return new AppError('NOT_SIGNED_IN', 'Two-step verification was reset for this account meanwhile. Sign in again.');
}

export class SecondFactors {
  /** Secrets shown for enrolment, by user id, until confirmed or expired. Never written to disk. */
  private readonly enrolments = new Map<string, { secret: string; expiresAt: number }>();

  constructor(
    private readonly vault: Vault,
    private readonly throttle: ThrottleState,
    private readonly clock: Clock,
  ) {}

  status(userId: string): SecondFactorStatus | null {
    const totp = totpOf(this.vault.read(), userId);
    return totp ? { enrolledAt: totp.enrolledAt, recoveryCodesLeft: recoveryCodesLeft(totp.recoveryCodes) } : null;
  }

  isEnrolled(userId: string): boolean {
    return totpOf(this.vault.read(), userId) !== null;
  }

  /** A new secret for `account`, replacing any earlier enrolment not yet confirmed. */
  beginEnrolment(account: Account): SecondFactorEnrolment {
    const secret = newTotpSecret();
    this.enrolments.set(account.id, { secret, expiresAt: this.clock.now() + ENROLMENT_MS });
    const uri = totpUri(secret, account.username);
    return { secret, uri, qr: qrRows(uri) };
  }

  /**
   * The first code from the app proves it holds the secret: kept (replacing an earlier
   * authenticator), with ten new recovery codes, returned this once in clear.
   */
  async confirmEnrolment(account: Account, code: string): Promise<string[]> {
    const now = this.clock.now();
    const pending = this.enrolments.get(account.id);
    if (!pending || now > pending.expiresAt) {
      this.enrolments.delete(account.id);
      throw new AppError(
        'SECOND_FACTOR_SETUP_EXPIRED',
        'This set-up of two-step verification is no longer open (it timed out, or was started again elsewhere). Start again.',
      );
    }
    const check = checkTotp(pending.secret, code, now, null);
    if (!check.ok) {
      throw invalidCode(
        'That code does not match. Enter the 6-digit code your authenticator app shows now for Portico (check that the phone’s clock is set automatically).',
      );
    }
    const codes = newRecoveryCodes();
    const recoveryCodes = codes.map(hashRecoveryCode);
    await this.vault.update((doc) => {
      if (!Object.hasOwn(doc.users, account.id)) throw new AppError('NOT_FOUND', 'That user no longer exists.');
      changeSecurity(doc, account.id, (current) => ({
        ...current,
        totp: { secret: pending.secret, enrolledAt: now, lastStep: check.step, recoveryCodes },
      }));
    });
    this.enrolments.delete(account.id);
    return codes;
  }

  /**
   * Checks a sign-in code: a TOTP code of the window not used before, or an unused recovery
   * code. Throttled with the account's password attempts; success clears that counter and
   * records the sign-in.
   */
  async verify(account: Account, code: string): Promise<{ method: SecondFactorMethod; recoveryCodesLeft: number }> {
    const now = this.clock.now();
    const decision = checkThrottle(this.throttle.get(account.username), now);
    if (!decision.allowed) throw throttledError(decision.locked, decision.retryAt, now);
    const totp = totpOf(this.vault.read(), account.id);
    if (!totp) throw factorRemoved();

    const method: SecondFactorMethod = looksLikeTotpCode(code) ? 'totp' : 'recovery-code';
    let failure: string | null = null;
    let step = totp.lastStep;
    let recoveryIndex = -1;
    if (method === 'totp') {
      const check = checkTotp(totp.secret, code, now, totp.lastStep);
      if (check.ok) step = check.step;
      else failure = check.reason === 'replayed' ? REPLAYED_CODE : WRONG_CODE;
    } else {
      const check = looksLikeRecoveryCode(code) ? checkRecoveryCode(totp.recoveryCodes, code) : null;
      if (check?.ok) recoveryIndex = check.index;
      else failure = check?.reason === 'used' ? USED_RECOVERY_CODE : WRONG_CODE;
    }
    if (failure !== null) {
      // No await between the throttle check above and this count: parallel guesses cannot slip past it.
      const record = this.throttle.fail(account.username, true);
      if (record.locked) throw throttledError(true, record.blockedUntil, now);
      throw invalidCode(failure);
    }

    return this.vault.update((doc) => {
      const current = totpOf(doc, account.id);
      if (!current || current.secret !== totp.secret) throw factorRemoved();
      // Checked again inside the write: two calls with the same code cannot both pass.
      if (method === 'totp' && step <= current.lastStep) throw invalidCode(REPLAYED_CODE);
      if (method === 'recovery-code' && current.recoveryCodes[recoveryIndex]?.usedAt !== null) {
        throw invalidCode(USED_RECOVERY_CODE);
      }
      const recoveryCodes =
        method === 'recovery-code'
          ? current.recoveryCodes.map((stored, i) => (i === recoveryIndex ? { ...stored, usedAt: now } : stored))
          : current.recoveryCodes;
      changeSecurity(doc, account.id, (security) => ({
        ...security,
        totp: { ...current, lastStep: step, recoveryCodes },
      }));
      this.throttle.clearIn(doc, account.username);
      const user = doc.users[account.id];
      if (user) doc.users[account.id] = { ...user, lastSignInAt: now };
      return { method, recoveryCodesLeft: recoveryCodesLeft(recoveryCodes) };
    });
  }

  /** Removes the account's second factor (its own choice, or an administrator's reset). */
  async remove(userId: string): Promise<void> {
    this.enrolments.delete(userId);
    await this.vault.update((doc) => {
      if (!Object.hasOwn(doc.users, userId)) throw new AppError('NOT_FOUND', 'That user no longer exists. Refresh the list.');
      changeSecurity(doc, userId, (current) => ({ ...current, totp: null }));
    });
  }

  /** Ten new recovery codes (the old ones stop working), shown this once. */
  async renewRecoveryCodes(userId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    const recoveryCodes = codes.map(hashRecoveryCode);
    await this.vault.update((doc) => {
      const current = totpOf(doc, userId);
      if (!current) {
        throw new AppError('NOT_FOUND', 'Two-step verification is not set up for this account, so it has no recovery codes.');
      }
      changeSecurity(doc, userId, (security) => ({ ...security, totp: { ...current, recoveryCodes } }));
    });
    return codes;
  }
}
