import { useRef } from 'react';
import type { IpcError, UserRecordSummary } from '../../../../preload/contract';
import { EditAccessForm } from './EditAccessForm';
import { ResetPasswordForm } from './ResetPasswordForm';
import { ResetSecondFactorForm } from './ResetSecondFactorForm';
import type { AdminCall } from './use-recent-sign-in';
import { userStatus } from './user-status';

/** An inline form under a user's row: reset password, edit roles and groups, or reset two-step verification. */
export interface OpenPanel {
  userId: string;
  kind: 'reset' | 'access' | 'second-factor';
}

/** Columns of the users table (inline forms span them all). */
export const USER_COLUMNS = 6;

export interface UserRowProps {
  user: UserRecordSummary;
  busy: boolean;
  /** Which inline form is open under this row, if any. */
  open: OpenPanel['kind'] | null;
  minPasswordLength: number;
  onToggleDisabled: (user: UserRecordSummary) => void;
  onTogglePanel: (panel: OpenPanel | null) => void;
  onPasswordReset: (user: UserRecordSummary) => void;
  onAccessChanged: (user: UserRecordSummary) => void;
  onSecondFactorReset: (user: UserRecordSummary) => void;
  run: AdminCall;
  sessionLost: (error: IpcError) => boolean;
}

/** One user, plus (when open) a second row holding an inline form: reset password or edit access. */
export function UserRow({
  user,
  busy,
  open,
  minPasswordLength,
  onToggleDisabled,
  onTogglePanel,
  onPasswordReset,
  onAccessChanged,
  onSecondFactorReset,
  run,
  sessionLost,
}: UserRowProps) {
  const resetButton = useRef<HTMLButtonElement>(null);
  const accessButton = useRef<HTMLButtonElement>(null);
  const secondFactorButton = useRef<HTMLButtonElement>(null);
  const secondFactorOpen = open === 'second-factor';
  const secondFactorFormId = `second-factor-form-${user.id}`;
  const resetOpen = open === 'reset';
  const accessOpen = open === 'access';
  const accessFormId = `access-form-${user.id}`;
  const status = userStatus(user);
  const formId = `reset-form-${user.id}`;
  const toggleVerb = user.disabled ? 'Enable' : 'Disable';

  /** Closes the open form and puts focus back on the button that opened it. */
  function closePanel() {
    const opener = open === 'reset' ? resetButton : open === 'access' ? accessButton : secondFactorButton;
    onTogglePanel(null);
    opener.current?.focus();
  }

  return (
    <>
      <tr>
        <th scope="row">{user.username}</th>
        <td>{user.displayName}</td>
        <td>{user.roles.join(', ')}</td>
        <td>{user.groups.join(', ')}</td>
        <td>
          <div className="status-badges">
            <span className={`badge badge-${status.toLowerCase()}`}>{status}</span>
            {user.secondFactor ? <span className="badge badge-info">2-step</span> : null}
            {user.passwordChangeRequired ? <span className="badge badge-info">Temporary password</span> : null}
          </div>
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
              onClick={() => onTogglePanel(resetOpen ? null : { userId: user.id, kind: 'reset' })}
            >
              Reset password
            </button>
            <button
              ref={accessButton}
              type="button"
              className="button button-secondary button-small"
              aria-label={`Edit access for ${user.username}`}
              aria-expanded={accessOpen}
              aria-controls={accessOpen ? accessFormId : undefined}
              onClick={() => onTogglePanel(accessOpen ? null : { userId: user.id, kind: 'access' })}
            >
              Edit access
            </button>
            {user.secondFactor ? (
              <button
                ref={secondFactorButton}
                type="button"
                className="button button-secondary button-small"
                aria-label={`Reset two-step verification for ${user.username}`}
                aria-expanded={secondFactorOpen}
                aria-controls={secondFactorOpen ? secondFactorFormId : undefined}
                onClick={() => onTogglePanel(secondFactorOpen ? null : { userId: user.id, kind: 'second-factor' })}
              >
                Reset 2-step
              </button>
            ) : null}
          </div>
        </td>
      </tr>
      {open ? (
        <tr className="reset-row">
          <td colSpan={USER_COLUMNS}>
            {open === 'reset' ? (
              <ResetPasswordForm
                id={formId}
                user={user}
                minPasswordLength={minPasswordLength}
                onCancel={closePanel}
                onDone={(updated) => {
                  closePanel();
                  onPasswordReset(updated);
                }}
                run={run}
                sessionLost={sessionLost}
              />
            ) : open === 'second-factor' ? (
              <ResetSecondFactorForm
                id={secondFactorFormId}
                user={user}
                onCancel={closePanel}
                onDone={(updated) => {
                  closePanel();
                  onSecondFactorReset(updated);
                }}
                run={run}
                sessionLost={sessionLost}
              />
            ) : (
              <EditAccessForm
                id={accessFormId}
                user={user}
                onCancel={closePanel}
                onDone={(updated) => {
                  closePanel();
                  onAccessChanged(updated);
                }}
                run={run}
                sessionLost={sessionLost}
              />
            )}
          </td>
        </tr>
      ) : null}
    </>
  );
}
