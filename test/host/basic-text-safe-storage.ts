/**
 * STAND-IN for Electron's `safeStorage` on a Linux desktop with no keyring, which cannot run
 * here (no Electron binary): it reports the `basic_text` backend and, like Electron there,
 * "encrypts" with a key anyone can read in Chromium's source. Used only to check that
 * Portico refuses such storage unless IT's policy allows it.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import type { SafeStorageLike } from '../../main/vault/safe-storage-key-protector';

const HARD_CODED_KEY = createHash('sha256').update('peanuts').digest().subarray(0, 16);
const IV = Buffer.alloc(16, 0x20);

export const basicTextSafeStorageStandIn: SafeStorageLike = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'basic_text',
  encryptString: (text) => {
    const cipher = createCipheriv('aes-128-cbc', HARD_CODED_KEY, IV);
    return Buffer.concat([Buffer.from('v10'), cipher.update(text, 'utf8'), cipher.final()]);
  },
  decryptString: (data) => {
    const decipher = createDecipheriv('aes-128-cbc', HARD_CODED_KEY, IV);
    return Buffer.concat([decipher.update(data.subarray(3)), decipher.final()]).toString('utf8');
  },
};
