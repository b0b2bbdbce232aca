/**
 * TOTP checks (RFC 6238) with the time passed in: the RFC's own test vector, the ±1 step window,
 * and replay refused for the step already used and any earlier one.
 */
import { describe, expect, it } from 'vitest';
import {
  checkTotp,
  looksLikeTotpCode,
  newTotpSecret,
  totpCode,
  totpStep,
  totpUri,
  TOTP_PERIOD_SECONDS,
} from '../../../../../main/auth/local/totp';

/** RFC 6238 appendix B's SHA-1 seed, "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

describe('totp', () => {
  it('computes the RFC 6238 test vectors (SHA-1, the last 6 of their 8 digits)', () => {
    // Appendix B: T = 59 s → 94287082; T = 1111111109 s → 07081804; T = 20000000000 s → 65353130.
    expect(totpCode(RFC_SECRET, totpStep(59_000))).toBe('287082');
    expect(totpCode(RFC_SECRET, totpStep(1_111_111_109_000))).toBe('081804');
    expect(totpCode(RFC_SECRET, totpStep(20_000_000_000_000))).toBe('353130');
  });

  it('accepts the code of the current step and one step either side, and says which step', () => {
    const now = 1_700_000_000_000;
    const step = totpStep(now);
    for (const offset of [-1, 0, 1]) {
      expect(checkTotp(RFC_SECRET, totpCode(RFC_SECRET, step + offset), now, null)).toEqual({ ok: true, step: step + offset });
    }
  });

  it('refuses codes two steps away or more, and anything that is not six digits', () => {
    const now = 1_700_000_000_000;
    const step = totpStep(now);
    for (const offset of [-3, -2, 2, 3]) {
      expect(checkTotp(RFC_SECRET, totpCode(RFC_SECRET, step + offset), now, null)).toEqual({ ok: false, reason: 'invalid' });
    }
    for (const typed of ['', '12345', '1234567', 'abcdef', '12345a']) {
      expect(checkTotp(RFC_SECRET, typed, now, null)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses the same code again within its window, and any earlier step once a later one was used', () => {
    const now = 1_700_000_000_000;
    const step = totpStep(now);
    const code = totpCode(RFC_SECRET, step);
    const first = checkTotp(RFC_SECRET, code, now, null);
    expect(first).toEqual({ ok: true, step });
    // Ten seconds later, the same code: still in the window, but used.
    expect(checkTotp(RFC_SECRET, code, now + 10_000, step)).toEqual({ ok: false, reason: 'replayed' });
    // The previous step's code, not used yet, is refused too once a later step was accepted.
    expect(checkTotp(RFC_SECRET, totpCode(RFC_SECRET, step - 1), now, step)).toEqual({ ok: false, reason: 'replayed' });
    // The next step's code still works.
    expect(checkTotp(RFC_SECRET, totpCode(RFC_SECRET, step + 1), now + STEP_MS, step)).toEqual({ ok: true, step: step + 1 });
  });

  it('takes codes typed with a space or a dash between the groups', () => {
    const now = 1_700_000_000_000;
    const code = totpCode(RFC_SECRET, totpStep(now));
    expect(checkTotp(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, now, null).ok).toBe(true);
    expect(checkTotp(RFC_SECRET, `${code.slice(0, 3)}-${code.slice(3)}`, now, null).ok).toBe(true);
    expect(looksLikeTotpCode(' 123 456 ')).toBe(true);
    expect(looksLikeTotpCode('abcd-efgh-jkmn')).toBe(false);
  });

  it('makes a new 160-bit secret each time, and a URI authenticator apps read', () => {
    const a = newTotpSecret();
    const b = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(a).not.toBe(b);
    const uri = new URL(totpUri(a, 'ada'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Portico:ada');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'Portico',
      secret: a,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
