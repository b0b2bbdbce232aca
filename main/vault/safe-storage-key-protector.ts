/**
 * KeyProtector on Electron's safeStorage: the data key is encrypted by the OS (DPAPI,
 * Keychain, libsecret/kwallet) and the result kept beside the vault. On Linux without a
 * keyring, safeStorage silently falls back to `basic_text`, a hard-coded key: refused unless
 * IT policy explicitly allows weaker storage.
 */
import { promises as fs } from 'node:fs';
import { KeyStorageError, type KeyProtector } from '../platform';

/** The slice of Electron's `safeStorage` we use (structurally compatible with it). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export class SafeStorageKeyProtector implements KeyProtector {
  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly keyFile: string,
    private readonly platform: NodeJS.Platform,
    private readonly allowWeakStorage: boolean,
  ) {}

  get backend(): string {
    const linux = this.platform === 'linux' ? `:${this.safeStorage.getSelectedStorageBackend?.() ?? 'unknown'}` : '';
    return `safe-storage:${this.platform}${linux}`;
  }

  async assertAvailable(): Promise<void> {
    if (!this.safeStorage.isEncryptionAvailable()) {
      throw new KeyStorageError(
        'KEY_STORAGE_UNAVAILABLE',
        'The OS key storage is not available. Sign in to your desktop session (keychain unlocked) and restart Portico.',
      );
    }
    if (this.platform === 'linux') {
      const selected = this.safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
      if ((selected === 'basic_text' || selected === 'unknown') && !this.allowWeakStorage) {
        throw new KeyStorageError(
          'KEY_STORAGE_WEAK',
          'No OS keyring was found (Electron would fall back to a hard-coded key). Install and unlock a keyring ' +
            '(gnome-keyring or KWallet), or ask IT to allow weaker storage in the Portico policy.',
        );
      }
    }
  }

  async loadKey(): Promise<Buffer | null> {
    let encrypted: Buffer;
    try {
      encrypted = await fs.readFile(this.keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      return Buffer.from(this.safeStorage.decryptString(encrypted), 'base64');
    } catch {
      // Another OS user or machine: the OS refuses to decrypt, which is the point.
      return null;
    }
  }

  async storeKey(key: Buffer): Promise<void> {
    const encrypted = this.safeStorage.encryptString(key.toString('base64'));
    const temp = `${this.keyFile}.tmp`;
    await fs.writeFile(temp, encrypted, { mode: 0o600 });
    await fs.rename(temp, this.keyFile);
  }
}
