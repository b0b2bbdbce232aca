import { useState } from 'react';
import type { IpcError, UserRecordSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';
import { fieldProblem } from '../../lib/api-errors';
import { useInlineForm } from './use-inline-form';
import type { AdminCall } from './use-recent-sign-in';

interface ResetPasswordFormProps {
  id: string;
  user: UserRecordSummary;
  minPasswordLength: number;
  onCancel: () => void;
  onDone: (user: UserRecordSummary) => void;
  run: AdminCall;
  sessionLost: (error: IpcError) => boolean;
}

export function ResetPasswordForm({ id, user, minPasswordLength, onCancel, onDone, run, sessionLost }: ResetPasswordFormProps) {
  const [password, setPassword] = useState('');
  const { busy, failure, submit } = useInlineForm(run, sessionLost, onDone);
  const alertId = `${id}-error`;

  return (
    <form
      id={id}
      className="inline-form"
      noValidate
      aria-busy={busy}
      onSubmit={(event) => void submit(() => window.portico.resetUserPassword({ userId: user.id, password }))(event)}
    >
      {failure ? <AlertMessage key={failure.attempt} id={alertId} message={failure.message} /> : null}
      <div className="inline-form-row">
        <FormField
          id={`${id}-password`}
          label={`New password for ${user.username}`}
          type="password"
          autoFocus
          autoComplete="new-password"
          hint={`At least ${minPasswordLength} characters`}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          problem={fieldProblem(failure, 'password', alertId)}
        />
        <div className="inline-form-actions">
          <button type="submit" className="button button-primary" aria-disabled={busy || undefined}>
            Save password
          </button>
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </form>
  );
}
