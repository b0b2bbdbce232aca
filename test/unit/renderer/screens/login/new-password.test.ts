import { describe, expect, it } from 'vitest';
import { newPasswordFailure } from '../../../../../renderer/src/screens/login/new-password';

describe('newPasswordFailure', () => {
  it('names every problem at once, each with its field', () => {
    const failure = newPasswordFailure({ currentPassword: '', newPassword: 'short', confirm: 'other' }, 12, null);
    expect(failure?.fields).toEqual({
      currentPassword: 'Enter your current password.',
      newPassword: 'Use at least 12 characters (you typed 5).',
      confirm: 'The two passwords do not match.',
    });
    expect(failure?.message).toContain('Enter your current password.');
    expect(failure?.message).toContain('at least 12 characters');
    expect(failure?.message).toContain('do not match');
  });

  it('gives one problem as the message itself (the field then points to the alert)', () => {
    const failure = newPasswordFailure(
      { newPassword: 'a long enough passphrase', confirm: 'a long enough passphrasf' },
      12,
      null,
    );
    expect(failure).toEqual({
      attempt: 1,
      message: 'The two passwords do not match.',
      fields: { confirm: 'The two passwords do not match.' },
    });
  });

  it('counts characters, not UTF-16 units, and counts attempts', () => {
    const emoji = '🔑'.repeat(11);
    const failure = newPasswordFailure({ newPassword: emoji, confirm: emoji }, 12, { attempt: 3, message: '', fields: {} });
    expect(failure?.fields.newPassword).toBe('Use at least 12 characters (you typed 11).');
    expect(failure?.attempt).toBe(4);
  });

  it('is null when the window sees nothing wrong (main still checks common passwords)', () => {
    expect(
      newPasswordFailure({ currentPassword: 'x', newPassword: 'password1234', confirm: 'password1234' }, 12, null),
    ).toBeNull();
  });
});
