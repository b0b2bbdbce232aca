/**
 * What Portico keeps of an OIDC sign-in between launches: the refresh token (only ever in
 * the encrypted vault), the ID token for logout hints, and the identity last confirmed by
 * the IdP (for the offline grace period). Read back with a schema; a damaged entry is
 * dropped. Writes go through the vault's atomic writes, so a rotated token is never half saved.
 */
import { z } from 'zod';
import { LOCAL_ROLES } from '../../../preload/constants';
import type { Vault } from '../../vault/vault';

const stored = z.object({
  providerId: z.string(),
  sub: z.string(),
  refreshToken: z.string().min(1),
  idToken: z.string().nullable(),
  identity: z.object({
    subject: z.string(),
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.enum(LOCAL_ROLES)),
    groups: z.array(z.string()).default([]),
    verifiedEmail: z.string().nullable().default(null),
  }),
  /** Epoch ms of the last time the IdP confirmed this sign-in. */
  confirmedAt: z.number(),
});
export type StoredOidcSignIn = z.infer<typeof stored>;

const KEY_PREFIX = 'oidc:';

export class OidcTokenStore {
  constructor(private readonly vault: Vault) {}

  /** The one kept sign-in (Portico has one session at a time), if any. */
  load(): StoredOidcSignIn | null {
    const entries = Object.entries(this.vault.read().secrets).filter(([key]) => key.startsWith(KEY_PREFIX));
    for (const [, raw] of entries) {
      try {
        const parsed = stored.safeParse(JSON.parse(raw));
        if (parsed.success) return parsed.data;
      } catch {
        // fall through: a damaged entry counts as none
      }
    }
    return null;
  }

  async save(entry: StoredOidcSignIn): Promise<void> {
    await this.vault.update((doc) => {
      for (const key of Object.keys(doc.secrets)) if (key.startsWith(KEY_PREFIX)) delete doc.secrets[key];
      doc.secrets[`${KEY_PREFIX}${entry.providerId}`] = JSON.stringify(entry);
    });
  }

  async clear(): Promise<void> {
    if (!Object.keys(this.vault.read().secrets).some((key) => key.startsWith(KEY_PREFIX))) return;
    await this.vault.update((doc) => {
      for (const key of Object.keys(doc.secrets)) if (key.startsWith(KEY_PREFIX)) delete doc.secrets[key];
    });
  }
}
