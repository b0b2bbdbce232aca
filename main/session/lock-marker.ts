/**
 * Whose session was locked when Portico last ran, kept in the vault. A kept OIDC sign-in is
 * restored at launch without a password; without this, quitting a locked Portico and starting it
 * again would open the session. The restored session starts locked for the same person.
 */
import type { Vault } from '../vault/vault';

const KEY = 'session-locked-for';

export class LockMarker {
  /** The value last asked for: writes are queued, and one not yet in the vault must count. */
  private intended: string | null;

  constructor(private readonly vault: Vault) {
    this.intended = vault.read().secrets[KEY] ?? null;
  }

  /** The session user id whose session was locked, if any. */
  lockedFor(): string | null {
    return this.intended;
  }

  async set(userId: string | null): Promise<void> {
    if (this.intended === userId) return;
    this.intended = userId;
    await this.vault.update((doc) => {
      if (userId === null) delete doc.secrets[KEY];
      else doc.secrets[KEY] = userId;
    });
  }
}
