/**
 * Recovery codes for two-step verification: ten single-use codes shown once at enrolment, for
 * when the authenticator app is lost (for a sole administrator, the way back in). Pure, apart
 * from the random generator.
 *
 * Kept as salted SHA-256, not argon2id: each code is 60 random bits chosen by Portico, not a
 * password a person picked, so there is no dictionary to slow down and a slow hash would only
 * cost every sign-in with a code ten argon2 verifications. The salt keeps two equal codes
 * apart and the stored hashes from being looked up in a precomputed table. The hashes live in
 * the encrypted vault beside the TOTP secret itself, so whoever could read them could read
 * that secret anyway.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32: no I, L, O or U, so nothing on paper reads as two different characters. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 12 characters of 5 bits: 60 bits per code, shown as three groups of four. */
const CODE_LENGTH = 12;
const GROUP = 4;

export interface HashedRecoveryCode {
  /** Hex, 16 random bytes. */
  salt: string;
  /** Hex SHA-256 of salt and the normalised code. */
  hash: string;
  /** When it was used to sign in; null while it still works. */
  usedAt: number | null;
}

/** Fresh codes as shown to the person: `abcd-efgh-jkmn`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    let raw = '';
    for (let i = 0; i < CODE_LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    codes.add(formatRecoveryCode(raw));
  }
  return [...codes];
}

function formatRecoveryCode(raw: string): string {
  const groups: string[] = [];
  for (let i = 0; i < raw.length; i += GROUP) groups.push(raw.slice(i, i + GROUP));
  return groups.join('-');
}

/**
 * What a typed code is compared as: lower case, without spaces and dashes, and with the letters
 * Crockford's base32 reads as digits (o → 0, i and l → 1). Null when it cannot be a code.
 */
export function normaliseRecoveryCode(typed: string): string | null {
  const compact = typed.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  if (compact.length !== CODE_LENGTH) return null;
  for (const char of compact) if (!ALPHABET.includes(char)) return null;
  return compact;
}

export function looksLikeRecoveryCode(typed: string): boolean {
  return normaliseRecoveryCode(typed) !== null;
}

function digest(salt: string, normalised: string): Buffer {
  return createHash('sha256').update(Buffer.from(salt, 'hex')).update(normalised, 'utf8').digest();
}

export function hashRecoveryCode(code: string): HashedRecoveryCode {
  const normalised = normaliseRecoveryCode(code);
  if (normalised === null) throw new Error('Not a recovery code.');
  const salt = randomBytes(16).toString('hex');
  return { salt, hash: digest(salt, normalised).toString('hex'), usedAt: null };
}

export type RecoveryCodeCheck =
  /** `index`: which stored code matched (mark it used). */
  { ok: true; index: number } | { ok: false; reason: 'invalid' | 'used' };

/**
 * Finds the stored code `typed` matches. Every stored code is compared (in constant time), so
 * the time taken does not say which one matched or how many are left.
 */
export function checkRecoveryCode(stored: readonly HashedRecoveryCode[], typed: string): RecoveryCodeCheck {
  const normalised = normaliseRecoveryCode(typed);
  if (normalised === null) return { ok: false, reason: 'invalid' };
  let match = -1;
  stored.forEach((code, index) => {
    const expected = Buffer.from(code.hash, 'hex');
    const actual = digest(code.salt, normalised);
    if (expected.length === actual.length && timingSafeEqual(expected, actual) && match < 0) match = index;
  });
  if (match < 0) return { ok: false, reason: 'invalid' };
  return stored[match]!.usedAt === null ? { ok: true, index: match } : { ok: false, reason: 'used' };
}

export function recoveryCodesLeft(stored: readonly HashedRecoveryCode[]): number {
  return stored.filter((code) => code.usedAt === null).length;
}
