/**
 * What unlocking a local account's session verifies: the same as signing in as that account
 * (argon2id, throttling, lockout), never more lenient. Kept in one place so that the unlock
 * follows sign-in when sign-in asks for more (a second factor).
 */
import type { ChannelInput } from '../../preload/contract';
import type { LocalAccounts } from '../auth/local/local-accounts';

export async function verifyLocalUnlock(
  accounts: LocalAccounts,
  username: string,
  input: ChannelInput<'session:unlock'>,
): Promise<void> {
  await accounts.signIn(username, input.password);
}
