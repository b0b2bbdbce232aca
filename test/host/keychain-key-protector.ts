/**
 * KeyProtector on the OS keychain through @napi-rs/keyring (N-API: loads in Electron without
 * a rebuild). Secret Service / gnome-keyring on Linux, Keychain on macOS, Credential Manager
 * on Windows. Test host only: the app protects its key with Electron's safeStorage
 * (main/vault/safe-storage-key-protector.ts), which the test host cannot run without the
 * Electron binary. So @napi-rs/keyring is a devDependency and never ships in the app.
 */
import { AsyncEntry } from '@napi-rs/keyring';
import { KeyStorageError, type KeyProtector } from '../../main/platform';

export class KeychainKeyProtector implements KeyProtector {
  readonly backend = 'os-keychain';
  private entry: AsyncEntry | null = null;

  constructor(
    readonly service: string,
    readonly account: string,
  ) {}

  async assertAvailable(): Promise<void> {
    // Reading a missing entry is the cheapest call that reaches the keychain daemon.
    await this.call((entry) => entry.getPassword());
  }

  async loadKey(): Promise<Buffer | null> {
    const value = await this.call((entry) => entry.getPassword());
    return value === null ? null : Buffer.from(value, 'base64');
  }

  async storeKey(key: Buffer): Promise<void> {
    await this.call((entry) => entry.setPassword(key.toString('base64')));
  }

  async deleteKey(): Promise<void> {
    await this.call((entry) => entry.deleteCredential());
  }

  private async call<T>(fn: (entry: AsyncEntry) => Promise<T>): Promise<T> {
    try {
      // Pinned to the Secret Service on Linux: by default the binding falls back to the kernel
      // keyring (keyutils) when there is no session bus, which hides the missing keychain
      // (reads resolve null) and would keep the key only until logout or reboot. Pinned, the
      // entry cannot be made without the bus, so it is made here where the error is mapped.
      this.entry ??= new AsyncEntry(this.service, this.account, { linux: { store: 'secret-service' } });
      return await fn(this.entry);
    } catch (error) {
      throw toKeyStorageError(error);
    }
  }
}

/** Maps keyring failures (no D-Bus, locked keyring, no daemon) to messages a user can act on. */
export function toKeyStorageError(error: unknown): KeyStorageError {
  const text = error instanceof Error ? error.message : String(error);
  if (/prompt was dismissed|locked/i.test(text)) {
    return new KeyStorageError(
      'KEY_STORAGE_LOCKED',
      'The OS keychain is locked. Unlock it (sign in to your desktop session again) and restart Portico.',
    );
  }
  return new KeyStorageError(
    'KEY_STORAGE_UNAVAILABLE',
    `Portico cannot reach the OS keychain (${text}). Start your desktop's keyring service (e.g. gnome-keyring) and restart Portico.`,
  );
}
