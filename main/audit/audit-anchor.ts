/**
 * Where the audit log keeps its head between runs: the vault (encrypted and authenticated with
 * the vault key, written atomically and fsynced). With the head and the MAC key from the same
 * vault, the log can tell at its next start whether records were removed from its end or the
 * file was rewritten while Portico was not running (audit-log.ts).
 */
import type { Vault } from '../vault/vault';
import type { AuditHeadRecord } from '../vault/vault-document';
import { AuditKey } from './audit-key';

/** The head as kept outside the log: the last record's seq and hash, and the first seq that carries a MAC. */
export type AuditAnchor = AuditHeadRecord;

export interface AuditHeadStore {
  /** The head kept at the last save, or null when none was ever kept. */
  load(): AuditAnchor | null;
  /** Keeps `anchor`; resolves once it is durable. */
  save(anchor: AuditAnchor): Promise<void>;
}

/** What an anchored log needs: its MAC key and the store of its head, both from the vault. */
export interface AuditAnchoring {
  key: AuditKey;
  store: AuditHeadStore;
}

export class VaultAuditHeadStore implements AuditHeadStore {
  constructor(private readonly vault: Vault) {}

  load(): AuditAnchor | null {
    return this.vault.read().auditHead ?? null;
  }

  async save(anchor: AuditAnchor): Promise<void> {
    const record: AuditAnchor = { seq: anchor.seq, hash: anchor.hash, keyedFrom: anchor.keyedFrom };
    await this.vault.update((draft) => {
      draft.auditHead = record;
    });
  }
}

/** The audit log's MAC key and head store, from an open vault. */
export function anchoringFromVault(vault: Vault): AuditAnchoring {
  return { key: AuditKey.fromVault(vault), store: new VaultAuditHeadStore(vault) };
}
