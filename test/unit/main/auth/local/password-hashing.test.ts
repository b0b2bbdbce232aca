import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  needsRehash,
  normalisePassword,
  readHashParams,
  verifyPassword,
} from '../../../../../main/auth/local/password-hashing';
import { OWASP_ARGON2ID } from '../../../../../main/policy/config-schema';

const OWASP = { ...OWASP_ARGON2ID };

describe('password hashing (argon2id)', () => {
  it('produces an argon2id PHC string with m=19456,t=2,p=1 that verifies', async () => {
    const phc = await hashPassword('lumber-violet-canal-otter', OWASP);
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(readHashParams(phc)).toEqual({ algorithm: 'argon2id', memoryKiB: 19456, timeCost: 2, parallelism: 1 });
    expect(await verifyPassword(phc, 'lumber-violet-canal-otter')).toBe(true);
    expect(await verifyPassword(phc, 'lumber-violet-canal-otteR')).toBe(false);
    expect(await verifyPassword(phc, '')).toBe(false);
  });

  it('uses a unique salt: two hashes of one password differ', async () => {
    const [a, b] = await Promise.all([hashPassword('same password here', OWASP), hashPassword('same password here', OWASP)]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect(await verifyPassword(a, 'same password here')).toBe(true);
    expect(await verifyPassword(b, 'same password here')).toBe(true);
  });

  it('does not truncate: a 100-character password verifies only in full', async () => {
    const long = Array.from({ length: 100 }, (_, i) => 'abcdefghij'[i % 10]!.toUpperCase() + String(i % 7))
      .join('')
      .slice(0, 100);
    expect(long).toHaveLength(100);
    const phc = await hashPassword(long, OWASP);
    expect(await verifyPassword(phc, long)).toBe(true);
    expect(await verifyPassword(phc, long.slice(0, 99))).toBe(false);
    expect(await verifyPassword(phc, long.slice(0, 72))).toBe(false);
    expect(await verifyPassword(phc, `${long}x`)).toBe(false);
  });

  it('verifies non-ASCII passwords exactly as typed', async () => {
    const password = 'pässwörd-日本語-🔑-long-enough';
    const phc = await hashPassword(password, OWASP);
    expect(await verifyPassword(phc, password)).toBe(true);
    expect(await verifyPassword(phc, 'passwörd-日本語-🔑-long-enough')).toBe(false);
    expect(await verifyPassword(phc, 'pässwörd-日本語-🔒-long-enough')).toBe(false);
    expect(await verifyPassword(phc, 'pässwörd-日本-🔑-long-enough')).toBe(false);
  });

  it('treats NFC and NFD forms of a password as the same password', async () => {
    const nfc = 'Crème-brûlée-für-alle'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    expect(nfc).not.toBe(nfd);
    expect(normalisePassword(nfd)).toBe(nfc);
    const fromNfc = await hashPassword(nfc, OWASP);
    const fromNfd = await hashPassword(nfd, OWASP);
    for (const phc of [fromNfc, fromNfd]) {
      expect(await verifyPassword(phc, nfc)).toBe(true);
      expect(await verifyPassword(phc, nfd)).toBe(true);
    }
  });

  it('answers false, not an exception, for a malformed stored hash', async () => {
    expect(await verifyPassword('not a hash', 'anything')).toBe(false);
    expect(await verifyPassword('$argon2id$v=19$m=19456,t=2,p=1$broken', 'anything')).toBe(false);
  });

  describe('needsRehash', () => {
    it('is false for a hash at the wanted parameters (or above)', async () => {
      const phc = await hashPassword('x', OWASP);
      expect(needsRehash(phc, OWASP)).toBe(false);
      expect(needsRehash('$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', OWASP)).toBe(false);
    });

    it('is true when memory or time cost rise', () => {
      const phc = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';
      expect(needsRehash(phc, { ...OWASP, memoryKiB: 19457 })).toBe(true);
      expect(needsRehash(phc, { ...OWASP, timeCost: 3 })).toBe(true);
    });

    it('is true when parallelism differs', () => {
      expect(needsRehash('$argon2id$v=19$m=19456,t=2,p=4$c2FsdHNhbHQ$aGFzaGhhc2g', OWASP)).toBe(true);
    });

    it('is true for another algorithm or an unreadable hash', () => {
      expect(needsRehash('$argon2i$v=19$m=65536,t=4,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', OWASP)).toBe(true);
      expect(needsRehash('$argon2d$v=19$m=65536,t=4,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', OWASP)).toBe(true);
      expect(needsRehash('$2b$12$abcdefghijklmnopqrstuv', OWASP)).toBe(true);
      expect(needsRehash('', OWASP)).toBe(true);
    });
  });
});
