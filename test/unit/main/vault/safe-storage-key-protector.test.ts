import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyStorageError } from '../../../../main/platform';
import { SafeStorageKeyProtector, type SafeStorageLike } from '../../../../main/vault/safe-storage-key-protector';
import { Vault, VaultError } from '../../../../main/vault/vault';
import { rejectionOf, tempDir } from '../../helpers';

/**
 * Stands in for Electron's `safeStorage`, which cannot run here. Encrypts for real with a
 * secret of its own, like the OS does per user: another FakeSafeStorage (another OS user or
 * machine) cannot decrypt what this one wrote.
 */
class FakeSafeStorage implements SafeStorageLike {
  private readonly userSecret = randomBytes(32);
  encryptCalls = 0;

  constructor(private readonly options: { available?: boolean; backend?: string } = {}) {}

  isEncryptionAvailable(): boolean {
    return this.options.available ?? true;
  }

  getSelectedStorageBackend(): string {
    return this.options.backend ?? 'gnome_libsecret';
  }

  encryptString(plainText: string): Buffer {
    this.encryptCalls += 1;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.userSecret, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  decryptString(encrypted: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.userSecret, encrypted.subarray(0, 12));
    decipher.setAuthTag(encrypted.subarray(12, 28));
    return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
  }
}

async function keyStorageErrorOf(promise: Promise<unknown>): Promise<KeyStorageError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(KeyStorageError);
  return error as KeyStorageError;
}

describe('SafeStorageKeyProtector (with FakeSafeStorage)', () => {
  it('refuses the basic_text backend on Linux with KEY_STORAGE_WEAK', async () => {
    const protector = new SafeStorageKeyProtector(new FakeSafeStorage({ backend: 'basic_text' }), '/unused', 'linux', false);
    const error = await keyStorageErrorOf(protector.assertAvailable());
    expect(error.code).toBe('KEY_STORAGE_WEAK');
    expect(error.message).toMatch(/Install and unlock a keyring/);
  });

  it('refuses an unknown Linux backend (no getSelectedStorageBackend) as weak', async () => {
    const bare: SafeStorageLike = {
      isEncryptionAvailable: () => true,
      encryptString: (s) => Buffer.from(s),
      decryptString: (b) => b.toString(),
    };
    const protector = new SafeStorageKeyProtector(bare, '/unused', 'linux', false);
    expect((await keyStorageErrorOf(protector.assertAvailable())).code).toBe('KEY_STORAGE_WEAK');
    expect(protector.backend).toBe('safe-storage:linux:unknown');
  });

  it('accepts basic_text only when policy allows weak storage', async () => {
    const protector = new SafeStorageKeyProtector(new FakeSafeStorage({ backend: 'basic_text' }), '/unused', 'linux', true);
    await expect(protector.assertAvailable()).resolves.toBeUndefined();
    expect(protector.backend).toBe('safe-storage:linux:basic_text');
  });

  it('accepts a real Linux keyring backend, and other platforms without a backend name', async () => {
    await expect(
      new SafeStorageKeyProtector(
        new FakeSafeStorage({ backend: 'gnome_libsecret' }),
        '/unused',
        'linux',
        false,
      ).assertAvailable(),
    ).resolves.toBeUndefined();
    const mac = new SafeStorageKeyProtector(new FakeSafeStorage({ backend: 'basic_text' }), '/unused', 'darwin', false);
    await expect(mac.assertAvailable()).resolves.toBeUndefined();
    expect(mac.backend).toBe('safe-storage:darwin');
  });

  it('reports KEY_STORAGE_UNAVAILABLE when encryption is not available, even with weak storage allowed', async () => {
    for (const allowWeak of [false, true]) {
      const protector = new SafeStorageKeyProtector(new FakeSafeStorage({ available: false }), '/unused', 'linux', allowWeak);
      const error = await keyStorageErrorOf(protector.assertAvailable());
      expect(error.code).toBe('KEY_STORAGE_UNAVAILABLE');
      expect(error.message).toMatch(/restart Portico/);
    }
  });

  it('round-trips the key through an encrypted 0600 file', async () => {
    const keyFile = path.join(await tempDir(), 'vault.key');
    const safeStorage = new FakeSafeStorage();
    const protector = new SafeStorageKeyProtector(safeStorage, keyFile, 'linux', false);
    expect(await protector.loadKey()).toBeNull();

    const key = randomBytes(32);
    await protector.storeKey(key);

    expect((await protector.loadKey())?.equals(key)).toBe(true);
    const onDisk = await fs.readFile(keyFile);
    expect(onDisk.includes(key)).toBe(false);
    expect(onDisk.includes(Buffer.from(key.toString('base64')))).toBe(false);
    expect((await fs.stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(path.dirname(keyFile))).toEqual(['vault.key']);
  });

  it('returns null when the OS cannot decrypt the key file (another OS user)', async () => {
    const keyFile = path.join(await tempDir(), 'vault.key');
    await new SafeStorageKeyProtector(new FakeSafeStorage(), keyFile, 'linux', false).storeKey(randomBytes(32));
    const otherUser = new SafeStorageKeyProtector(new FakeSafeStorage(), keyFile, 'linux', false);
    expect(await otherUser.loadKey()).toBeNull();
  });

  it('lets the vault refuse a switch of Linux backend (keyring -> basic_text)', async () => {
    const dir = await tempDir();
    const keyFile = path.join(dir, 'vault.key');
    const safeStorage = new FakeSafeStorage({ backend: 'gnome_libsecret' });
    const vault = await Vault.open({ dir, protector: new SafeStorageKeyProtector(safeStorage, keyFile, 'linux', false) });
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    expect(
      (await Vault.open({ dir, protector: new SafeStorageKeyProtector(safeStorage, keyFile, 'linux', false) })).read().secrets,
    ).toEqual({
      a: '1',
    });

    const weak = new SafeStorageKeyProtector(new FakeSafeStorage({ backend: 'basic_text' }), keyFile, 'linux', true);
    const error = await rejectionOf(Vault.open({ dir, protector: weak }));
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('VAULT_BACKEND_CHANGED');
  });

  it('makes the vault report VAULT_KEY_MISSING for another OS user, keeping the key file', async () => {
    const dir = await tempDir();
    const keyFile = path.join(dir, 'vault.key');
    await Vault.open({ dir, protector: new SafeStorageKeyProtector(new FakeSafeStorage(), keyFile, 'linux', false) });
    const keyBytes = await fs.readFile(keyFile);
    const stranger = new FakeSafeStorage();

    const error = await rejectionOf(
      Vault.open({ dir, protector: new SafeStorageKeyProtector(stranger, keyFile, 'linux', false) }),
    );

    expect((error as VaultError).code).toBe('VAULT_KEY_MISSING');
    expect(stranger.encryptCalls).toBe(0);
    expect((await fs.readFile(keyFile)).equals(keyBytes)).toBe(true);
  });
});
