/**
 * The `entra-token` method: Azure Database for PostgreSQL with Microsoft Entra authentication
 * takes the person's Entra access token for the database as the connection's password. It is
 * obtained from the person's kept OIDC sign-in (its refresh token, only ever in the vault) with
 * the database's scope (default `https://ossrdbms-aad.database.windows.net/.default`), kept in
 * memory only until shortly before it expires, and asked for again for a new connection after
 * that. Only the signed-in person's own kept sign-in is ever used, never another's.
 */
import { AppError } from '../../errors';
import type { StoredOidcSignIn } from '../../auth/oidc/oidc-token-store';
import { KeyedMutex } from '../../util/keyed-mutex';
import type { DbTokenSource, Person } from './postgres-dataset';

/** What the source needs of the OIDC relying party (main/auth/oidc/oidc-relying-party.ts). */
export interface AccessTokenIssuer {
  accessTokenFor(
    refreshToken: string,
    scope: string,
    expectedSubject: string,
  ): Promise<{ accessToken: string; refreshToken: string | null; expiresAt: number | null }>;
}

export interface EntraTokenSourceOptions {
  /** The kept OIDC sign-in (OidcTokenStore): read, and saved again when the refresh token rotates. */
  store: { load(): StoredOidcSignIn | null; save(entry: StoredOidcSignIn): Promise<void> };
  /** The relying party of an OIDC provider id, or null when none is configured. */
  issuer: (providerId: string) => AccessTokenIssuer | null;
  now?: () => number;
  log?: { error(message: string, fields?: Record<string, unknown>): void };
}

/** A token is not handed to a new connection in its last minute. */
const EXPIRY_MARGIN_MS = 60_000;
/** When the IdP does not say how long a token lives: Entra's usual hour, less the margin. */
const DEFAULT_LIFETIME_MS = 60 * 60_000;

export class EntraTokenSource implements DbTokenSource {
  private readonly tokens = new Map<string, { token: string; usableUntil: number }>();
  private readonly mutex = new KeyedMutex();
  private readonly now: () => number;

  constructor(private readonly options: EntraTokenSourceOptions) {
    this.now = options.now ?? Date.now;
  }

  async accessToken(person: Person, providerId: string, scope: string): Promise<string> {
    const key = JSON.stringify([person.userId, providerId, scope]);
    const cached = this.tokens.get(key);
    if (cached && cached.usableUntil > this.now()) return cached.token;
    // One refresh at a time per person: a rotating refresh token must not be spent twice.
    return this.mutex.run(person.userId, async () => {
      const again = this.tokens.get(key);
      if (again && again.usableUntil > this.now()) return again.token;
      const kept = this.options.store.load();
      // Only the person's own kept sign-in, with the dataset's provider (user ids are provider:subject).
      if (!kept || kept.providerId !== providerId || `${kept.providerId}:${kept.sub}` !== person.userId) {
        throw new AppError(
          'DATA_CONNECT_REQUIRED',
          'This dataset uses your Microsoft Entra sign-in, and Portico keeps none for you. Sign out, then sign in with Microsoft Entra.',
        );
      }
      const issuer = this.options.issuer(providerId);
      if (!issuer)
        throw new AppError('DATA_UNAVAILABLE', 'This dataset names a sign-in provider that is not configured. Tell IT.');
      let answer;
      try {
        answer = await issuer.accessTokenFor(kept.refreshToken, scope, kept.sub);
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        this.options.log?.error('Database access token refused or unreachable', { provider: providerId, code: String(code) });
        if (code === 'OIDC_UNREACHABLE') {
          throw new AppError(
            'DATA_SOURCE_UNREACHABLE',
            'Microsoft Entra does not answer just now, so the database cannot be reached. Try again in a moment.',
          );
        }
        throw new AppError(
          'DATA_CREDENTIAL_REJECTED',
          'Microsoft Entra refused database access for your sign-in. Sign out and sign in again; if it keeps failing, ask IT.',
        );
      }
      if (answer.refreshToken && answer.refreshToken !== kept.refreshToken) {
        await this.options.store.save({ ...kept, refreshToken: answer.refreshToken });
      }
      // The issuer dates the expiry by the system clock; the lifetime counts from now on this source's.
      const lifetime = answer.expiresAt === null ? DEFAULT_LIFETIME_MS : answer.expiresAt - Date.now();
      this.tokens.set(key, { token: answer.accessToken, usableUntil: this.now() + lifetime - EXPIRY_MARGIN_MS });
      return answer.accessToken;
    });
  }

  /** Forgets a person's tokens (sign-out). */
  forget(userId: string): void {
    for (const key of [...this.tokens.keys()]) if ((JSON.parse(key) as string[])[0] === userId) this.tokens.delete(key);
  }
}
