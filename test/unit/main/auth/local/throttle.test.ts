import { describe, expect, it } from 'vitest';
import {
  checkThrottle,
  MAX_THROTTLE_ENTRIES,
  pruneThrottle,
  recordFailure,
  type ThrottlePolicy,
} from '../../../../../main/auth/local/throttle';
import type { ThrottleRecord } from '../../../../../main/vault/vault-document';

const T0 = 1_700_000_000_000;
const policy: ThrottlePolicy = { maxFailures: 5, lockoutMs: 15 * 60_000, backoffBaseMs: 1000 };

/** Records `n` failures, each at the moment the previous block ends. */
function failures(n: number, p: ThrottlePolicy = policy, start = T0): ThrottleRecord {
  let record: ThrottleRecord | undefined;
  let now = start;
  for (let i = 0; i < n; i++) {
    record = recordFailure(record, now, p);
    now = record.blockedUntil;
  }
  return record!;
}

describe('throttle', () => {
  it('allows a username with no record', () => {
    expect(checkThrottle(undefined, T0)).toEqual({ allowed: true });
  });

  it('doubles the wait with each failure, capped at 30 s', () => {
    const lenient = { ...policy, maxFailures: 100 };
    const delays: number[] = [];
    let record: ThrottleRecord | undefined;
    let now = T0;
    for (let i = 0; i < 8; i++) {
      record = recordFailure(record, now, lenient);
      delays.push(record.blockedUntil - now);
      expect(record.locked).toBe(false);
      now = record.blockedUntil;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('refuses attempts until the backoff ends, then allows them', () => {
    const record = recordFailure(undefined, T0, policy);
    expect(checkThrottle(record, T0)).toEqual({ allowed: false, locked: false, retryAt: T0 + 1000 });
    expect(checkThrottle(record, T0 + 999)).toEqual({ allowed: false, locked: false, retryAt: T0 + 1000 });
    expect(checkThrottle(record, T0 + 1000)).toEqual({ allowed: true });
  });

  it('locks at maxFailures for lockoutMs', () => {
    expect(failures(4).locked).toBe(false);
    const locked = failures(5);
    expect(locked.locked).toBe(true);
    expect(locked.failures).toBe(5);
    expect(locked.blockedUntil - locked.lastFailureAt).toBe(policy.lockoutMs);
    expect(checkThrottle(locked, locked.blockedUntil - 1)).toEqual({
      allowed: false,
      locked: true,
      retryAt: locked.blockedUntil,
    });
  });

  it('starts a fresh count after a lockout has run out', () => {
    const locked = failures(5);
    const next = recordFailure(locked, locked.blockedUntil, policy);
    expect(next).toEqual({
      failures: 1,
      lastFailureAt: locked.blockedUntil,
      blockedUntil: locked.blockedUntil + 1000,
      locked: false,
    });
  });

  it('keeps counting during a lockout (a failure then extends it)', () => {
    const locked = failures(5);
    const during = recordFailure(locked, locked.blockedUntil - 1, policy);
    expect(during.failures).toBe(6);
    expect(during.locked).toBe(true);
  });

  it('keeps counting after a backoff ends (only a lockout resets the count)', () => {
    expect(failures(3).failures).toBe(3);
  });

  describe('pruneThrottle', () => {
    const stale = (at: number): ThrottleRecord => ({ failures: 1, lastFailureAt: at, blockedUntil: at + 1000, locked: false });

    it('drops records idle for over a day and keeps recent ones', () => {
      const now = T0 + 25 * 3600_000;
      const table: Record<string, ThrottleRecord> = { old: stale(T0), recent: stale(now - 60_000) };
      pruneThrottle(table, now, policy);
      expect(Object.keys(table)).toEqual(['recent']);
    });

    it('keeps the table at MAX_THROTTLE_ENTRIES, dropping the oldest but never an active lockout', () => {
      const now = T0 + 3600_000;
      const table: Record<string, ThrottleRecord> = {};
      // The locked account's last failure is the oldest of all: age alone would drop it first.
      table['real-user'] = { failures: 5, lastFailureAt: now - 60_000, blockedUntil: now + 14 * 60_000, locked: true };
      for (let i = 0; i < MAX_THROTTLE_ENTRIES + 10; i++) table[`junk-${i}`] = stale(now - 50_000 + i);

      pruneThrottle(table, now, policy);

      expect(Object.keys(table)).toHaveLength(MAX_THROTTLE_ENTRIES);
      expect(table['real-user']?.locked).toBe(true);
      for (let i = 0; i < 11; i++) expect(table[`junk-${i}`]).toBeUndefined();
      expect(table[`junk-${MAX_THROTTLE_ENTRIES + 9}`]).toBeDefined();
    });

    it('leaves a table at the cap alone', () => {
      const now = T0 + 3600_000;
      const table: Record<string, ThrottleRecord> = {};
      for (let i = 0; i < MAX_THROTTLE_ENTRIES; i++) table[`n-${i}`] = stale(now - 1000);
      pruneThrottle(table, now, policy);
      expect(Object.keys(table)).toHaveLength(MAX_THROTTLE_ENTRIES);
    });
  });
});
