/**
 * What unlocking a local account's session verifies: the same as signing in as that account
 * (argon2id, throttling, lockout), never more lenient. Kept in one place so that the unlock
 * follows sign-in when sign-in asks for more (a second factor).
 */
import type { ChannelInput } from '../../preload/contract';
import type { LocalAccounts } from '../auth/local/local-accounts';
import { stepRequired } from '../auth/local/sign-in-flow';

export async function verifyLocalUnlock(
  accounts: LocalAccounts,
  username: string,
  input: ChannelInput<'session:unlock'>,
): Promise<void> {
  const user = await accounts.signIn(username, input.password);
  // With two-step verification, the password alone does not open it: the code is checked (and
  // its failures counted) like at sign-in. Without one, the answer asks for it.
  if (!accounts.secondFactors.isEnrolled(user.id)) return;
  if (input.code === undefined) throw stepRequired('second-factor');
  await accounts.secondFactors.verify(user, input.code);
}
