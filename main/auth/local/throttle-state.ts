/**
 * Where sign-in failure counters live (the rules are in throttle.ts).
 *
 * - Names with an account: in the vault, so backoff and lockout survive a restart. A failure
 *   is answered without waiting for that write, which follows at once, batched: a wrong
 *   password for a real account must not take longer to answer than one for a made-up name
 *   (a 10,000-user vault write is ~20 ms, far more than the quarter of an argon2id
 *   verification that may separate the two). Until the write lands the record is held in
 *   memory and counts; a write that fails is retried with the next one, and the counter keeps
 *   counting in memory meanwhile (fail closed). Quitting waits for it (`flush`).
 * - Names without an account: in memory only, at most MAX_THROTTLE_ENTRIES (least recently
 *   failed dropped first, active lockouts last). Such a name has no account to protect: its
 *   counter exists only so that the answers do not tell which names exist. Writing the whole
 *   vault for each one cost 10,000 made-up names about 4 GB of writes. They are saved once,
 *   when Portico quits, so that a restart does not tell them from real accounts either.
 */
import type { Clock } from '../../platform';
import type { ThrottleRecord, VaultDocument } from '../../vault/vault-document';
import type { Vault } from '../../vault/vault';
import { isStale, MAX_THROTTLE_ENTRIES, pruneThrottle, recordFailure, type ThrottlePolicy } from './throttle';

/**
 * Throttle records are keyed by typed usernames, prefixed so that no username can be an
 * Object.prototype name ("constructor", "__proto__"): such a key would read an inherited
 * value (a permanent "Wait NaN seconds"), or become the map's prototype on the vault's next
 * load and lose its lockout. Lookups also take own keys only.
 */
export function throttleKey(username: string): string {
  return `user:${username}`;
}

function savedRecord(doc: Readonly<VaultDocument>, username: string): Readonly<ThrottleRecord> | undefined {
  const key = throttleKey(username);
  return Object.hasOwn(doc.throttle, key) ? doc.throttle[key] : undefined;
}

export class ThrottleState {
  /** Account names' records not yet in the vault. */
  private readonly unsaved = new Map<string, ThrottleRecord>();
  /** Names without an account, least recently failed first. */
  private readonly unknown = new Map<string, ThrottleRecord>();
  private unknownChanged = false;
  private saving: Promise<void> = Promise.resolve();
  private saveQueued = false;

  constructor(
    private readonly vault: Vault,
    private readonly policy: ThrottlePolicy,
    private readonly clock: Clock,
    private readonly maxUnknown = MAX_THROTTLE_ENTRIES,
  ) {}

  /** The name's current record (memory first, then the vault); none once it has gone stale. */
  get(username: string, doc: Readonly<VaultDocument> = this.vault.read()): Readonly<ThrottleRecord> | undefined {
    const record = this.unsaved.get(username) ?? this.unknown.get(username) ?? savedRecord(doc, username);
    return record && !isStale(record, this.clock.now(), this.policy) ? record : undefined;
  }

  /** Counts a failure for `username`, known (an account exists) or not; returns the new record. */
  fail(username: string, known: boolean): ThrottleRecord {
    const now = this.clock.now();
    const next = recordFailure(this.get(username), now, this.policy);
    if (known) {
      this.unsaved.set(username, next);
      this.unknown.delete(username);
      this.queueSave();
    } else {
      this.unknown.delete(username);
      this.unknown.set(username, next);
      this.unknownChanged = true;
      this.evictUnknown(now);
    }
    return next;
  }

  /**
   * Clears the name's counter, inside the vault update `doc` belongs to (a successful
   * sign-in, a password reset). Memory is cleared at once: if that write fails, the vault's
   * older record still counts.
   */
  clearIn(doc: VaultDocument, username: string): void {
    delete doc.throttle[throttleKey(username)];
    this.unsaved.delete(username);
    this.unknown.delete(username);
  }

  /** Resolves once every failure counted so far for an account is in the vault (or its write failed). */
  async flush(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.saving;
      await current;
    } while (current !== this.saving);
  }

  /** At quit: account records flushed, and the names without an account saved in one write. */
  async close(): Promise<void> {
    await this.flush();
    if (!this.unknownChanged) return;
    const now = this.clock.now();
    const live = [...this.unknown].filter(([, record]) => !isStale(record, now, this.policy));
    await this.vault.update((doc) => {
      for (const [username, record] of live) doc.throttle[throttleKey(username)] = record;
      pruneThrottle(doc.throttle, now, this.policy);
    });
    this.unknownChanged = false;
  }

  /**
   * One vault write for the account records counted so far, started after the current call
   * has answered (setImmediate: the serialising and encrypting of a large vault must not
   * delay the answer either).
   */
  private queueSave(): void {
    if (this.saveQueued) return;
    this.saveQueued = true;
    this.saving = this.saving
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.saveQueued = false;
        return this.saveUnsaved();
      })
      .catch(() => {
        // Still counted in memory; the next failure's write carries this record again.
      });
  }

  private async saveUnsaved(): Promise<void> {
    if (this.unsaved.size === 0) return;
    let written: [string, ThrottleRecord][] = [];
    await this.vault.update((doc) => {
      // Read inside the write, in queue order: a sign-in that cleared a name since is not undone.
      written = [...this.unsaved];
      for (const [username, record] of written) doc.throttle[throttleKey(username)] = record;
      pruneThrottle(doc.throttle, this.clock.now(), this.policy);
    });
    for (const [username, record] of written) {
      if (this.unsaved.get(username) === record) this.unsaved.delete(username);
    }
  }

  private evictUnknown(now: number): void {
    if (this.unknown.size <= this.maxUnknown) return;
    // The least recently failed name that is not locked out goes; if all are, the oldest.
    for (const [username, record] of this.unknown) {
      if (!(record.locked && now < record.blockedUntil)) {
        this.unknown.delete(username);
        return;
      }
    }
    this.unknown.delete(this.unknown.keys().next().value!);
  }
}
