/**
 * One audit record: its shape, its canonical serialisation and its hash. Pure functions
 * only (no file access), so that the app, the verifier CLI and the tests share them.
 *
 * A record is one line of canonical JSON:
 *   { seq, at, actor, action, outcome, target?, details?, prev, hash, mac? }
 * where `hash = sha256hex(prev + canonicalJson(record without hash and mac))` and `prev` is the
 * previous record's `hash` (64 zeros for the first record). Editing, deleting, inserting or
 * moving a record therefore breaks the chain at that record or the next one.
 *
 * `mac = HMAC-SHA256(audit key, hash)` (audit-key.ts) authenticates the record and, through
 * `prev`, all before it: anyone can recompute a SHA-256 chain, only Portico can compute MACs.
 * Records written before Portico kept MACs have none ("unkeyed" history); once a log has one,
 * every later record must have one too.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditKey } from './audit-key';

export const AUDIT_ACTIONS = [
  'app.start',
  'auth.sign-in',
  'auth.sign-in-failed',
  'auth.sign-out',
  'auth.session-expired',
  // The window locked after session.lockAfterMinutes idle; the same person opened it again.
  'auth.session-locked',
  'auth.unlock',
  // A right local password with steps left before the session (a second factor, a new password).
  'auth.sign-in-pending',
  // A person's own local account: password changed (or a change refused for a wrong current
  // password), two-step verification set up or removed, new recovery codes.
  'account.password-changed',
  'account.second-factor-enrolled',
  'account.second-factor-removed',
  'account.recovery-codes-renewed',
  'users.create',
  'users.disable',
  'users.enable',
  'users.reset-password',
  // An administrator removed someone's two-step verification (a lost phone).
  'users.reset-second-factor',
  'users.access-changed',
  // An administrator ended what this computer kept for someone's next SSO sign-in.
  'users.end-kept-sign-in',
  'roles.mapping-changed',
  'access.previewed',
  'data.export',
  'data.export-denied',
  // A person kept (or replaced) their own database login for a team dataset; or forgot it.
  'data.connect',
  'data.forget-login',
  'admin.settings-changed',
  // A call refused for lack of permission (other than an export, which has its own action).
  'access.denied',
  // An admin call refused because the password (or IdP) confirmation is too old.
  'access.recent-sign-in-required',
  // A wrong password (or a throttled, locked or disabled account) when confirming one's password.
  'auth.confirm-password-failed',
  // Written by the log itself (see audit-log.ts): a crash-cut last line was repaired at open,
  // or the log was found broken at open and the app carried on appending.
  'audit.log-repaired',
  'audit.chain-broken',
  // Anchoring (audit-log.ts): records from here on carry a MAC (the log had unkeyed history
  // before), and the log was found ahead of the head kept in the vault (a crash between the two).
  'audit.keyed',
  'audit.head-behind',
  // Retention (audit-rotation.ts): the first record of a file that continues an archived one,
  // an archive deleted once past the retention period, an archive kept because it is broken.
  'audit.rotated',
  'audit.archive-deleted',
  'audit.archive-broken',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** `prev` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Where a chain ends: the last record's seq and hash (seq 0 and GENESIS_HASH when empty). */
export interface AuditHead {
  seq: number;
  hash: string;
}
export const GENESIS_HEAD: AuditHead = Object.freeze({ seq: 0, hash: GENESIS_HASH });

// Caps (in UTF-16 code units, as JavaScript and zod count). Longer values are cut, not refused:
// an audit event is never lost because a user typed a long name.
export const MAX_ACTOR_LENGTH = 256;
export const MAX_TARGET_LENGTH = 512;
export const MAX_DETAIL_STRING_LENGTH = 512;
export const MAX_DETAIL_KEYS = 32;
/** Plain identifiers only: no `__proto__`, no spaces, nothing a viewer must escape. */
const DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Detail keys that look like they would hold a secret. Refused (thrown) at append, so a
 * password, token, SAML assertion, authorisation code, cookie or key can never reach the log.
 * This also refuses innocent names such as `errorCode` or `keyId`: use `reason`, `error`,
 * `provider` and the like.
 */
const SECRET_KEY = /password|passwd|pwd|token|secret|hash|assertion|code|cookie|key|credential|bearer/i;
/** Values that are secrets whatever their key: a JWT (`eyJ….eyJ…`) or a PEM block. */
const SECRET_VALUE = /eyJ[A-Za-z0-9_-]{4,}\.eyJ|-----BEGIN [A-Z ]+-----/;

export type AuditDetailValue = string | number | boolean | null;
export type AuditDetails = Record<string, AuditDetailValue>;

/** What a caller logs; the log adds seq, at, prev and hash. */
export interface AuditEvent {
  /** Username, or null for events without a signed-in user (app start, unknown user). */
  actor: string | null;
  action: AuditAction;
  outcome: AuditOutcome;
  /** What the action was done to: a username, a provider id, a dataset. */
  target?: string | undefined;
  /** Flat facts; never secrets (secret-looking keys are refused). */
  details?: AuditDetails | undefined;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const detailValue = z.union([z.string().max(MAX_DETAIL_STRING_LENGTH), z.number(), z.boolean(), z.null()]);

/**
 * A record as read back from disk. Deliberately structural only: the secret-key rule is
 * enforced when writing, so a later, stricter rule does not turn old logs into "broken" ones.
 */
export const auditRecordSchema = z.strictObject({
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  at: z.iso.datetime(),
  actor: z.string().max(MAX_ACTOR_LENGTH).nullable(),
  action: z.enum(AUDIT_ACTIONS),
  outcome: z.enum(AUDIT_OUTCOMES),
  target: z.string().max(MAX_TARGET_LENGTH).optional(),
  details: z
    .record(z.string().regex(DETAIL_KEY), detailValue)
    .refine((d) => Object.keys(d).length <= MAX_DETAIL_KEYS, `at most ${MAX_DETAIL_KEYS} details`)
    .optional(),
  prev: hex64,
  hash: hex64,
  mac: hex64.optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** An invalid event (a programming error: a secret-looking detail, an unknown action...). Nothing was written. */
export class AuditEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditEventError';
  }
}

/**
 * JSON with object keys sorted (by UTF-16 code units) at every level and no whitespace. For
 * the value types a record holds (strings, finite numbers, booleans, null, plain objects) this
 * is the JSON Canonicalization Scheme (RFC 8785), which also uses ECMAScript's serialisation.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    // JSON.stringify would write NaN/Infinity as null: the hash would then cover something else.
    if (!Number.isFinite(value)) throw new AuditEventError('Audit values must be finite numbers.');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new AuditEventError(`Audit values cannot be of type ${typeof value}.`);
}

/** sha256 hex of `prev` followed by the canonical JSON of the record without its hash and MAC. */
export function recordHash(record: Omit<AuditRecord, 'hash' | 'mac'> & { hash?: unknown; mac?: unknown }): string {
  const { hash: _hash, mac: _mac, ...body } = record;
  return createHash('sha256').update(record.prev, 'utf8').update(canonicalJson(body), 'utf8').digest('hex');
}

/**
 * Characters that JSON allows raw in strings but that some line-based tools take for a line
 * end (U+2028, U+2029 for JavaScript and many editors, U+0085 NEL for Python's splitlines and
 * others): a record holding one would look like two lines, the second one forged-looking.
 */
const LINE_BREAKERS = /[\u0085\u2028\u2029]/g;

/**
 * The line written to disk (without its line end): the canonical JSON, with the characters
 * above written as `\uXXXX` escapes. Same value, so the hash (over the canonical JSON) is the same.
 */
export function serializeRecord(record: AuditRecord): string {
  return canonicalJson(record).replace(LINE_BREAKERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Cuts `text` to `max` code units, marking the cut with an ellipsis and never splitting a surrogate pair. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Checks and normalises an event before it is logged: known action and outcome, flat details
 * without secret-looking keys or values, long strings capped. Throws AuditEventError.
 */
export function normaliseEvent(event: AuditEvent): AuditEvent {
  if (typeof event !== 'object' || event === null) throw new AuditEventError('An audit event must be an object.');
  if (!(AUDIT_ACTIONS as readonly string[]).includes(event.action)) {
    throw new AuditEventError(`Unknown audit action "${String(event.action)}".`);
  }
  if (!(AUDIT_OUTCOMES as readonly string[]).includes(event.outcome)) {
    throw new AuditEventError(`Unknown audit outcome "${String(event.outcome)}".`);
  }
  if (event.actor !== null && typeof event.actor !== 'string') {
    throw new AuditEventError('The audit actor must be a username or null.');
  }
  if (event.target !== undefined && typeof event.target !== 'string') {
    throw new AuditEventError('The audit target must be a string.');
  }
  const normalised: AuditEvent = {
    actor: event.actor === null ? null : capText(event.actor, MAX_ACTOR_LENGTH),
    action: event.action,
    outcome: event.outcome,
  };
  if (event.target !== undefined) normalised.target = capText(event.target, MAX_TARGET_LENGTH);
  const details = normaliseDetails(event.details);
  if (details) normalised.details = details;
  return normalised;
}

function normaliseDetails(details: AuditDetails | undefined): AuditDetails | undefined {
  if (details === undefined) return undefined;
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new AuditEventError('Audit details must be a flat object.');
  }
  const keys = Object.keys(details);
  if (keys.length === 0) return undefined;
  if (keys.length > MAX_DETAIL_KEYS) throw new AuditEventError(`Audit details hold at most ${MAX_DETAIL_KEYS} keys.`);
  const out: AuditDetails = {};
  for (const key of keys) {
    if (!DETAIL_KEY.test(key)) throw new AuditEventError(`Audit detail key "${key}" is not a plain identifier.`);
    if (SECRET_KEY.test(key)) {
      throw new AuditEventError(`Audit detail "${key}" looks like a secret; secrets are never logged.`);
    }
    const value: unknown = details[key];
    if (typeof value === 'string') {
      if (SECRET_VALUE.test(value)) {
        throw new AuditEventError(`Audit detail "${key}" holds what looks like a token or key; secrets are never logged.`);
      }
      out[key] = capText(value, MAX_DETAIL_STRING_LENGTH);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new AuditEventError(`Audit detail "${key}" must be a finite number.`);
      out[key] = value;
    } else if (typeof value === 'boolean' || value === null) {
      out[key] = value;
    } else {
      throw new AuditEventError(`Audit detail "${key}" must be a string, number, boolean or null.`);
    }
  }
  return out;
}

/**
 * The record that follows `head` for a normalised event that happened at `atMs` (epoch ms),
 * with its MAC when a key is given.
 */
export function sealRecord(head: AuditHead, event: AuditEvent, atMs: number, key?: AuditKey): AuditRecord {
  const body: Omit<AuditRecord, 'hash'> = {
    seq: head.seq + 1,
    at: new Date(atMs).toISOString(),
    actor: event.actor,
    action: event.action,
    outcome: event.outcome,
    prev: head.hash,
  };
  if (event.target !== undefined) body.target = event.target;
  if (event.details !== undefined) body.details = event.details;
  const hash = recordHash(body);
  return key ? { ...body, hash, mac: key.mac(hash) } : { ...body, hash };
}
