/**
 * Which keys a person's own settings (`config.json`, the file named by PORTICO_CONFIG) may set.
 * Settings that decide security come only from IT's machine policy or the built-in defaults:
 * a viewer who could write `access.rolePermissions` would make themselves an administrator,
 * and one who could write `localAccounts.maxFailures: 100` would make a colleague's password
 * cheap to guess on a shared profile.
 *
 * So a user layer may set only the keys listed here, and only to make them stricter than
 * what the defaults and the policy produce (the "floor"): the effective value is the
 * strictest of the floor and every user value. A looser value is refused (CONFIG_INVALID
 * naming the key), never silently ignored. Every other key (providers, access, data, audit,
 * updates, the URL allow-list, ...) is refused in a user layer whatever its value.
 *
 * There are no pure preferences (keys with no bearing on security) in the schema today; a
 * new key is IT-only until it is added here.
 */

/** Which way is stricter: a lower number, a higher number, or `false`. */
export type Stricter = 'lower' | 'higher' | 'false';

/** Dot path of a leaf key → which way a person may move it. */
export const USER_SETTABLE: Readonly<Record<string, Stricter>> = Object.freeze({
  'session.lockAfterMinutes': 'lower',
  'session.idleMinutes': 'lower',
  'session.absoluteHours': 'lower',
  'session.persistSession': 'false',
  'session.recentSignInMinutes': 'lower',
  'session.rememberLastSignIn': 'false',
  'session.keepIdpSignIn': 'false',
  'localAccounts.enabled': 'false',
  'localAccounts.minPasswordLength': 'higher',
  'localAccounts.maxFailures': 'lower',
  'localAccounts.lockoutMinutes': 'higher',
  'localAccounts.backoffBaseMs': 'higher',
  'localAccounts.argon2.memoryKiB': 'higher',
  'localAccounts.argon2.timeCost': 'higher',
  'security.allowWeakKeyStorage': 'false',
});

export function userRuleFor(path: string): Stricter | null {
  return Object.hasOwn(USER_SETTABLE, path) ? USER_SETTABLE[path]! : null;
}

/** True when `value` is at least as strict as `floor` (equal is fine: it loosens nothing). */
export function isAtLeastAsStrict(rule: Stricter, value: unknown, floor: unknown): boolean {
  if (rule === 'false') return value === false || value === floor;
  if (typeof value !== 'number' || typeof floor !== 'number') return false;
  return rule === 'lower' ? value <= floor : value >= floor;
}

/** The stricter of two values that both passed the schema. */
export function stricterOf(rule: Stricter, a: unknown, b: unknown): unknown {
  return isAtLeastAsStrict(rule, a, b) ? a : b;
}

/** "lower", "higher" or "`false`": how a person may change the key, for messages and docs. */
export function describeStricter(rule: Stricter): string {
  return rule === 'false' ? 'only to `false`' : `only ${rule}`;
}
