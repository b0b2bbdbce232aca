import { useEffect, useState, type FormEvent } from 'react';
import type { IpcError, IpcResult, SecondFactorEnrolled, SecondFactorEnrolment } from '../../../preload/contract';
import { AlertMessage } from './AlertMessage';
import { FormField } from './FormField';
import { QrCode } from './QrCode';
import { fieldProblem, formFailure, type FormFailure } from '../lib/api-errors';

interface SecondFactorSetupProps {
  /** Asks main for a new secret (sign-in step or Account). */
  begin: () => Promise<IpcResult<SecondFactorEnrolment>>;
  /** Sends the app's first code. */
  confirm: (code: string) => Promise<IpcResult<SecondFactorEnrolled>>;
  onEnrolled: (result: SecondFactorEnrolled) => void;
  /** An answer this form does not handle itself (the session or the pending sign-in is gone). Null: cancelled. */
  onStop: (error: IpcError | null) => void;
  /** Codes the form shows in its alert; any other failure goes to onStop. */
  handles?: (error: IpcError) => boolean;
  cancelLabel?: string;
}

const ALERT_ID = 'setup-code-error';

/** "ABCD EFGH ..." : easier to copy by hand than one run of 32 letters. */
function groupKey(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Setting up an authenticator app: scan the QR code (drawn here, nothing fetched) or type the key,
 * then enter the app's code to prove it holds the secret.
 */
export function SecondFactorSetup({
  begin,
  confirm,
  onEnrolled,
  onStop,
  handles,
  cancelLabel = 'Cancel',
}: SecondFactorSetupProps) {
  const [enrolment, setEnrolment] = useState<SecondFactorEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);

  useEffect(() => {
    let cancelled = false;
    void begin().then((result) => {
      if (cancelled) return;
      if (result.ok) setEnrolment(result.value);
      else onStop(result);
    });
    return () => {
      cancelled = true;
    };
    // Once per mount: a new secret each time the set-up opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    if (!code.trim()) {
      const message = 'Enter the 6-digit code your authenticator app shows.';
      setFailure({ attempt: (failure?.attempt ?? 0) + 1, message, fields: { code: message } });
      return;
    }
    setBusy(true);
    const result = await confirm(code);
    setBusy(false);
    if (result.ok) {
      onEnrolled(result.value);
      return;
    }
    if (result.code === 'SECOND_FACTOR_SETUP_EXPIRED') {
      // A fresh secret: the old one will never work.
      setCode('');
      setFailure(formFailure(result, failure));
      setEnrolment(null);
      const again = await begin();
      if (again.ok) setEnrolment(again.value);
      else onStop(again);
      return;
    }
    if (result.code !== 'SECOND_FACTOR_INVALID' && result.code !== 'INVALID_PAYLOAD' && !handles?.(result)) {
      onStop(result);
      return;
    }
    setCode('');
    setFailure(formFailure(result, failure));
  }

  if (!enrolment) return <p className="muted">Preparing the set-up…</p>;
  return (
    <div className="second-factor-setup">
      <ol className="setup-steps">
        <li>
          <p>
            Open an authenticator app on your phone (Microsoft Authenticator, Google Authenticator, 1Password, Authy, …) and add
            an account by scanning this code:
          </p>
          <QrCode rows={enrolment.qr} label="QR code to add Portico to your authenticator app" />
          <details className="setup-key">
            <summary>Can’t scan it? Type this key instead</summary>
            <p>
              Key (time-based, 6 digits): <code className="setup-key-text">{groupKey(enrolment.secret)}</code>
            </p>
          </details>
        </li>
        <li>
          <form className="form" noValidate aria-busy={busy} onSubmit={(event) => void submit(event)}>
            {failure ? <AlertMessage key={failure.attempt} id={ALERT_ID} message={failure.message} /> : null}
            <FormField
              id="setup-code"
              label="Enter the 6-digit code the app shows for Portico"
              inputMode="numeric"
              autoComplete="one-time-code"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={32}
              value={code}
              onChange={(event) => setCode(event.target.value)}
              problem={fieldProblem(failure, 'code', ALERT_ID)}
            />
            <div className="button-row">
              <button type="submit" className="button button-primary" aria-disabled={busy || undefined}>
                {busy ? 'Checking…' : 'Turn on two-step verification'}
              </button>
              <button type="button" className="button button-secondary" onClick={() => onStop(null)}>
                {cancelLabel}
              </button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}
