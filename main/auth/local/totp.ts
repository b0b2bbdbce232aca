/**
 * Time-based one-time passwords (RFC 6238) for local accounts' two-step verification, through
 * the `otpauth` library. Pure: the time is always passed in.
 *
 * The parameters are RFC 6238's defaults (HMAC-SHA-1, 6 digits, 30-second steps) because
 * authenticator apps assume them: several ignore other values in the otpauth:// URI and would
 * show codes Portico refuses. A code is accepted one step either side of now (clock drift
 * between the phone and the computer, and the seconds it takes to type it), and never for a
 * step at or before the last one accepted for the account: a code seen over someone's shoulder,
 * or sent twice, does not sign in again (RFC 6238 section 5.2).
 */
import { timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;
/** 160 bits: RFC 4226 section 4 recommends a secret as long as the HMAC's output (SHA-1). */
const SECRET_BYTES = 20;
export const TOTP_ISSUER = 'Portico';

/** A new random secret, in base32 (RFC 4648, no padding), as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The time step a moment falls in (Unix time / 30 s). */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a step: what an authenticator app shows during it. */
export function totpCode(secret: string, step: number): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: step * TOTP_PERIOD_SECONDS * 1000,
  });
}

/**
 * The otpauth:// URI a QR code carries (the Key Uri Format authenticator apps read): the
 * issuer names Portico, the label the account, so that the app lists it recognisably.
 */
export function totpUri(secret: string, accountName: string): string {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label: accountName,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

/** Spaces and dashes people type between groups of digits ("123 456") are dropped. */
export function normaliseTotpInput(code: string): string {
  return code.replace(/[\s-]/g, '');
}

export function looksLikeTotpCode(code: string): boolean {
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(normaliseTotpInput(code));
}

export type TotpCheck =
  /** `step`: the time step the code belongs to; remember it as the last one used. */
  | { ok: true; step: number }
  /** `replayed`: right for a step already used (or an earlier one); `invalid`: not a code of the window. */
  | { ok: false; reason: 'invalid' | 'replayed' };

/**
 * Checks `code` against the steps around `nowMs`, refusing any step at or before `lastStep`
 * (null: none used yet). Each candidate is compared in constant time.
 */
export function checkTotp(secret: string, code: string, nowMs: number, lastStep: number | null): TotpCheck {
  const typed = normaliseTotpInput(code);
  if (!looksLikeTotpCode(typed)) return { ok: false, reason: 'invalid' };
  const current = totpStep(nowMs);
  let replayed = false;
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    if (!sameCode(totpCode(secret, step), typed)) continue;
    if (lastStep !== null && step <= lastStep) {
      replayed = true;
      continue;
    }
    return { ok: true, step };
  }
  return { ok: false, reason: replayed ? 'replayed' : 'invalid' };
}

function sameCode(expected: string, typed: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(typed);
  return a.length === b.length && timingSafeEqual(a, b);
}
