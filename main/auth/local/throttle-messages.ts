/**
 * What a refused attempt says (a password, a second-factor code). Each answer carries `retryAt`,
 * from which the window counts down; the text gives the wait as it stood when refused.
 *
 * Said the same to everyone: the message must not tell an administrator's name apart (so it
 * never says "ask your administrator", which would also be no help to the only one).
 */
import { AppError } from '../../errors';

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

export function throttledError(locked: boolean, retryAt: number, now: number): AppError {
  const seconds = Math.max(1, Math.ceil((retryAt - now) / 1000));
  if (locked) {
    const minutes = Math.ceil(seconds / 60);
    return new AppError(
      'ACCOUNT_LOCKED',
      `Too many failed sign-in attempts. Sign-in for this account is locked for ${plural(minutes, 'minute')}; ` +
        // A reset lifts the lock: by another administrator or, for an administrator, by account recovery.
        'try again then. A password reset lifts the lock at once (docs/account-recovery.md).',
      { retryAt },
    );
  }
  return new AppError('THROTTLED', `Too many attempts. Wait ${plural(seconds, 'second')} and try again.`, { retryAt });
}

/** The cap across all names (attempt-rate.ts): said the same whichever name was typed. */
export function tooManyAttemptsError(retryAt: number, now: number): AppError {
  const seconds = Math.max(1, Math.ceil((retryAt - now) / 1000));
  return new AppError(
    'THROTTLED',
    `Too many sign-in attempts on this computer. Wait ${plural(seconds, 'second')} and try again.`,
    { retryAt },
  );
}
