import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { IpcError } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';
import { fieldProblem, formFailure, type FormFailure } from '../../lib/api-errors';

interface ConfirmPasswordDialogProps {
  open: boolean;
  /** true once main accepted the password; false when the user cancels. */
  onDone: (confirmed: boolean) => void;
  sessionLost: (error: IpcError) => boolean;
}

const HEADING_ID = 'confirm-password-heading';

/** A modal <dialog>: the browser keeps focus inside it and Escape cancels it. */
export function ConfirmPasswordDialog({ open, onDone, sessionLost }: ConfirmPasswordDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      element.showModal();
      element.querySelector('input')?.focus();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={HEADING_ID}
      onCancel={(event) => {
        event.preventDefault();
        onDone(false);
      }}
    >
      {open ? <ConfirmPasswordForm onDone={onDone} sessionLost={sessionLost} /> : null}
    </dialog>
  );
}

function ConfirmPasswordForm({ onDone, sessionLost }: Omit<ConfirmPasswordDialogProps, 'open'>) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const alertId = 'confirm-password-error';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await window.portico.confirmPassword({ password });
    if (result.ok) {
      onDone(true);
      return;
    }
    if (sessionLost(result)) return;
    setBusy(false);
    setPassword('');
    setFailure(formFailure(result, failure));
  }

  return (
    <form className="form" noValidate aria-busy={busy} onSubmit={(event) => void submit(event)}>
      <h2 id={HEADING_ID}>Confirm your password</h2>
      <p className="muted">For your security, enter your password again before changing user accounts.</p>
      {failure ? <AlertMessage key={failure.attempt} id={alertId} message={failure.message} /> : null}
      <FormField
        id="confirm-password-input"
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        problem={fieldProblem(failure, 'password', alertId)}
      />
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" aria-disabled={busy || undefined}>
          Confirm
        </button>
      </div>
    </form>
  );
}
