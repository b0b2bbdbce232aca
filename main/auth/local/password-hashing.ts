/**
 * argon2id through @node-rs/argon2 (N-API, runs off the JS thread). Parameters default to
 * the OWASP minimum (m=19456 KiB, t=2, p=1); a stored hash below the current parameters is
 * upgraded at the next successful sign-in.
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// `Algorithm` is an ambient const enum (not importable as a value under isolatedModules).
const ARGON2ID = 2 as Algorithm.Argon2id;

export interface Argon2Params {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

/**
 * NFC so that the same characters typed on different keyboards/OSes hash alike
 * (NIST SP 800-63B 5.1.1.2). Nothing is trimmed or truncated.
 */
export function normalisePassword(password: string): string {
  return password.normalize('NFC');
}

export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return hash(normalisePassword(password), {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  });
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, normalisePassword(password));
  } catch {
    return false;
  }
}

/** Parses `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`. */
export function readHashParams(phc: string): (Argon2Params & { algorithm: string }) | null {
  const match = /^\$(argon2(?:id|i|d))\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  if (!match) return null;
  return { algorithm: match[1]!, memoryKiB: Number(match[2]), timeCost: Number(match[3]), parallelism: Number(match[4]) };
}

export function needsRehash(phc: string, wanted: Argon2Params): boolean {
  const current = readHashParams(phc);
  if (!current || current.algorithm !== 'argon2id') return true;
  return current.memoryKiB < wanted.memoryKiB || current.timeCost < wanted.timeCost || current.parallelism !== wanted.parallelism;
}
