/**
 * Reading and changing a local account's entry in the vault's `accountSecurity` map: whether its
 * password is temporary and its second factor (vault-document.ts). Pure functions over a vault
 * document; changes happen inside a `vault.update`. An entry that holds nothing is removed, so
 * the map lists only the accounts that have something here.
 */
import {
  accountSecurityRecord,
  type AccountSecurityRecord,
  type TotpRecord,
  type VaultDocument,
} from '../../vault/vault-document';

const NOTHING: Readonly<AccountSecurityRecord> = Object.freeze({ passwordChangeRequired: false, totp: null });

/** The account's entry (own keys only: a user id is never an Object.prototype name, but a lookup must not find one). */
export function securityOf(doc: Readonly<VaultDocument>, userId: string): Readonly<AccountSecurityRecord> {
  const map = doc.accountSecurity;
  return map && Object.hasOwn(map, userId) ? map[userId]! : NOTHING;
}

export function totpOf(doc: Readonly<VaultDocument>, userId: string): Readonly<TotpRecord> | null {
  return securityOf(doc, userId).totp;
}

/**
 * Replaces the account's entry in `doc` (a draft inside `vault.update`) with `change(current)`.
 * The new entry is checked against the schema before it is kept: the vault never holds what its
 * next open would refuse.
 */
export function changeSecurity(
  doc: VaultDocument,
  userId: string,
  change: (current: Readonly<AccountSecurityRecord>) => AccountSecurityRecord,
): Readonly<AccountSecurityRecord> {
  const next = accountSecurityRecord.parse(change(securityOf(doc, userId)));
  const map = { ...(doc.accountSecurity ?? {}) };
  if (!next.passwordChangeRequired && next.totp === null) delete map[userId];
  else map[userId] = next;
  doc.accountSecurity = map;
  return next;
}
