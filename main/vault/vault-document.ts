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

/** One stored recovery code (recovery-codes.ts): salted SHA-256, never the code itself. */
export const recoveryCodeRecord = z.strictObject({
  salt: z.string().regex(/^[0-9a-f]{32}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  usedAt: z.number().nullable(),
});

/** A local account's two-step verification (TOTP, RFC 6238: totp.ts). */
export const totpRecord = z.strictObject({
  /** Base32, shared with the person's authenticator app. Shown once, at enrolment; never sent again. */
  secret: z.string().regex(/^[A-Z2-7]{16,128}$/),
  enrolledAt: z.number(),
  /** The last time step a code was accepted for: codes of that step or earlier are refused (replay). */
  lastStep: z.number().int(),
  recoveryCodes: z.array(recoveryCodeRecord).max(20),
});
export type TotpRecord = z.infer<typeof totpRecord>;

/**
 * What a local account needs at its next sign-in beyond the password, by user id. Kept apart from
 * the user records so that those stay small and uniform (most accounts have no entry here).
 */
export const accountSecurityRecord = z.strictObject({
  /** An administrator set the password: it is temporary, and changed at the next sign-in before anything else. */
  passwordChangeRequired: z.boolean(),
  totp: totpRecord.nullable(),
});
export type AccountSecurityRecord = z.infer<typeof accountSecurityRecord>;

export const vaultDocument = z.object({
  version: z.literal(1),
  users: z.record(z.string(), localUserRecord),
  /** Failure counters by normalised username, known or not (so unknown names look alike). */
  throttle: z.record(z.string(), throttleRecord),
  /** Other secrets (refresh tokens, data-source credentials), by name. */
  secrets: z.record(z.string(), z.string()),
  auditHead: auditHeadRecord.optional(),
  /** Temporary passwords and second factors of local accounts, by user id (account-security.ts). */
  accountSecurity: z.record(z.string(), accountSecurityRecord).optional(),
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
  accountSecurity?: Record<string, Readonly<AccountSecurityRecord>>;
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
  if (doc.accountSecurity) draft.accountSecurity = { ...doc.accountSecurity };
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
  const security = doc.accountSecurity ? `,"accountSecurity":${mapJson(doc.accountSecurity)}` : '';
  return `{"version":${doc.version},"users":${mapJson(doc.users)},"throttle":${mapJson(doc.throttle)},"secrets":${mapJson(doc.secrets)}${auditHead}${security}}`;
}
