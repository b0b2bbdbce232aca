/**
 * Each person's own database login for a postgres dataset (the `password` method), kept only
 * in the encrypted vault, under that Portico user and that dataset: another Portico user on
 * the same machine never connects with it. Read back with a schema; a damaged entry counts
 * as none (the person is asked again). The password never leaves main after it was typed.
 */
import { z } from 'zod';
import type { Vault } from '../../vault/vault';

const stored = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
  savedAt: z.number(),
});
export type DbCredential = z.infer<typeof stored>;

const PREFIX = 'pg-credential:';

/** The vault key: the Portico user's id (local uuid, or provider:subject) and the dataset id. */
function keyOf(userId: string, datasetId: string): string {
  return `${PREFIX}${JSON.stringify([userId, datasetId])}`;
}

export class DbCredentialStore {
  constructor(private readonly vault: Vault) {}

  load(userId: string, datasetId: string): DbCredential | null {
    const raw = this.vault.read().secrets[keyOf(userId, datasetId)];
    if (raw === undefined) return null;
    try {
      const parsed = stored.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async save(userId: string, datasetId: string, credential: DbCredential): Promise<void> {
    await this.vault.update((doc) => {
      doc.secrets[keyOf(userId, datasetId)] = JSON.stringify(stored.parse(credential));
    });
  }

  /** Forgets one dataset's login; resolves false when none was kept. */
  async forget(userId: string, datasetId: string): Promise<boolean> {
    const key = keyOf(userId, datasetId);
    if (this.vault.read().secrets[key] === undefined) return false;
    await this.vault.update((doc) => {
      delete doc.secrets[key];
    });
    return true;
  }

  /** Forgets every login of this Portico user (e.g. when their account is removed). */
  async forgetUser(userId: string): Promise<void> {
    const mine = (key: string) => {
      if (!key.startsWith(PREFIX)) return false;
      try {
        return (JSON.parse(key.slice(PREFIX.length)) as unknown[])[0] === userId;
      } catch {
        return false;
      }
    };
    if (!Object.keys(this.vault.read().secrets).some(mine)) return;
    await this.vault.update((doc) => {
      for (const key of Object.keys(doc.secrets)) if (mine(key)) delete doc.secrets[key];
    });
  }
}
