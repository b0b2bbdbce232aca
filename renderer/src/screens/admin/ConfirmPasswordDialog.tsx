import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { IpcError, SessionSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';
import { fieldProblem, formFailure, type FormFailure } from '../../lib/api-errors';
import { createNotice, type Notice } from '../../lib/notice';
import { useSsoAttempt, waitingMessage, type SsoAttemptHandle } from '../../lib/sso';

interface ConfirmPasswordDialogProps {
  open: boolean;
  /** The current session: local users confirm their password, SSO users sign in at their IdP again. */
  session: SessionSummary;
  /**
   * true once main accepted the proof; false when the user cancels, with a message when the
   * action was dropped for another reason (the IdP signed in a different user).
   */
  onDone: (confirmed: boolean, message?: string) => void;
  /** A new sign-in at the IdP replaced the session. */
  onSessionChange: (session: SessionSummary) => void;
  sessionLost: (error: IpcError) => boolean;
  /** Why the confirmation is asked (default: before changing user accounts). */
  reason?: string;
}

const DEFAULT_REASON = 'For your security, enter your password again before changing user accounts.';

const HEADING_ID = 'confirm-password-heading';

/**
 * A modal <dialog> asking for a recent sign-in: the browser keeps focus inside it and Escape
 * cancels it (and, for SSO users, closes the sign-in window if one is open).
 */
export function ConfirmPasswordDialog({
  open,
  session,
  onDone,
  onSessionChange,
  sessionLost,
  reason = DEFAULT_REASON,
}: ConfirmPasswordDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const sso = useSsoAttempt();
  const isSso = session.user.provider !== 'local';

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      element.showModal();
      (element.querySelector('input') ?? element.querySelector<HTMLElement>('[data-initial-focus]'))?.focus();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);

  function cancel() {
    if (sso.attempt) {
      // The pending sign-in ends with SSO_CANCELLED; the dialog closes then.
      if (!sso.attempt.cancelling) void sso.cancel();
      return;
    }
    onDone(false);
  }

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={HEADING_ID}
      onCancel={(event) => {
        event.preventDefault();
        cancel();
      }}
    >
      {open && isSso ? (
        <SignInAgainForm
          session={session}
          sso={sso}
          onCancel={cancel}
          onDone={onDone}
          onSessionChange={onSessionChange}
          sessionLost={sessionLost}
        />
      ) : null}
      {open && !isSso ? <ConfirmPasswordForm onDone={onDone} sessionLost={sessionLost} reason={reason} /> : null}
    </dialog>
  );
}

function ConfirmPasswordForm({
  onDone,
  sessionLost,
  reason,
}: Pick<ConfirmPasswordDialogProps, 'onDone' | 'sessionLost'> & { reason: string }) {
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
      <p className="muted">{reason}</p>
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

interface SignInAgainFormProps extends Omit<ConfirmPasswordDialogProps, 'open'> {
  sso: SsoAttemptHandle;
  onCancel: () => void;
}

/** SSO users have no Portico password: they prove who they are at their IdP again. */
function SignInAgainForm({ session, sso, onCancel, onDone, onSessionChange, sessionLost }: SignInAgainFormProps) {
  const [failure, setFailure] = useState<Notice | null>(null);
  const mounted = useRef(true);
  const { providerId, providerName } = session.user;
  const name = providerName ?? 'your organization';
  const waiting = sso.attempt !== null;

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  async function signInAgain() {
    if (waiting) return;
    setFailure(null);
    if (!providerId) {
      setFailure(createNotice('Portico does not know where you signed in. Sign out and sign in again.'));
      return;
    }
    // Main keeps this session and refuses anyone but its own user (SSO_DIFFERENT_USER).
    const result = await sso.start({ id: providerId, displayName: name }, 'reauthenticate');
    if (result.ok) {
      onSessionChange(result.value);
      // The screen went away meanwhile (e.g. the session timed out): never run the pending
      // action behind the user's back.
      if (!mounted.current) return;
      onDone(!sso.cancelledHere());
      return;
    }
    if (sso.cancelledHere() && result.code === 'SSO_CANCELLED') {
      onDone(false);
      return;
    }
    if (sessionLost(result)) return;
    setFailure(createNotice(result.message));
  }

  return (
    <div className="sign-in-again">
      <h2 id={HEADING_ID}>Confirm your identity</h2>
      <p>{`Sign in again with ${name} to continue.`}</p>
      <p className="muted">For your security, changing user accounts needs a recent sign-in. A sign-in window opens.</p>
      {failure ? <AlertMessage key={failure.id} message={failure.text} /> : null}
      <div role="status" className="status-region">
        {sso.attempt ? <p className="sso-waiting-text">{waitingMessage(sso.attempt.providerName)}</p> : null}
      </div>
      <div className="dialog-actions">
        <button
          type="button"
          className="button button-secondary"
          aria-disabled={sso.attempt?.cancelling || undefined}
          onClick={onCancel}
        >
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          data-initial-focus
          aria-disabled={waiting || undefined}
          onClick={() => void signInAgain()}
        >
          {`Sign in again with ${name}`}
        </button>
      </div>
    </div>
  );
}
