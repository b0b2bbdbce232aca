/**
 * Sign-in throttling (OWASP ASVS V6.3): each failure for a username backs off exponentially,
 * and `maxFailures` failures lock it for `lockoutMs`. Applied to every username typed, known
 * or not, so the answer never tells whether an account exists. Pure functions.
 */
import type { ThrottleRecord } from '../../vault/vault-document';

export interface ThrottlePolicy {
  maxFailures: number;
  lockoutMs: number;
  backoffBaseMs: number;
}

const BACKOFF_CAP_MS = 30_000;
/** Unknown usernames are remembered too (see throttle-state.ts); keep the tables bounded. */
export const MAX_THROTTLE_ENTRIES = 5000;

export type ThrottleDecision = { allowed: true } | { allowed: false; locked: boolean; retryAt: number };

export function checkThrottle(record: ThrottleRecord | undefined, now: number): ThrottleDecision {
  if (!record || now >= record.blockedUntil) return { allowed: true };
  return { allowed: false, locked: record.locked, retryAt: record.blockedUntil };
}

export function recordFailure(record: ThrottleRecord | undefined, now: number, policy: ThrottlePolicy): ThrottleRecord {
  // A lockout that has run out starts a fresh count.
  const previous = record && !(record.locked && now >= record.blockedUntil) ? record.failures : 0;
  const failures = previous + 1;
  if (failures >= policy.maxFailures) {
    return { failures, lastFailureAt: now, blockedUntil: now + policy.lockoutMs, locked: true };
  }
  const delay = Math.min(policy.backoffBaseMs * 2 ** (failures - 1), BACKOFF_CAP_MS);
  return { failures, lastFailureAt: now, blockedUntil: now + delay, locked: false };
}

/** A record that no longer blocks and whose last failure is over a day (or a lockout) old counts as none. */
export function isStale(record: ThrottleRecord, now: number, policy: ThrottlePolicy): boolean {
  return now >= record.blockedUntil && now - record.lastFailureAt > Math.max(policy.lockoutMs, 24 * 3600_000);
}

/** Drops stale records, then the oldest records beyond the cap (mutates `table`). */
export function pruneThrottle(table: Record<string, Readonly<ThrottleRecord>>, now: number, policy: ThrottlePolicy): void {
  for (const [name, record] of Object.entries(table)) {
    if (isStale(record, now, policy)) delete table[name];
  }
  const names = Object.keys(table);
  if (names.length <= MAX_THROTTLE_ENTRIES) return;
  // Active lockouts go last, so a flood of junk names cannot flush a real account's lock.
  const age = (name: string) => (table[name]!.locked && now < table[name]!.blockedUntil ? Infinity : table[name]!.lastFailureAt);
  names
    .sort((a, b) => age(a) - age(b))
    .slice(0, names.length - MAX_THROTTLE_ENTRIES)
    .forEach((name) => delete table[name]);
}
