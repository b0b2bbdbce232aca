import { describe, expect, it } from 'vitest';
import { checkNewPassword } from '../../../../../main/auth/local/password-rules';

describe('password rules', () => {
  it('refuses a password below the minimum length and states the minimum', () => {
    const message = checkNewPassword('short-pass', 12);
    expect(message).toMatch(/at least 12 characters/);
    expect(message).toMatch(/you typed 10/);
    expect(checkNewPassword('x'.repeat(15) + 'yz', 20)).toMatch(/at least 20 characters/);
  });

  it('counts characters, not UTF-16 units (an emoji is one character)', () => {
    expect(checkNewPassword('🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑', 12)).toMatch(/you typed 11/);
  });

  it.each(['password1234', 'Password1234!', 'qwerty123456', 'aaaaaaaaaaaa', 'PASSWORD1234', '123456789012', '!!!iloveyou2024'])(
    'refuses the common or trivial password %s',
    (password) => {
      expect(checkNewPassword(password, 12)).not.toBeNull();
    },
  );

  it('names the reason: common list vs repeated characters', () => {
    expect(checkNewPassword('Password1234!', 12)).toMatch(/common passwords/);
    expect(checkNewPassword('abababababab', 12)).toMatch(/repeats the same characters/);
  });

  it('accepts a good passphrase, including a long and a non-ASCII one', () => {
    expect(checkNewPassword('lumber-violet-canal-otter', 12)).toBeNull();
    expect(checkNewPassword('pässwörd-日本語-🔑-long-enough', 12)).toBeNull();
    expect(checkNewPassword('x7Kq!'.repeat(20), 12)).toBeNull();
  });

  it('refuses a password that contains the username, whatever the case', () => {
    expect(checkNewPassword('violet-Alice-canal-otter', 12, 'alice')).toBe('The password must not contain the username.');
    expect(checkNewPassword('violet-ALICE-canal-otter', 12, 'Alice')).not.toBeNull();
    expect(checkNewPassword('violet-bob-canal-otter', 12, 'alice')).toBeNull();
  });
});
