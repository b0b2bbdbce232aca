import { useState, type FormEvent, type ReactNode } from 'react';
import type { IpcError, IpcResult, UserRecordSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { formFailure, type FormFailure } from '../../lib/api-errors';
import type { AdminCall } from './use-recent-sign-in';

export interface InlineUserFormProps {
  id: string;
  user: UserRecordSummary;
  onCancel: () => void;
  onDone: (user: UserRecordSummary) => void;
  run: AdminCall;
  sessionLost: (error: IpcError) => boolean;
}

interface InlineUserFormShellProps extends InlineUserFormProps {
  /** The form's accessible name, when its fields alone do not say what it is for. */
  label?: string;
  submitLabel: string;
  /** The admin call the form submits. */
  call: () => Promise<IpcResult<UserRecordSummary>>;
  /** The fields, given the last failure and the alert's id (for field problems). */
  children: (failure: FormFailure | null, alertId: string) => ReactNode;
}

/**
 * An inline admin form under a user's row (reset password, edit access): one call at a time,
 * through the recent-sign-in check; done on success, the failure shown in an alert, and
 * nothing more when the session is gone.
 */
export function InlineUserForm({
  id,
  label,
  submitLabel,
  call,
  onCancel,
  onDone,
  run,
  sessionLost,
  children,
}: InlineUserFormShellProps) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const alertId = `${id}-error`;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await run(call);
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
    <form id={id} className="inline-form" aria-label={label} noValidate aria-busy={busy} onSubmit={(event) => void submit(event)}>
      {failure ? <AlertMessage key={failure.attempt} id={alertId} message={failure.message} /> : null}
      <div className="inline-form-row">
        {children(failure, alertId)}
        <div className="inline-form-actions">
          <button type="submit" className="button button-primary" aria-disabled={busy || undefined}>
            {submitLabel}
          </button>
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </form>
  );
}
