import { useState, type FormEvent } from 'react';
import type { IpcError, UserRecordSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';
import { fieldProblem, formFailure, type FormFailure } from '../../lib/api-errors';
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
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const alertId = `${id}-error`;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await run(() => window.portico.resetUserPassword({ userId: user.id, password }));
    if (!result) {
      setBusy(false);
      return;
    }
    if (result.ok) {
      onDone(result.value);
      return;
    }
    if (sessionLost(result)) return;
    setBusy(false);
    setFailure(formFailure(result, failure));
  }

  return (
    <form id={id} className="inline-form" noValidate aria-busy={busy} onSubmit={(event) => void submit(event)}>
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
