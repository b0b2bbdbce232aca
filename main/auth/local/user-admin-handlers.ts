import type { IpcRegistry } from '../../ipc/registry';
import type { Session } from '../../session/session-manager';
import type { LocalAccounts } from './local-accounts';

/** Admin user management; the registry has already checked `admin.users`. */
export function setupUserAdminHandlers(registry: IpcRegistry<Session>, { accounts }: { accounts: LocalAccounts }): void {
  registry.handle('users:list', function handleListUsers() {
    return accounts.list();
  });

  registry.handle('users:create', async function handleCreateUser(input) {
    return accounts.summarise(await accounts.create(input));
  });

  registry.handle('users:set-disabled', function handleSetUserDisabled(input, { session }) {
    return accounts.setDisabled(session!.user.id, input.userId, input.disabled);
  });

  registry.handle('users:set-access', function handleSetUserAccess(input) {
    return accounts.setAccess(input.userId, input.roles, input.groups);
  });

  // A temporary password: the user chooses their own at the next sign-in.
  registry.handle('users:reset-password', function handleResetUserPassword(input) {
    return accounts.resetPassword(input.userId, input.password);
  });

  // A lost phone: the user signs in with the password alone, and sets a second factor up again
  // (at that sign-in, when policy requires one).
  registry.handle('users:reset-second-factor', async function handleResetUserSecondFactor(input) {
    await accounts.secondFactors.remove(input.userId);
    return accounts.summarise(accounts.get(input.userId)!);
  });
}
