/**
 * Rules for choosing a password (OWASP ASVS 5.0 V6.2): a minimum length, no maximum
 * below 64, no composition rules, and refusal of common and trivially padded passwords.
 * Pure: returns a message for the user, or null when the password is acceptable.
 */
import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | null = null;

/** ~49k most common passwords (zxcvbn-ts), loaded on first use. */
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

export function checkNewPassword(password: string, minLength: number, username?: string): string | null {
  const length = [...password].length;
  if (length < minLength) {
    return `Use at least ${minLength} characters (you typed ${length}). A few unrelated words make a good password.`;
  }
  const lower = password.toLowerCase();
  if (isCommon(lower)) {
    return 'That password is on a list of common passwords that attackers try first. Choose another.';
  }
  if (new Set(lower).size <= 2) {
    return 'That password repeats the same characters. Choose one that is harder to guess.';
  }
  if (username && username.length >= 3 && lower.includes(username.toLowerCase())) {
    return 'The password must not contain the username.';
  }
  return null;
}

/** A common word padded with digits/symbols ("Password1234!", "qwerty123456") counts as common. */
function isCommon(lower: string): boolean {
  const list = commonPasswords();
  if (list.has(lower)) return true;
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/gu, '');
  return core.length >= 4 && core.length < lower.length && list.has(core);
}
