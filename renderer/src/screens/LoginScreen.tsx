import { useState, type FormEvent } from 'react';
import type { SessionSummary } from '../../../preload/contract';
import { AlertMessage } from '../components/AlertMessage';
import { CenteredCard } from '../components/CenteredCard';
import { FormField } from '../components/FormField';
import { StatusMessage } from '../components/StatusMessage';
import { fieldProblem, formFailure, type FormFailure } from '../lib/api-errors';
import type { Notice } from '../lib/notice';

interface LoginScreenProps {
  /** Why the user is here, e.g. "You have signed out." or a session-expired message. */
  notice: Notice | null;
  onSignedIn: (session: SessionSummary) => void;
  /** Main has no accounts yet: go to the setup screen. */
  onSetupRequired: () => void;
}

const ALERT_ID = 'login-error';

export function LoginScreen({ notice, onSignedIn, onSetupRequired }: LoginScreenProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await window.portico.signInLocal({ username, password });
    if (result.ok) {
      onSignedIn(result.value);
      return;
    }
    if (result.code === 'SETUP_REQUIRED') {
      onSetupRequired();
      return;
    }
    setBusy(false);
    setPassword('');
    setFailure(formFailure(result, failure));
  }

  return (
    <CenteredCard>
      <h1>Sign in to Portico</h1>
      <StatusMessage notice={notice} />
      <form className="form" noValidate aria-busy={busy} onSubmit={(event) => void submit(event)}>
        {failure ? <AlertMessage key={failure.attempt} id={ALERT_ID} message={failure.message} /> : null}
        <FormField
          id="login-username"
          label="Username"
          autoFocus
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          problem={fieldProblem(failure, 'username', ALERT_ID)}
        />
        <FormField
          id="login-password"
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          problem={fieldProblem(failure, 'password', ALERT_ID)}
        />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </CenteredCard>
  );
}
