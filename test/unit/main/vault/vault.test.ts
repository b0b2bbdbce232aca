import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeVault, encodeVault, readVaultHeader } from '../../../../main/vault/vault-format';
import { Vault, VAULT_BACKUP_FILE, VAULT_FILE, VaultError, type VaultErrorCode } from '../../../../main/vault/vault';
import { flipByte, openTestVault, rejectionOf, RenamedBackend, sha256, snapshotDir, tempDir, testKeychain } from '../../helpers';
import type { KeyProtector } from '../../../../main/platform';

async function expectVaultError(promise: Promise<unknown>, code: VaultErrorCode): Promise<VaultError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(VaultError);
  expect((error as VaultError).code).toBe(code);
  return error as VaultError;
}

/** Reads the vault file's JSON with the key from the keychain, bypassing the Vault class. */
async function decryptFile(file: string, protector: KeyProtector): Promise<unknown> {
  const key = await protector.loadKey();
  expect(key).not.toBeNull();
  return JSON.parse(decodeVault(await fs.readFile(file), key!).plaintext.toString('utf8'));
}

describe('Vault (real OS keychain)', () => {
  it('creates the file, the folder and a 32-byte key in the keychain on first open', async () => {
    const { vault, dir, protector } = await openTestVault();
    expect(vault.file).toBe(path.join(dir, VAULT_FILE));
    expect(vault.read()).toEqual({ version: 1, users: {}, throttle: {}, secrets: {} });
    const key = await protector.loadKey();
    expect(key?.length).toBe(32);
    const bytes = await fs.readFile(vault.file);
    expect(readVaultHeader(bytes).header.backend).toBe('os-keychain');
    expect(await decryptFile(vault.file, protector)).toEqual(vault.read());
  });

  it('writes the vault file 0600 in a 0700 folder', async () => {
    const { vault, dir } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    expect((await fs.stat(vault.file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(dir, VAULT_BACKUP_FILE))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('reads back what was written after reopening', async () => {
    const { vault, dir, protector } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.token = 'refresh-token-value';
    });
    const reopened = await Vault.open({ dir, protector });
    expect(reopened.read().secrets).toEqual({ token: 'refresh-token-value' });
    await reopened.update((doc) => {
      doc.secrets.token = 'rotated';
    });
    expect((await Vault.open({ dir, protector })).read().secrets).toEqual({ token: 'rotated' });
  });

  it('keeps the previous version in vault.bin.bak after a write', async () => {
    const { vault, dir, protector } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.generation = 'one';
    });
    const before = await fs.readFile(vault.file);
    await vault.update((doc) => {
      doc.secrets.generation = 'two';
    });
    const backup = await fs.readFile(path.join(dir, VAULT_BACKUP_FILE));
    expect(backup.equals(before)).toBe(true);
    expect(await decryptFile(path.join(dir, VAULT_BACKUP_FILE), protector)).toMatchObject({ secrets: { generation: 'one' } });
    expect(await decryptFile(vault.file, protector)).toMatchObject({ secrets: { generation: 'two' } });
  });

  it('refuses with VAULT_KEY_MISSING when the keychain entry is gone, and changes nothing', async () => {
    const { vault, dir, protector } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    await protector.deleteKey();
    const before = await snapshotDir(dir);

    await expectVaultError(Vault.open({ dir, protector }), 'VAULT_KEY_MISSING');

    expect(await snapshotDir(dir)).toEqual(before);
    // No new key was made either: that would orphan the existing vault for good.
    expect(await protector.loadKey()).toBeNull();
  });

  it('refuses a flipped byte in vault.bin with VAULT_UNREADABLE and writes nothing', async () => {
    const { vault, dir, protector } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    const bytes = await fs.readFile(vault.file);
    await fs.writeFile(vault.file, flipByte(bytes, bytes.length - 3));
    const before = await snapshotDir(dir);
    expect(Object.keys(before).sort()).toEqual([VAULT_FILE, VAULT_BACKUP_FILE].sort());

    const error = await expectVaultError(Vault.open({ dir, protector }), 'VAULT_UNREADABLE');

    expect(error.file).toBe(vault.file);
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('refuses a truncated vault.bin with VAULT_CORRUPT and writes nothing', async () => {
    const { vault, dir, protector } = await openTestVault();
    await fs.truncate(vault.file, 20);
    const before = await snapshotDir(dir);

    await expectVaultError(Vault.open({ dir, protector }), 'VAULT_CORRUPT');

    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('refuses a decrypted document with an invalid record (VAULT_CORRUPT), and reads an older valid one', async () => {
    const { vault, dir, protector } = await openTestVault();
    const id = '3f0c5a0e-8d2b-4c1a-9e7f-1a2b3c4d5e6f';
    const record = {
      id,
      username: 'ada',
      displayName: 'Ada',
      roles: ['viewer'],
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      disabled: false,
      createdAt: 1,
      updatedAt: 1,
      lastSignInAt: null,
    };
    const key = (await protector.loadKey())!;
    const seal = async (users: Record<string, unknown>) =>
      fs.writeFile(
        vault.file,
        encodeVault(Buffer.from(JSON.stringify({ version: 1, users, throttle: {}, secrets: {} })), key, 'os-keychain'),
      );

    // Written by an older build: no groups yet. Read, with groups: [].
    await seal({ [id]: record });
    expect((await Vault.open({ dir, protector })).read().users[id]).toEqual({ ...record, groups: [] });

    for (const broken of [
      { ...record, passwordHash: 'plain-text' },
      { ...record, roles: ['root'] },
      { ...record, id: 'not-a-uuid' },
      { ...record, lastSignInAt: 'yesterday' },
    ]) {
      await seal({ [id]: broken });
      const before = await snapshotDir(dir);
      await expectVaultError(Vault.open({ dir, protector }), 'VAULT_CORRUPT');
      expect(await snapshotDir(dir)).toEqual(before);
    }
  });

  it('refuses a newer format with VAULT_NEWER_FORMAT', async () => {
    const { vault, dir, protector } = await openTestVault();
    const bytes = await fs.readFile(vault.file);
    bytes[8] = 9;
    await fs.writeFile(vault.file, bytes);
    await expectVaultError(Vault.open({ dir, protector }), 'VAULT_NEWER_FORMAT');
    expect(sha256(await fs.readFile(vault.file))).toBe(sha256(bytes));
  });

  it('refuses a change of key backend before reading the key, and writes nothing', async () => {
    const { dir, protector } = await openTestVault();
    const before = await snapshotDir(dir);
    const other = new RenamedBackend(protector, 'safe-storage:linux:basic_text');

    const error = await expectVaultError(Vault.open({ dir, protector: other }), 'VAULT_BACKEND_CHANGED');

    expect(error.message).toContain('os-keychain');
    expect(error.message).toContain('safe-storage:linux:basic_text');
    expect(other.loadKeyCalls).toBe(0);
    expect(other.storeKeyCalls).toBe(0);
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('opens from vault.bin.bak when vault.bin is missing', async () => {
    const { vault, dir, protector } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.kept = 'in backup';
    });
    await vault.update((doc) => {
      doc.secrets.kept = 'lost with the main file';
    });
    await fs.rm(vault.file);

    const reopened = await Vault.open({ dir, protector });

    expect(reopened.read().secrets).toEqual({ kept: 'in backup' });
    await reopened.update((doc) => {
      doc.secrets.after = 'x';
    });
    expect(await decryptFile(vault.file, protector)).toMatchObject({ secrets: { kept: 'in backup', after: 'x' } });
  });

  it('deletes the temp and backup-in-progress files that killed writes left, and nothing else', async () => {
    const { vault, dir, protector } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    // What a write killed at each step leaves: a temp copy, and the next backup being made.
    const leftovers = [
      `.${VAULT_FILE}.12345.a1b2c3d4e5f6.tmp`,
      `.${VAULT_FILE}.12345.a1b2c3d4e5f6.tmp.bak`,
      `.${VAULT_FILE}.7.000000ffffff.tmp`,
    ];
    for (const name of leftovers) await fs.writeFile(path.join(dir, name), Buffer.from('PORTICOV an old copy'));
    // Names that are not Portico's temp files are left alone, whatever they look like.
    const others = [
      'notes.tmp',
      `.${VAULT_FILE}.tmp`,
      `.${VAULT_FILE}.12345.a1b2c3d4e5f6.tmp.old`,
      `.${VAULT_FILE}.12345.A1B2C3D4E5F6.tmp`,
      `${VAULT_FILE}.12345.a1b2c3d4e5f6.tmp`,
      '.other.bin.12345.a1b2c3d4e5f6.tmp',
    ];
    for (const name of others) await fs.writeFile(path.join(dir, name), 'keep');
    await fs.mkdir(path.join(dir, `.${VAULT_FILE}.1.a1b2c3d4e5f6.tmp`));
    const backup = await fs.readFile(path.join(dir, VAULT_BACKUP_FILE));

    const reopened = await Vault.open({ dir, protector });

    expect(reopened.read().secrets).toEqual({ a: '1' });
    expect((await fs.readdir(dir)).sort()).toEqual(
      [VAULT_FILE, VAULT_BACKUP_FILE, ...others, `.${VAULT_FILE}.1.a1b2c3d4e5f6.tmp`].sort(),
    );
    expect((await fs.readFile(path.join(dir, VAULT_BACKUP_FILE))).equals(backup)).toBe(true);
    await reopened.update((doc) => {
      doc.secrets.b = '2';
    });
    expect((await Vault.open({ dir, protector })).read().secrets).toEqual({ a: '1', b: '2' });
  });

  it('keeps leftover temp files when the vault fails to open (nothing is touched)', async () => {
    const { vault, dir, protector } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    await fs.writeFile(path.join(dir, `.${VAULT_FILE}.12345.a1b2c3d4e5f6.tmp`), 'PORTICOV half a write');
    const bytes = await fs.readFile(vault.file);
    await fs.writeFile(vault.file, flipByte(bytes, bytes.length - 3));
    const before = await snapshotDir(dir);

    await expectVaultError(Vault.open({ dir, protector }), 'VAULT_UNREADABLE');

    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('deletes leftover temp files on a first run too (no vault yet)', async () => {
    const dir = path.join(await tempDir(), 'fresh');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, `.${VAULT_FILE}.99.abcdefabcdef.tmp`), 'PORTICOV from a lost vault');

    const vault = await Vault.open({ dir, protector: testKeychain() });

    expect(vault.read().users).toEqual({});
    expect((await fs.readdir(dir)).sort()).toEqual([VAULT_FILE]);
  });

  it('does not delete the temp file of a write in progress in this process when another Vault opens', async () => {
    const { vault, dir, protector } = await openTestVault();
    const writes = Array.from({ length: 10 }, (_, i) =>
      vault.update((doc) => {
        doc.secrets[`k${i}`] = String(i);
      }),
    );
    const opens = Array.from({ length: 10 }, () => Vault.open({ dir, protector }));
    await Promise.all([...writes, ...opens]);
    expect(Object.keys((await Vault.open({ dir, protector })).read().secrets)).toHaveLength(10);
  });

  it('reports VAULT_WRITE_FAILED and keeps the in-memory document when the folder cannot be written', async () => {
    const { vault, dir } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    const before = await snapshotDir(dir);
    // Tests run as root, where a read-only mode does not stop writes: put a plain file where the
    // folder was, so every write in it fails (ENOTDIR) whatever the user.
    const moved = `${dir}.moved`;
    await fs.rename(dir, moved);
    await fs.writeFile(dir, 'not a folder');
    try {
      const error = await expectVaultError(
        vault.update((doc) => {
          doc.secrets.a = 'changed';
          doc.secrets.b = 'new';
        }),
        'VAULT_WRITE_FAILED',
      );
      expect(error.message).toContain('ENOTDIR');
      expect(vault.read().secrets).toEqual({ a: '1' });
    } finally {
      await fs.rm(dir, { force: true });
      await fs.rename(moved, dir);
    }
    expect(await snapshotDir(dir)).toEqual(before);
    // The queue is not stuck after a failure: the next update lands.
    await vault.update((doc) => {
      doc.secrets.c = '3';
    });
    expect(vault.read().secrets).toEqual({ a: '1', c: '3' });
  });

  it('serialises concurrent updates: 10 increments all land', async () => {
    const { vault, dir, protector } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.counter = '0';
    });

    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        vault.update((doc) => {
          const next = Number(doc.secrets.counter) + 1;
          doc.secrets.counter = String(next);
          return next;
        }),
      ),
    );

    expect(results).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(vault.read().secrets.counter).toBe('10');
    expect((await Vault.open({ dir, protector })).read().secrets.counter).toBe('10');
  });

  it('leaves the document and the file unchanged when a mutator throws', async () => {
    const { vault, dir } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    const before = await snapshotDir(dir);

    const error = await rejectionOf(
      vault.update((doc) => {
        doc.secrets.a = 'half-done';
        throw new Error('mutator failed');
      }),
    );

    expect((error as Error).message).toBe('mutator failed');
    expect(vault.read().secrets).toEqual({ a: '1' });
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('cannot be read with another keychain entry (a vault copied to another account)', async () => {
    const { vault } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    const copy = path.join(await tempDir(), 'elsewhere');
    await fs.mkdir(copy);
    await fs.copyFile(vault.file, path.join(copy, VAULT_FILE));
    const stranger = testKeychain();

    await expectVaultError(Vault.open({ dir: copy, protector: stranger }), 'VAULT_KEY_MISSING');

    // Even with a key of its own in that keychain, the copy stays unreadable.
    await stranger.storeKey(Buffer.alloc(32, 7));
    await expectVaultError(Vault.open({ dir: copy, protector: stranger }), 'VAULT_UNREADABLE');
  });

  it('refuses to write a record the next open would reject, and changes nothing', async () => {
    const { vault, dir } = await openTestVault();
    await vault.update((doc) => {
      doc.secrets.a = '1';
    });
    const before = await snapshotDir(dir);

    const error = await rejectionOf(
      vault.update((doc) => {
        doc.users['not-a-uuid'] = { passwordHash: 'plain' } as never;
      }),
    );

    expect((error as Error).message).toMatch(/invalid vault record/);
    expect(vault.read().users).toEqual({});
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('replaces the backup only with a complete copy: after two writes it holds the middle version', async () => {
    const { vault, protector } = await openTestVault();
    for (const value of ['1', '2', '3']) {
      await vault.update((doc) => {
        doc.secrets.v = value;
      });
    }
    const backup = path.join(path.dirname(vault.file), VAULT_BACKUP_FILE);
    expect(await decryptFile(backup, protector)).toMatchObject({ secrets: { v: '2' } });
    expect(await decryptFile(vault.file, protector)).toMatchObject({ secrets: { v: '3' } });
    // No temporary files are left behind.
    expect((await fs.readdir(path.dirname(vault.file))).sort()).toEqual([VAULT_FILE, VAULT_BACKUP_FILE].sort());
  });
});
