import { useState, type FormEvent } from 'react';
import type { IpcError, SessionSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { PasswordField } from '../../components/PasswordField';
import { PasswordRules } from '../../components/PasswordRules';
import { RetryCountdown } from '../../components/RetryCountdown';
import { fieldProblem, formFailure, type FormFailure } from '../../lib/api-errors';
import { retryAtOf } from '../../lib/countdown';
import { newPasswordFailure } from '../login/new-password';

interface ChangePasswordFormProps {
  minPasswordLength: number;
  onChanged: (session: SessionSummary) => void;
  sessionLost: (error: IpcError) => boolean;
}

const ALERT_ID = 'change-password-error';

/** Current password and a new one (twice): every problem named at once, the rules shown from the start. */
export function ChangePasswordForm({ minPasswordLength, onChanged, sessionLost }: ChangePasswordFormProps) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [retryAt, setRetryAt] = useState<number | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const local = newPasswordFailure({ currentPassword: current, newPassword: next, confirm }, minPasswordLength, failure);
    if (local) {
      setFailure(local);
      return;
    }
    setBusy(true);
    const result = await window.portico.changePassword({ currentPassword: current, newPassword: next });
    setBusy(false);
    if (result.ok) {
      setCurrent('');
      setNext('');
      setConfirm('');
      setFailure(null);
      setRetryAt(null);
      onChanged(result.value);
      return;
    }
    if (sessionLost(result)) return;
    if (result.fields?.currentPassword) setCurrent('');
    setRetryAt(retryAtOf(result));
    setFailure(formFailure(result, failure));
  }

  return (
    <form
      className="form account-form"
      noValidate
      aria-busy={busy}
      aria-labelledby="change-password-title"
      onSubmit={(event) => void submit(event)}
    >
      <h3 id="change-password-title">Change password</h3>
      {failure ? <AlertMessage key={failure.attempt} id={ALERT_ID} message={failure.message} /> : null}
      <RetryCountdown retryAt={retryAt} what="Changing the password" />
      <PasswordField
        id="current-password"
        label="Current password"
        autoComplete="current-password"
        value={current}
        onChange={(event) => setCurrent(event.target.value)}
        problem={fieldProblem(failure, 'currentPassword', ALERT_ID)}
      />
      <PasswordRules id="change-password-rules" minLength={minPasswordLength} password={next} />
      <PasswordField
        id="change-new-password"
        label="New password"
        autoComplete="new-password"
        value={next}
        onChange={(event) => setNext(event.target.value)}
        problem={fieldProblem(failure, 'newPassword', ALERT_ID)}
      />
      <PasswordField
        id="change-confirm-password"
        label="Type the new password again"
        autoComplete="new-password"
        value={confirm}
        onChange={(event) => setConfirm(event.target.value)}
        problem={fieldProblem(failure, 'confirm', ALERT_ID)}
      />
      <div className="button-row">
        <button type="submit" className="button button-primary" aria-disabled={busy || undefined}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
