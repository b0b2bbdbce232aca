import { useRef } from 'react';
import type { IpcError, UserRecordSummary } from '../../../../preload/contract';
import { ResetPasswordForm } from './ResetPasswordForm';
import type { AdminCall } from './use-recent-sign-in';
import { userStatus } from './user-status';

export interface UserRowProps {
  user: UserRecordSummary;
  busy: boolean;
  resetOpen: boolean;
  minPasswordLength: number;
  onToggleDisabled: (user: UserRecordSummary) => void;
  onToggleReset: (userId: string | null) => void;
  onPasswordReset: (user: UserRecordSummary) => void;
  run: AdminCall;
  sessionLost: (error: IpcError) => boolean;
}

/** One user, plus (when open) a second row holding the inline reset-password form. */
export function UserRow({
  user,
  busy,
  resetOpen,
  minPasswordLength,
  onToggleDisabled,
  onToggleReset,
  onPasswordReset,
  run,
  sessionLost,
}: UserRowProps) {
  const resetButton = useRef<HTMLButtonElement>(null);
  const status = userStatus(user);
  const formId = `reset-form-${user.id}`;
  const toggleVerb = user.disabled ? 'Enable' : 'Disable';

  function closeReset() {
    onToggleReset(null);
    resetButton.current?.focus();
  }

  return (
    <>
      <tr>
        <th scope="row">{user.username}</th>
        <td>{user.displayName}</td>
        <td>{user.roles.join(', ')}</td>
        <td>{user.groups.join(', ')}</td>
        <td>
          <span className={`badge badge-${status.toLowerCase()}`}>{status}</span>
        </td>
        <td>
          <div className="row-actions">
            {/* aria-disabled, not disabled: the button keeps focus while the call runs. */}
            <button
              type="button"
              className="button button-secondary button-small toggle-button"
              aria-label={`${toggleVerb} ${user.username}`}
              aria-disabled={busy || undefined}
              onClick={() => {
                if (!busy) onToggleDisabled(user);
              }}
            >
              {toggleVerb}
            </button>
            <button
              ref={resetButton}
              type="button"
              className="button button-secondary button-small"
              aria-label={`Reset password for ${user.username}`}
              aria-expanded={resetOpen}
              aria-controls={resetOpen ? formId : undefined}
              onClick={() => onToggleReset(resetOpen ? null : user.id)}
            >
              Reset password
            </button>
          </div>
        </td>
      </tr>
      {resetOpen ? (
        <tr className="reset-row">
          <td colSpan={5}>
            <ResetPasswordForm
              id={formId}
              user={user}
              minPasswordLength={minPasswordLength}
              onCancel={closeReset}
              onDone={(updated) => {
                closeReset();
                onPasswordReset(updated);
              }}
              run={run}
              sessionLost={sessionLost}
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}
