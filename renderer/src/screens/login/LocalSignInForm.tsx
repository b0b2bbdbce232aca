import { useState, type FormEvent } from 'react';
import type { SessionSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';
import { PasswordField } from '../../components/PasswordField';
import { RetryCountdown } from '../../components/RetryCountdown';
import { fieldProblem, formFailure, type FormFailure } from '../../lib/api-errors';
import { retryAtOf } from '../../lib/countdown';
import { stepOf, type SignInStep } from './sign-in-steps';

interface LocalSignInFormProps {
  /** Another sign-in (single sign-on) is running: every control is disabled. */
  disabled: boolean;
  /** Whether this form's last error is still the current one (another method was tried since). */
  showErrors: boolean;
  autoFocus: boolean;
  /** The username last used on this computer (never a password): filled in, and the password field focused. */
  initialUsername?: string | undefined;
  onAttempt: () => void;
  onBusyChange: (busy: boolean) => void;
  onSignedIn: (session: SessionSummary) => void;
  /** The password was right and main asks for more (a code, a new password, a set-up) before the session. */
  onStep: (step: SignInStep, username: string) => void;
  onSetupRequired: () => void;
}

const ALERT_ID = 'login-error';

/** Username and password of a Portico (local) account. */
export function LocalSignInForm({
  disabled,
  showErrors,
  autoFocus,
  initialUsername,
  onAttempt,
  onBusyChange,
  onSignedIn,
  onStep,
  onSetupRequired,
}: LocalSignInFormProps) {
  const [username, setUsername] = useState(initialUsername ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  // A lockout or backoff answer says until when: the form counts down to it.
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const shownFailure = showErrors ? failure : null;

  function setBusyState(next: boolean) {
    setBusy(next);
    onBusyChange(next);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy || disabled) return;
    onAttempt();
    setBusyState(true);
    const result = await window.portico.signInLocal({ username, password });
    if (result.ok) {
      onSignedIn(result.value);
      return;
    }
    if (result.code === 'SETUP_REQUIRED') {
      onSetupRequired();
      return;
    }
    setBusyState(false);
    setPassword('');
    const step = stepOf(result.code);
    if (step) {
      setFailure(null);
      setRetryAt(null);
      onStep(step, username.trim());
      return;
    }
    setRetryAt(retryAtOf(result));
    setFailure(formFailure(result, failure));
  }

  return (
    <form className="form" noValidate aria-busy={busy} onSubmit={(event) => void submit(event)}>
      {shownFailure ? <AlertMessage key={shownFailure.attempt} id={ALERT_ID} message={shownFailure.message} /> : null}
      {shownFailure ? <RetryCountdown retryAt={retryAt} /> : null}
      <FormField
        id="login-username"
        label="Username"
        autoFocus={autoFocus && !initialUsername}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        disabled={disabled}
        value={username}
        onChange={(event) => setUsername(event.target.value)}
        problem={fieldProblem(shownFailure, 'username', ALERT_ID)}
      />
      <PasswordField
        id="login-password"
        label="Password"
        autoComplete="current-password"
        autoFocus={autoFocus && Boolean(initialUsername)}
        disabled={disabled}
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        problem={fieldProblem(shownFailure, 'password', ALERT_ID)}
      />
      <button type="submit" className="button button-primary button-block" disabled={busy || disabled}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
