import type { IpcError, UserRecordSummary } from '../../../../preload/contract';
import type { AdminCall } from './use-recent-sign-in';
import { UserRow } from './UserRow';

interface UsersTableProps {
  users: UserRecordSummary[] | null;
  busyUserId: string | null;
  resetOpenFor: string | null;
  minPasswordLength: number;
  onToggleDisabled: (user: UserRecordSummary) => void;
  onToggleReset: (userId: string | null) => void;
  onPasswordReset: (user: UserRecordSummary) => void;
  run: AdminCall;
  sessionLost: (error: IpcError) => boolean;
}

export function UsersTable({ users, busyUserId, resetOpenFor, ...rowProps }: UsersTableProps) {
  return (
    <div className="table-wrap">
      <table className="users-table">
        <caption className="visually-hidden">Portico users</caption>
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Display name</th>
            <th scope="col">Roles</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users === null ? (
            <tr>
              <td colSpan={5} className="muted">
                Loading users…
              </td>
            </tr>
          ) : (
            users.map((user) => (
              <UserRow
                key={user.id}
                user={user}
                busy={busyUserId === user.id}
                resetOpen={resetOpenFor === user.id}
                {...rowProps}
              />
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
