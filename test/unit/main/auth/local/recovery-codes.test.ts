/** Recovery codes: made fresh, kept only as salted hashes, each accepted once. */
import { describe, expect, it } from 'vitest';
import {
  checkRecoveryCode,
  hashRecoveryCode,
  newRecoveryCodes,
  normaliseRecoveryCode,
  recoveryCodesLeft,
  RECOVERY_CODE_COUNT,
} from '../../../../../main/auth/local/recovery-codes';

describe('recovery codes', () => {
  it('makes ten distinct codes of three groups of four, from an alphabet without look-alikes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(newRecoveryCodes()).not.toEqual(codes);
  });

  it('keeps a salted SHA-256, never the code: the same code hashes differently each time', () => {
    const [code] = newRecoveryCodes(1) as [string];
    const a = hashRecoveryCode(code);
    const b = hashRecoveryCode(code);
    expect(a.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(JSON.stringify(a)).not.toContain(code.replace(/-/g, ''));
    expect(a.usedAt).toBeNull();
  });

  it('finds the code typed, however it is written, and refuses one not in the set', () => {
    const codes = newRecoveryCodes();
    const stored = codes.map(hashRecoveryCode);
    expect(checkRecoveryCode(stored, codes[3]!)).toEqual({ ok: true, index: 3 });
    // Upper case, spaces instead of dashes, or none.
    expect(checkRecoveryCode(stored, codes[3]!.toUpperCase().replace(/-/g, ' '))).toEqual({ ok: true, index: 3 });
    expect(checkRecoveryCode(stored, codes[3]!.replace(/-/g, ''))).toEqual({ ok: true, index: 3 });
    const other = newRecoveryCodes(1)[0]!;
    expect(checkRecoveryCode(stored, other)).toEqual({ ok: false, reason: 'invalid' });
    expect(checkRecoveryCode(stored, 'not a code')).toEqual({ ok: false, reason: 'invalid' });
    expect(checkRecoveryCode(stored, '')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('reads O as 0 and I or L as 1, as Crockford base32 does', () => {
    expect(normaliseRecoveryCode('O1IL-0000-abcd')).toBe('01110000abcd');
    expect(normaliseRecoveryCode('u000-0000-0000')).toBeNull();
    expect(normaliseRecoveryCode('000-0000-0000')).toBeNull();
  });

  it('refuses a code already used, and counts those left', () => {
    const codes = newRecoveryCodes();
    const stored = codes.map(hashRecoveryCode);
    stored[5] = { ...stored[5]!, usedAt: 1 };
    expect(checkRecoveryCode(stored, codes[5]!)).toEqual({ ok: false, reason: 'used' });
    expect(checkRecoveryCode(stored, codes[6]!)).toEqual({ ok: true, index: 6 });
    expect(recoveryCodesLeft(stored)).toBe(RECOVERY_CODE_COUNT - 1);
  });
});
