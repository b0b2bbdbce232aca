import { describe, expect, it } from 'vitest';
import { formatWait, retryAtOf } from '../../../../renderer/src/lib/countdown';

describe('formatWait', () => {
  it('says seconds under a minute, rounded up so that it never shows 0 while waiting', () => {
    expect(formatWait(42_000)).toBe('42 seconds');
    expect(formatWait(1_000)).toBe('1 second');
    expect(formatWait(1)).toBe('1 second');
    expect(formatWait(59_001)).toBe('1:00');
  });

  it('says minutes and seconds from a minute on', () => {
    expect(formatWait(60_000)).toBe('1:00');
    expect(formatWait(14 * 60_000 + 5_000)).toBe('14:05');
    expect(formatWait(15 * 60_000)).toBe('15:00');
  });

  it('never goes below zero', () => {
    expect(formatWait(-5_000)).toBe('0 seconds');
  });
});

describe('retryAtOf', () => {
  it('reads retryAt from THROTTLED and ACCOUNT_LOCKED only', () => {
    expect(retryAtOf({ ok: false, code: 'THROTTLED', message: 'x', retryAt: 5 })).toBe(5);
    expect(retryAtOf({ ok: false, code: 'ACCOUNT_LOCKED', message: 'x', retryAt: 7 })).toBe(7);
    expect(retryAtOf({ ok: false, code: 'INVALID_CREDENTIALS', message: 'x', retryAt: 7 })).toBeNull();
    expect(retryAtOf({ ok: false, code: 'THROTTLED', message: 'x' })).toBeNull();
    expect(retryAtOf(null)).toBeNull();
  });
});
