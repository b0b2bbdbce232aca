import type { UserRecordSummary } from '../../../../preload/contract';

export type UserStatus = 'Active' | 'Disabled' | 'Locked';

/** Disabled wins over locked: an administrator's decision outlasts a lockout. */
export function userStatus(user: UserRecordSummary): UserStatus {
  if (user.disabled) return 'Disabled';
  if (user.locked) return 'Locked';
  return 'Active';
}
