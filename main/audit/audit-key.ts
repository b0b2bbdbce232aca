/**
 * The key that authenticates audit records: each record carries `mac = HMAC-SHA256(key, hash)`,
 * and since `hash` covers `prev`, each MAC vouches for the record and everything before it. A
 * person editing the file, even one who recomputes every SHA-256 `hash`, cannot produce MACs.
 *
 * The key is derived from the vault's data key (HKDF-SHA256, label `AUDIT_KEY_LABEL`): nothing
 * new is stored, and it is exactly as safe as the vault. That also bounds it: a process running
 * as the same OS user can read the vault key from the keychain, and with it forge MACs.
 *
 * The key lives in a private field: it is never serialised, logged or passed anywhere else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The HKDF label (info) the audit key is derived with; a new label would be a new, unrelated key. */
export const AUDIT_KEY_LABEL = 'portico audit chain v1';

/** What the audit key needs from the vault: a key derived for one purpose, never the data key itself. */
export interface PurposeKeySource {
  deriveKey(label: string): Buffer;
}

export class AuditKey {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    if (key.length < 32) throw new Error('The audit key must be at least 32 bytes.');
    this.#key = Buffer.from(key);
  }

  static fromVault(vault: PurposeKeySource): AuditKey {
    const derived = vault.deriveKey(AUDIT_KEY_LABEL);
    try {
      return new AuditKey(derived);
    } finally {
      derived.fill(0); // the copy in the private field is the only one left
    }
  }

  /** For tests and tools that hold a key of their own. */
  static fromBytes(key: Buffer): AuditKey {
    return new AuditKey(key);
  }

  /** The MAC of a record whose `hash` is given (64 hex characters). */
  mac(hash: string): string {
    return createHmac('sha256', this.#key).update(hash, 'utf8').digest('hex');
  }

  /** Whether `mac` is this key's MAC of `hash`. */
  verify(hash: string, mac: string): boolean {
    const expected = Buffer.from(this.mac(hash), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  toJSON(): string {
    return '[AuditKey]';
  }
}
