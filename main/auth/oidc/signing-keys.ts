/**
 * One provider's ID-token signing keys (its JWKS) across token exchanges. openid-client caches a
 * key set for five minutes and fetches it again for an unknown `kid` only when its copy is at
 * least 60 s old: a token signed with a key the IdP published a moment ago (Keycloak with a new
 * higher-priority key, an admin's emergency rotation) would be refused for up to a minute, and
 * the user signed out. Portico fetches the set again when an ID token names a `kid` it lacks
 * (./oidc-relying-party), no sooner than `minIntervalMs` after the previous fetch (waiting out
 * the rest), so a flood of unknown kids cannot turn into a flood of fetches.
 *
 * Multi-tenant Entra, whose Configurations are made per answer: the key set is kept here, and each
 * Configuration starts from it unless the token names a kid it lacks (`prepare`, `keep`).
 */
import * as client from 'openid-client';

/** How often an unknown kid may cause a fetch of the key set, per provider. */
export const JWKS_REFETCH_INTERVAL_MS = 5_000;

export interface KeyClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realKeyClock: KeyClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

export class SigningKeys {
  private cache: client.ExportedJWKSCache | undefined;
  private lastFetchAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: KeyClock = realKeyClock,
    private readonly minIntervalMs = JWKS_REFETCH_INTERVAL_MS,
  ) {}

  /** idpFetch saw an answer from the JWKS URI: the rate limit counts from here. */
  fetched(): void {
    this.lastFetchAt = this.clock.now();
  }

  /** Before fetching the key set again for an unknown kid: waits until the rate limit allows it. */
  async beforeRefetch(): Promise<void> {
    const wait = this.lastFetchAt + this.minIntervalMs - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
  }

  /**
   * Before `config` validates `idToken`: start from the kept key set, unless the token names a
   * kid it lacks (the library then fetches the set, once the rate limit allows).
   */
  async prepare(config: client.Configuration, idToken: string | null): Promise<void> {
    const cache = this.cache;
    if (!cache) return;
    const kid = kidOf(idToken);
    if (kid === undefined || cache.jwks.keys.some((key) => key.kid === kid)) {
      client.setJwksCache(config, cache);
      return;
    }
    await this.beforeRefetch();
  }

  /** After the exchange: whatever key set `config` holds now (fetched or kept) is the copy. */
  keep(config: client.Configuration): void {
    this.cache = client.getJwksCache(config) ?? this.cache;
  }
}

/** The `kid` of a compact JWS header, unverified (only to pick a key); undefined if none or unreadable. */
export function kidOf(jwt: string | null): string | undefined {
  if (!jwt) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8'));
    const kid = header && typeof header === 'object' ? (header as { kid?: unknown }).kid : undefined;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
