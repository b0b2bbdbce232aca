/**
 * What the vault holds, validated with zod after decryption so that a vault from an older
 * or broken build is reported rather than half-read.
 */
import { z } from 'zod';
import { LOCAL_ROLES } from '../../preload/contract';

export const localUserRecord = z.object({
  id: z.string().uuid(),
  /** Normalised (NFKC, lower case): the key users sign in with. */
  username: z.string().min(1),
  displayName: z.string(),
  roles: z.array(z.enum(LOCAL_ROLES)),
  /** PHC string from argon2id. Never leaves main. */
  passwordHash: z.string().startsWith('$argon2id$'),
  disabled: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  lastSignInAt: z.number().nullable(),
});
export type LocalUserRecord = z.infer<typeof localUserRecord>;

export const throttleRecord = z.object({
  failures: z.number().int().nonnegative(),
  lastFailureAt: z.number(),
  /** Epoch ms; the next attempt is refused before this time (backoff or lockout). */
  blockedUntil: z.number(),
  locked: z.boolean(),
});
export type ThrottleRecord = z.infer<typeof throttleRecord>;

export const vaultDocument = z.object({
  version: z.literal(1),
  users: z.record(z.string(), localUserRecord),
  /** Failure counters by normalised username, known or not (so unknown names look alike). */
  throttle: z.record(z.string(), throttleRecord),
  /** Other secrets (refresh tokens, data-source credentials), by name. */
  secrets: z.record(z.string(), z.string()),
});
export type VaultDocument = z.infer<typeof vaultDocument>;

export function emptyVaultDocument(): VaultDocument {
  return { version: 1, users: {}, throttle: {}, secrets: {} };
}
