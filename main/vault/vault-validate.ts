/**
 * Validates a decrypted vault document at open, as `vaultDocument` (zod) would, at a fraction
 * of the cost: zod checked and copied every record of a 10,000-user vault, which made an open
 * cost 2.6-2.8 times its decrypt-and-parse alone.
 *
 * The zod schemas stay the definition. A record takes the fast path only when it has exactly
 * the schema's keys and values of the exact shape Portico writes (a lower-case random UUID,
 * finite numbers, ...): a stricter test than zod's, whose output for such a record would be a
 * copy equal to it, so the record is kept as parsed. Anything else (an older record without
 * `groups`, an extra key, an upper-case UUID) goes through zod itself, whose verdict and
 * output stand. The rest of the document (version, the audit head, whatever is added next)
 * always goes through zod. So this never accepts what zod refuses, nor keeps what zod would
 * change.
 */
import {
  localUserRecord,
  throttleRecord,
  vaultDocument,
  type LocalUserRecord,
  type ThrottleRecord,
  type VaultDocument,
} from './vault-document';
import { LOCAL_ROLES } from '../../preload/contract';

/**
 * The keys the fast checks below look at. Should a schema gain or lose a key, its fast path
 * turns itself off (every record then goes through zod) until the check here is updated: a
 * record must never be accepted for keys nobody checked (a test fails meanwhile).
 */
export const FAST_USER_KEYS = [
  'id',
  'username',
  'displayName',
  'roles',
  'groups',
  'passwordHash',
  'disabled',
  'createdAt',
  'updatedAt',
  'lastSignInAt',
] as const;
export const FAST_THROTTLE_KEYS = ['failures', 'lastFailureAt', 'blockedUntil', 'locked'] as const;

function sameKeys(shape: object, keys: readonly string[]): boolean {
  const actual = Object.keys(shape);
  return actual.length === keys.length && keys.every((key) => actual.includes(key));
}

export const fastPathEnabled = {
  users: sameKeys(localUserRecord.shape, FAST_USER_KEYS),
  throttle: sameKeys(throttleRecord.shape, FAST_THROTTLE_KEYS),
};
const USER_KEY_COUNT = FAST_USER_KEYS.length;
const THROTTLE_KEY_COUNT = FAST_THROTTLE_KEYS.length;
const ROLES: ReadonlySet<string> = new Set(LOCAL_ROLES);
/** What randomUUID() makes (version 4, lower case): a subset of what z.uuid() accepts. */
const RANDOM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The number of own enumerable keys (JSON.parse makes plain objects: nothing enumerable is
 * inherited). With every one of the schema's keys checked to hold a value, a count equal to
 * the schema's means exactly its keys.
 */
function keyCount(value: Plain): number {
  let count = 0;
  for (const _ in value) count += 1;
  return count;
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Plain loops, not every(): this runs for each of tens of thousands of records at open. */
function isStringArray(value: unknown, allowed?: ReadonlySet<string>): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== 'string' || (allowed && !allowed.has(item))) return false;
  }
  return true;
}

export function isExactUserRecord(value: unknown): value is LocalUserRecord {
  if (!fastPathEnabled.users || !isPlainObject(value) || keyCount(value) !== USER_KEY_COUNT) return false;
  const { id, username, passwordHash, lastSignInAt } = value;
  return (
    typeof id === 'string' &&
    RANDOM_UUID.test(id) &&
    typeof username === 'string' &&
    username.length > 0 &&
    typeof value.displayName === 'string' &&
    isStringArray(value.roles, ROLES) &&
    isStringArray(value.groups) &&
    typeof passwordHash === 'string' &&
    passwordHash.startsWith('$argon2id$') &&
    typeof value.disabled === 'boolean' &&
    isFiniteNumber(value.createdAt) &&
    isFiniteNumber(value.updatedAt) &&
    (lastSignInAt === null || isFiniteNumber(lastSignInAt))
  );
}

export function isExactThrottleRecord(value: unknown): value is ThrottleRecord {
  if (!fastPathEnabled.throttle || !isPlainObject(value) || keyCount(value) !== THROTTLE_KEY_COUNT) return false;
  const { failures } = value;
  return (
    typeof failures === 'number' &&
    Number.isSafeInteger(failures) &&
    failures >= 0 &&
    isFiniteNumber(value.lastFailureAt) &&
    isFiniteNumber(value.blockedUntil) &&
    typeof value.locked === 'boolean'
  );
}

/**
 * Checks each record of a map in place: exact records are kept, others replaced by zod's
 * output. False when zod refuses one.
 */
function checkMap<T>(
  map: Plain,
  exact: (value: unknown) => value is T,
  schema: { safeParse(v: unknown): { success: boolean; data?: T } },
): boolean {
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (exact(value)) continue;
    const parsed = schema.safeParse(value);
    if (!parsed.success) return false;
    map[key] = parsed.data;
  }
  return true;
}

/** The document if it is a valid vault document (as `vaultDocument.safeParse` decides), else null. */
export function parseVaultDocument(value: unknown): VaultDocument | null {
  if (!isPlainObject(value)) return null;
  const { users, throttle, secrets } = value;
  if (!isPlainObject(users) || !isPlainObject(throttle) || !isPlainObject(secrets)) return null;
  // Everything but the three large maps, through zod (they are checked below, record by record).
  const rest = vaultDocument.safeParse({ ...value, users: {}, throttle: {}, secrets: {} });
  if (!rest.success) return null;
  if (!checkMap(users, isExactUserRecord, localUserRecord)) return null;
  if (!checkMap(throttle, isExactThrottleRecord, throttleRecord)) return null;
  if (!Object.values(secrets).every((secret) => typeof secret === 'string')) return null;
  return { ...rest.data, users, throttle, secrets } as VaultDocument;
}
