import { useState, type FormEvent } from 'react';
import type { SessionSummary } from '../../../preload/contract';
import { AlertMessage } from '../components/AlertMessage';
import { CenteredCard } from '../components/CenteredCard';
import { FormField } from '../components/FormField';
import { fieldProblem, formFailure, type FormFailure } from '../lib/api-errors';

interface SetupScreenProps {
  minPasswordLength: number;
  onCreated: (session: SessionSummary) => void;
  /** Setup was finished meanwhile (another window, a restart): continue at sign-in. */
  onAlreadySetUp: (message: string) => void;
}

const MISMATCH = 'The passwords do not match.';
const ALERT_ID = 'setup-error';

export function SetupScreen({ minPasswordLength, onCreated, onAlreadySetUp }: SetupScreenProps) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    if (password !== confirm) {
      setFailure({ attempt: (failure?.attempt ?? 0) + 1, message: MISMATCH, fields: { confirm: MISMATCH } });
      return;
    }
    setBusy(true);
    const result = await window.portico.createAdmin({ username, displayName, password });
    if (result.ok) {
      onCreated(result.value);
      return;
    }
    if (result.code === 'SETUP_ALREADY_DONE') {
      onAlreadySetUp(result.message);
      return;
    }
    setBusy(false);
    setFailure(formFailure(result, failure));
  }

  return (
    <CenteredCard>
      <h1>Create the administrator account</h1>
      <p className="intro">
        Portico is running for the first time on this computer. The administrator account you create now manages the other users.
      </p>
      <form className="form" noValidate aria-busy={busy} onSubmit={(event) => void submit(event)}>
        {failure ? <AlertMessage key={failure.attempt} id={ALERT_ID} message={failure.message} /> : null}
        <FormField
          id="setup-username"
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
          id="setup-display-name"
          label="Display name"
          autoComplete="name"
          value={displayName}
          onChange={(event) => setDisplayName(event.target.value)}
          problem={fieldProblem(failure, 'displayName', ALERT_ID)}
        />
        <FormField
          id="setup-password"
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${minPasswordLength} characters`}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          problem={fieldProblem(failure, 'password', ALERT_ID)}
        />
        <FormField
          id="setup-confirm-password"
          label="Confirm password"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(event) => setConfirm(event.target.value)}
          problem={fieldProblem(failure, 'confirm', ALERT_ID)}
        />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          Create administrator
        </button>
      </form>
    </CenteredCard>
  );
}
