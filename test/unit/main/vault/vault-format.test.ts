import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DATA_KEY_BYTES,
  decodeVault,
  encodeVault,
  newDataKey,
  readVaultHeader,
  VaultFormatError,
  type VaultFormatErrorCode,
} from '../../../../main/vault/vault-format';
import { flipByte } from '../../helpers';

const BACKEND = 'os-keychain';
const MAGIC_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const plaintext = Buffer.from(JSON.stringify({ version: 1, secret: 'top secret value' }), 'utf8');

function formatErrorOf(fn: () => unknown): VaultFormatError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultFormatError);
    return error as VaultFormatError;
  }
  throw new Error('Expected a VaultFormatError, but nothing was thrown.');
}

function expectCode(fn: () => unknown, code: VaultFormatErrorCode): void {
  expect(formatErrorOf(fn).code).toBe(code);
}

describe('vault format', () => {
  const key = newDataKey();
  const file = encodeVault(plaintext, key, BACKEND);
  const { headerBytes } = readVaultHeader(file);

  it('round-trips plaintext and records the backend in the header', () => {
    const decoded = decodeVault(file, key);
    expect(decoded.plaintext.equals(plaintext)).toBe(true);
    expect(decoded.header).toEqual({ formatVersion: 1, backend: BACKEND });
    expect(file.subarray(0, MAGIC_BYTES).toString('ascii')).toBe('PORTICOV');
    expect(headerBytes).toBe(MAGIC_BYTES + 2 + BACKEND.length);
  });

  it('does not contain the plaintext and uses a fresh IV each time', () => {
    expect(file.includes(Buffer.from('top secret value'))).toBe(false);
    const again = encodeVault(plaintext, key, BACKEND);
    expect(again.subarray(headerBytes, headerBytes + IV_BYTES).equals(file.subarray(headerBytes, headerBytes + IV_BYTES))).toBe(
      false,
    );
    expect(again.equals(file)).toBe(false);
  });

  it('makes 32-byte random data keys', () => {
    const a = newDataKey();
    expect(a.length).toBe(DATA_KEY_BYTES);
    expect(a.equals(newDataKey())).toBe(false);
  });

  it('refuses a wrong key as VAULT_UNREADABLE', () => {
    expectCode(() => decodeVault(file, newDataKey()), 'VAULT_UNREADABLE');
  });

  it('refuses a key of the wrong length', () => {
    expectCode(() => decodeVault(file, randomBytes(16)), 'VAULT_UNREADABLE');
    expectCode(() => encodeVault(plaintext, randomBytes(31), BACKEND), 'VAULT_UNREADABLE');
  });

  it('reports a file truncated inside the header, IV or tag as VAULT_CORRUPT', () => {
    for (let length = 0; length < headerBytes + IV_BYTES + TAG_BYTES; length++) {
      expectCode(() => decodeVault(file.subarray(0, length), key), 'VAULT_CORRUPT');
    }
  });

  it('refuses a file truncated inside the ciphertext (GCM cannot tell it from tampering)', () => {
    for (let length = headerBytes + IV_BYTES + TAG_BYTES; length < file.length; length++) {
      expectCode(() => decodeVault(file.subarray(0, length), key), 'VAULT_UNREADABLE');
    }
  });

  it('refuses a flipped byte anywhere in the IV, tag or ciphertext as VAULT_UNREADABLE', () => {
    expect(file.length).toBeGreaterThan(headerBytes + IV_BYTES + TAG_BYTES);
    for (let i = headerBytes; i < file.length; i++) {
      expectCode(() => decodeVault(flipByte(file, i), key), 'VAULT_UNREADABLE');
    }
  });

  it('refuses a changed backend name in the header (it is authenticated)', () => {
    const renamed = Buffer.from(file);
    renamed.write('os-keychaiN', MAGIC_BYTES + 2, 'utf8');
    expect(readVaultHeader(renamed).header.backend).toBe('os-keychaiN');
    expectCode(() => decodeVault(renamed, key), 'VAULT_UNREADABLE');
  });

  it('refuses a flipped byte anywhere in the header', () => {
    for (let i = 0; i < headerBytes; i++) {
      // Magic, version, length or name: each ends in one of the format errors, never in plaintext.
      const error = formatErrorOf(() => decodeVault(flipByte(file, i), key));
      expect(['VAULT_CORRUPT', 'VAULT_UNREADABLE', 'VAULT_NEWER_FORMAT']).toContain(error.code);
    }
  });

  it('refuses a file without the magic as VAULT_CORRUPT', () => {
    const bad = Buffer.from(file);
    bad.write('NOTAVLT!', 0, 'ascii');
    expectCode(() => readVaultHeader(bad), 'VAULT_CORRUPT');
    expectCode(() => decodeVault(Buffer.from('{"version":1}'), key), 'VAULT_CORRUPT');
  });

  it('reports a newer format version as VAULT_NEWER_FORMAT', () => {
    const newer = Buffer.from(file);
    newer[MAGIC_BYTES] = 2;
    expectCode(() => readVaultHeader(newer), 'VAULT_NEWER_FORMAT');
    expectCode(() => decodeVault(newer, key), 'VAULT_NEWER_FORMAT');
  });

  it('reports format version 0 as VAULT_CORRUPT', () => {
    const older = Buffer.from(file);
    older[MAGIC_BYTES] = 0;
    expectCode(() => readVaultHeader(older), 'VAULT_CORRUPT');
  });

  it('reports a backend-name length pointing past the end as VAULT_CORRUPT', () => {
    const bad = Buffer.from(file.subarray(0, headerBytes + IV_BYTES + TAG_BYTES + 4));
    bad[MAGIC_BYTES + 1] = 255;
    expectCode(() => readVaultHeader(bad), 'VAULT_CORRUPT');
  });

  it('refuses an empty or over-long backend name when writing', () => {
    expect(() => encodeVault(plaintext, key, '')).toThrow(/1-255 bytes/);
    expect(() => encodeVault(plaintext, key, 'x'.repeat(256))).toThrow(/1-255 bytes/);
    expect(decodeVault(encodeVault(plaintext, key, 'x'.repeat(255)), key).header.backend).toBe('x'.repeat(255));
  });
});
