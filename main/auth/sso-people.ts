/**
 * The people who signed in through single sign-on on this computer, kept in the encrypted vault
 * for the Users screen: which provider, first and last sign-in, the roles and groups the IdP gave
 * them last, and whether the sign-in window keeps the IdP's cookies from their sign-in. (Whether
 * an OIDC refresh token is kept for them is read from the token store itself, never copied here.)
 *
 * Read back with a schema: a damaged entry is dropped (the list is a record, not a gate). Bounded:
 * past MAX_PEOPLE, the longest unseen are forgotten.
 */
import { z } from 'zod';
import { LOCAL_ROLES } from '../../preload/constants';
import type { Vault } from '../vault/vault';
import type { SsoIdentity } from './sso-identity';

const KEY = 'sso-people';
export const MAX_PEOPLE = 2000;

const person = z.object({
  id: z.string().min(1),
  providerId: z.string().min(1),
  protocol: z.enum(['saml', 'oidc']),
  username: z.string(),
  displayName: z.string(),
  firstSignInAt: z.number(),
  lastSignInAt: z.number(),
  roles: z.array(z.enum(LOCAL_ROLES)),
  groups: z.array(z.string()),
  /** The last sign-in through this provider's kept window partition was theirs, and it was not cleared since. */
  idpCookies: z.boolean(),
});
export type SsoPerson = z.infer<typeof person>;

/** The session user id of someone an IdP vouched for: the provider and its stable subject. */
export function ssoPersonId(identity: Pick<SsoIdentity, 'providerId' | 'subject'>): string {
  return `${identity.providerId}:${identity.subject}`;
}

export class SsoPeople {
  constructor(
    private readonly vault: Vault,
    private readonly now: () => number,
    private readonly max = MAX_PEOPLE,
  ) {}

  list(): SsoPerson[] {
    return Object.values(this.read()).sort((a, b) => b.lastSignInAt - a.lastSignInAt);
  }

  get(id: string): SsoPerson | null {
    const people = this.read();
    return Object.hasOwn(people, id) ? people[id]! : null;
  }

  /**
   * A sign-in (or a refresh that confirmed one): recorded with the roles and groups it gave.
   * `viaKeptWindow`: it ran in the provider's kept partition, so the IdP's cookies there are theirs now.
   */
  async signedIn(identity: SsoIdentity, options: { viaKeptWindow: boolean; refresh?: boolean }): Promise<void> {
    const id = ssoPersonId(identity);
    const now = this.now();
    await this.write((people) => {
      const before = people[id];
      if (options.viaKeptWindow) {
        for (const other of Object.values(people)) {
          if (other.providerId === identity.providerId && other.id !== id && other.idpCookies)
            people[other.id] = { ...other, idpCookies: false };
        }
      }
      people[id] = {
        id,
        providerId: identity.providerId,
        protocol: identity.protocol,
        username: identity.username,
        displayName: identity.displayName,
        firstSignInAt: before?.firstSignInAt ?? now,
        // A silent refresh is not a sign-in: it updates roles, not when they last signed in.
        lastSignInAt: options.refresh && before ? before.lastSignInAt : now,
        roles: [...identity.roles],
        groups: [...identity.groups],
        idpCookies: options.viaKeptWindow || (before?.idpCookies ?? false),
      };
    });
  }

  /** The provider's kept partition was cleared: nobody's IdP cookies are kept for it any more. */
  async partitionCleared(providerId: string): Promise<void> {
    if (!Object.values(this.read()).some((p) => p.providerId === providerId && p.idpCookies)) return;
    await this.write((people) => {
      for (const p of Object.values(people))
        if (p.providerId === providerId && p.idpCookies) people[p.id] = { ...p, idpCookies: false };
    });
  }

  private read(): Record<string, SsoPerson> {
    return parsePeople(this.vault.read().secrets[KEY]);
  }

  private async write(change: (people: Record<string, SsoPerson>) => void): Promise<void> {
    await this.vault.update((doc) => {
      const people = parsePeople(doc.secrets[KEY]);
      change(people);
      const kept = Object.values(people)
        .sort((a, b) => b.lastSignInAt - a.lastSignInAt)
        .slice(0, this.max);
      doc.secrets[KEY] = JSON.stringify(Object.fromEntries(kept.map((p) => [p.id, p])));
    });
  }
}

function parsePeople(raw: string | undefined): Record<string, SsoPerson> {
  const people: Record<string, SsoPerson> = {};
  if (!raw) return people;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return people;
  }
  if (typeof parsed !== 'object' || parsed === null) return people;
  for (const value of Object.values(parsed as Record<string, unknown>)) {
    const entry = person.safeParse(value);
    if (entry.success) people[entry.data.id] = entry.data;
  }
  return people;
}
