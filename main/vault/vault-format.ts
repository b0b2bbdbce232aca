/**
 * The vault's on-disk format (pure functions, no I/O):
 *
 *   "PORTICOV" | u8 format version | u8 n | n bytes backend name | 12-byte IV | 16-byte tag | ciphertext
 *
 * AES-256-GCM; the header (magic, version, backend) is authenticated as AAD, so changing the
 * recorded key backend is detected like any other tampering.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const MAGIC = Buffer.from('PORTICOV', 'ascii');
const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

export type VaultFormatErrorCode = 'VAULT_CORRUPT' | 'VAULT_UNREADABLE' | 'VAULT_NEWER_FORMAT';

export class VaultFormatError extends Error {
  constructor(
    readonly code: VaultFormatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VaultFormatError';
  }
}

export interface VaultHeader {
  formatVersion: number;
  backend: string;
}

export function encodeVault(plaintext: Buffer, key: Buffer, backend: string): Buffer {
  assertKey(key);
  const header = encodeHeader(backend);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(header);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

/** Reads the header only: which backend protects the key, before the key is fetched. */
export function readVaultHeader(file: Buffer): { header: VaultHeader; headerBytes: number } {
  if (file.length < MAGIC.length + 2 || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new VaultFormatError('VAULT_CORRUPT', 'The vault file is not a Portico vault or is truncated.');
  }
  const formatVersion = file[MAGIC.length]!;
  if (formatVersion > FORMAT_VERSION) {
    throw new VaultFormatError('VAULT_NEWER_FORMAT', 'The vault was written by a newer Portico version.');
  }
  if (formatVersion !== FORMAT_VERSION) {
    throw new VaultFormatError('VAULT_CORRUPT', `Unknown vault format version ${formatVersion}.`);
  }
  const nameLength = file[MAGIC.length + 1]!;
  const headerBytes = MAGIC.length + 2 + nameLength;
  if (file.length < headerBytes + IV_BYTES + TAG_BYTES) {
    throw new VaultFormatError('VAULT_CORRUPT', 'The vault file is truncated.');
  }
  const backend = file.subarray(MAGIC.length + 2, headerBytes).toString('utf8');
  return { header: { formatVersion, backend }, headerBytes };
}

export function decodeVault(file: Buffer, key: Buffer): { header: VaultHeader; plaintext: Buffer } {
  assertKey(key);
  const { header, headerBytes } = readVaultHeader(file);
  const iv = file.subarray(headerBytes, headerBytes + IV_BYTES);
  const tag = file.subarray(headerBytes + IV_BYTES, headerBytes + IV_BYTES + TAG_BYTES);
  const ciphertext = file.subarray(headerBytes + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(file.subarray(0, headerBytes));
  decipher.setAuthTag(tag);
  try {
    const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    return { header, plaintext };
  } catch {
    // GCM cannot tell a flipped byte from a wrong key: both are "not what we wrote".
    throw new VaultFormatError(
      'VAULT_UNREADABLE',
      'The vault failed its integrity check: it was changed outside Portico, or the key in the OS keychain is not the one that wrote it.',
    );
  }
}

export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

function encodeHeader(backend: string): Buffer {
  const name = Buffer.from(backend, 'utf8');
  if (name.length === 0 || name.length > 255) throw new Error('Key backend name must be 1-255 bytes.');
  return Buffer.concat([MAGIC, Buffer.from([FORMAT_VERSION, name.length]), name]);
}

function assertKey(key: Buffer): void {
  if (key.length !== DATA_KEY_BYTES) throw new VaultFormatError('VAULT_UNREADABLE', 'The vault key has the wrong length.');
}
