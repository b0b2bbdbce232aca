/**
 * What the vault holds, validated with zod after decryption so that a vault from an older
 * or broken build is reported rather than half-read.
 */
import { z } from 'zod';
import { LOCAL_ROLES } from '../../preload/contract';

export const localUserRecord = z.object({
  id: z.string().uuid(),
  /** Normalised (NFKC, lower case): the key users sign in with. */
  username: z.string().min(1),
  displayName: z.string(),
  roles: z.array(z.enum(LOCAL_ROLES)),
  /** Like IdP groups: what row scopes match (e.g. `Sales-EMEA`). */
  groups: z.array(z.string()).default([]),
  /** PHC string from argon2id. Never leaves main. */
  passwordHash: z.string().startsWith('$argon2id$'),
  disabled: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  lastSignInAt: z.number().nullable(),
});
export type LocalUserRecord = z.infer<typeof localUserRecord>;

export const throttleRecord = z.object({
  failures: z.number().int().nonnegative(),
  lastFailureAt: z.number(),
  /** Epoch ms; the next attempt is refused before this time (backoff or lockout). */
  blockedUntil: z.number(),
  locked: z.boolean(),
});
export type ThrottleRecord = z.infer<typeof throttleRecord>;

/**
 * The audit log's head (audit-log.ts), kept here so that a log cut or rewritten while Portico
 * was not running is found at its next start. Written after each append's line is on disk.
 */
export const auditHeadRecord = z.strictObject({
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Records from this seq on carry a MAC; those before are the log's unkeyed history. */
  keyedFrom: z.number().int().min(1),
});
export type AuditHeadRecord = z.infer<typeof auditHeadRecord>;

export const vaultDocument = z.object({
  version: z.literal(1),
  users: z.record(z.string(), localUserRecord),
  /** Failure counters by normalised username, known or not (so unknown names look alike). */
  throttle: z.record(z.string(), throttleRecord),
  /** Other secrets (refresh tokens, data-source credentials), by name. */
  secrets: z.record(z.string(), z.string()),
  auditHead: auditHeadRecord.optional(),
});
/**
 * In memory, records are immutable: an update replaces a record (`{ ...user, disabled }`)
 * instead of changing it. That makes an update's draft a cheap shallow copy, and lets the
 * serializer reuse each unchanged record's JSON (10,000-user vault writes stay fast).
 */
export interface VaultDocument {
  version: 1;
  users: Record<string, Readonly<LocalUserRecord>>;
  throttle: Record<string, Readonly<ThrottleRecord>>;
  secrets: Record<string, string>;
  auditHead?: Readonly<AuditHeadRecord>;
}

export function emptyVaultDocument(): VaultDocument {
  return { version: 1, users: {}, throttle: {}, secrets: {} };
}

/** A draft for an update: new top-level maps that share the (immutable) records. */
export function draftOf(doc: Readonly<VaultDocument>): VaultDocument {
  const draft: VaultDocument = {
    version: doc.version,
    users: { ...doc.users },
    throttle: { ...doc.throttle },
    secrets: { ...doc.secrets },
  };
  if (doc.auditHead) draft.auditHead = doc.auditHead;
  return draft;
}

/** `"key":{...record}` per immutable record, by identity (a record lives under one key). */
const entryJson = new WeakMap<object, { key: string; text: string }>();

function entryOf(key: string, record: object): string {
  const cached = entryJson.get(record);
  if (cached && cached.key === key) return cached.text;
  const text = `${JSON.stringify(key)}:${JSON.stringify(record)}`;
  entryJson.set(record, { key, text });
  return text;
}

function mapJson(map: Record<string, object | string>): string {
  const parts: string[] = [];
  for (const key in map) {
    const value = map[key]!;
    parts.push(typeof value === 'string' ? `${JSON.stringify(key)}:${JSON.stringify(value)}` : entryOf(key, value));
  }
  return `{${parts.join(',')}}`;
}

/** Same result as JSON.stringify(doc), with each record's JSON cached by identity. */
export function serializeDocument(doc: Readonly<VaultDocument>): string {
  const auditHead = doc.auditHead ? `,"auditHead":${JSON.stringify(doc.auditHead)}` : '';
  return `{"version":${doc.version},"users":${mapJson(doc.users)},"throttle":${mapJson(doc.throttle)},"secrets":${mapJson(doc.secrets)}${auditHead}}`;
}
