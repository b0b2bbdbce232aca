/**
 * How someone last signed in on this computer, for the sign-in screen to fill in: a local
 * username or an SSO provider, never a password. Kept in the encrypted vault (a username is
 * personal data); nothing is kept, and what was is forgotten, when policy
 * `session.rememberLastSignIn` is off.
 */
import { z } from 'zod';
import type { LastSignIn } from '../../preload/contract';
import type { Vault } from '../vault/vault';
import type { SessionUser } from './session-manager';

const KEY = 'last-sign-in';

const saved = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('local'), username: z.string().min(1).max(64) }),
  z.strictObject({ method: z.literal('sso'), providerId: z.string().min(1).max(40) }),
]);

export class LastSignInStore {
  constructor(
    private readonly vault: Vault,
    private readonly enabled: boolean,
  ) {}

  get(): LastSignIn | null {
    if (!this.enabled) return null;
    const raw = this.vault.read().secrets[KEY];
    if (!raw) return null;
    try {
      const parsed = saved.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** After a sign-in: the account's username, or the provider it came through. */
  async remember(user: SessionUser): Promise<void> {
    if (!this.enabled) return;
    const entry: LastSignIn =
      user.provider === 'local' || !user.providerId
        ? { method: 'local', username: user.username }
        : { method: 'sso', providerId: user.providerId };
    const text = JSON.stringify(entry);
    if (this.vault.read().secrets[KEY] === text) return;
    await this.vault.update((doc) => {
      doc.secrets[KEY] = text;
    });
  }

  /** Policy turned remembering off: forget what an earlier start kept. */
  async forgetUnlessAllowed(): Promise<void> {
    if (this.enabled || this.vault.read().secrets[KEY] === undefined) return;
    await this.vault.update((doc) => {
      delete doc.secrets[KEY];
    });
  }
}
