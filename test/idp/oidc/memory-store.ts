/**
 * oidc-provider's storage, in memory and private to one provider. oidc-provider's own
 * MemoryAdapter keeps everything in one module-wide LRU shared by all providers in the process and
 * cannot be listed; tests need both isolation and a way to find a user's sessions and grants (to
 * answer "is alice still signed in at the IdP?" and to revoke her grants as an admin would).
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** epoch ms; Infinity when oidc-provider gave no lifetime */
  expiresAt: number;
}

/** Models whose entries point at a grant (`grantId`) and die with it. */
const GRANT_BOUND = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export class MemoryStore {
  readonly #models = new Map<string, Map<string, Entry>>();

  /** The adapter factory for oidc-provider's `adapter` setting. */
  adapterFactory(): (model: string) => Adapter {
    return (model) => new ModelAdapter(this, model);
  }

  entries(model: string): Map<string, Entry> {
    let entries = this.#models.get(model);
    if (!entries) {
      entries = new Map();
      this.#models.set(model, entries);
    }
    return entries;
  }

  /** Live (unexpired) payloads of one model. */
  live(model: string): Array<[string, AdapterPayload]> {
    const now = Date.now();
    return [...this.entries(model)].filter(([, entry]) => entry.expiresAt > now).map(([id, entry]) => [id, entry.payload]);
  }

  /** Deletes a grant and every token, code and request issued under it. */
  destroyGrant(grantId: string): void {
    this.entries('Grant').delete(grantId);
    for (const model of GRANT_BOUND) {
      const entries = this.entries(model);
      for (const [id, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(id);
    }
  }
}

class ModelAdapter implements Adapter {
  readonly #store: MemoryStore;
  readonly #model: string;

  constructor(store: MemoryStore, model: string) {
    this.#store = store;
    this.#model = model;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    this.#store.entries(this.#model).set(id, { payload: structuredClone(payload), expiresAt });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const entry = this.#store.entries(this.#model).get(id);
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    // A copy: oidc-provider must not be able to change what is stored without upsert().
    return structuredClone(entry.payload);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findBy((payload) => payload.uid === uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findBy((payload) => payload.userCode === userCode);
  }

  async consume(id: string): Promise<void> {
    const entry = this.#store.entries(this.#model).get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.#store.entries(this.#model).delete(id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const entries = this.#store.entries(this.#model);
    for (const [id, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(id);
  }

  #findBy(match: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    const found = this.#store.live(this.#model).find(([, payload]) => match(payload));
    return found ? structuredClone(found[1]) : undefined;
  }
}
