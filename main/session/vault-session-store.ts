/**
 * Keeps the session in the encrypted vault so that it survives a restart (only when policy
 * `session.persistSession` is on). Read back with a schema: a damaged entry is dropped,
 * never trusted.
 */
import { z } from 'zod';
import type { Logger } from '../platform';
import type { Vault } from '../vault/vault';
import type { Session, SessionStore } from './session-manager';

const SECRET = 'session';

const savedSession = z.object({
  id: z.string(),
  user: z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    provider: z.enum(['local', 'saml', 'oidc']),
    providerId: z.string().nullable(),
    providerName: z.string().nullable(),
    email: z.string().nullable().default(null),
  }),
  roles: z.array(z.string()),
  groups: z.array(z.string()).default([]),
  createdAt: z.number(),
  authenticatedAt: z.number(),
  lastActivityAt: z.number(),
  expiresAt: z.number(),
  sso: z
    .discriminatedUnion('protocol', [
      z.object({
        protocol: z.literal('saml'),
        providerId: z.string(),
        nameId: z.string(),
        nameIdFormat: z.string().nullable(),
        nameQualifier: z.string().nullable().default(null),
        spNameQualifier: z.string().nullable().default(null),
        sessionIndex: z.string().nullable(),
      }),
      z.object({ protocol: z.literal('oidc'), providerId: z.string(), sub: z.string() }),
    ])
    .nullable(),
  /** Sessions saved before the lock existed have none: open. */
  lockedAt: z.number().nullable().default(null),
});

export class VaultSessionStore implements SessionStore {
  constructor(
    private readonly vault: Vault,
    private readonly log: Logger,
  ) {}

  load(): Session | null {
    const raw = this.vault.read().secrets[SECRET];
    if (!raw) return null;
    try {
      const parsed = savedSession.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async save(session: Session | null): Promise<void> {
    try {
      await this.vault.update((doc) => {
        if (session) doc.secrets[SECRET] = JSON.stringify(session);
        else delete doc.secrets[SECRET];
      });
    } catch (error) {
      this.log.error('Could not save the session', { error: String(error) });
    }
  }

  /** Policy no longer allows persistence: drop anything kept before. */
  async clear(): Promise<void> {
    if (this.vault.read().secrets[SECRET] !== undefined) await this.save(null);
  }
}
