import type { UserRecordSummary } from '../../../../preload/contract';
import { USER_COLUMNS, UserRow, type OpenPanel, type UserRowProps } from './UserRow';

/** The row props shared by every row, plus what decides each row's own state. */
type UsersTableProps = Omit<UserRowProps, 'user' | 'busy' | 'open'> & {
  users: UserRecordSummary[] | null;
  busyUserId: string | null;
  /** The one inline form open in the table, if any. */
  panel: OpenPanel | null;
};

export function UsersTable({ users, busyUserId, panel, ...rowProps }: UsersTableProps) {
  return (
    <div className="table-wrap">
      <table className="users-table">
        <caption className="visually-hidden">Portico users</caption>
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Display name</th>
            <th scope="col">Roles</th>
            <th scope="col">Groups</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users === null ? (
            <tr>
              <td colSpan={USER_COLUMNS} className="muted">
                Loading users…
              </td>
            </tr>
          ) : (
            users.map((user) => (
              <UserRow
                key={user.id}
                user={user}
                busy={busyUserId === user.id}
                open={panel?.userId === user.id ? panel.kind : null}
                {...rowProps}
              />
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
