import { useState, type FormEvent } from 'react';
import type { DatasetSummary, IpcError } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';

type Connection = NonNullable<DatasetSummary['connection']>;

/**
 * A team (PostgreSQL) dataset's connection: the "Connect to <dataset>" form with the person's
 * own database login, or who they are connected as with Replace and Forget. The password goes
 * to main once and never comes back: the form keeps it only while it is typed.
 */
export function TeamConnection({
  dataset,
  onChanged,
  onError,
}: {
  dataset: DatasetSummary & { connection: Connection };
  /** The dataset as main now sees it (after connecting or forgetting). */
  onChanged: (dataset: DatasetSummary) => void;
  onError: (error: IpcError) => void;
}) {
  const connection = dataset.connection;
  const [editing, setEditing] = useState(false);
  const [username, setUsername] = useState(connection.username ?? '');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function connect(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const result = await window.portico.connectDataset({ datasetId: dataset.id, username, password });
    setBusy(false);
    setPassword('');
    if (!result.ok) {
      onError(result);
      setProblem(result.message);
      return;
    }
    setEditing(false);
    onChanged(result.value);
  }

  async function retry() {
    setBusy(true);
    const result = await window.portico.listDatasets();
    setBusy(false);
    if (!result.ok) {
      onError(result);
      setProblem(result.message);
      return;
    }
    const again = result.value.find((d) => d.id === dataset.id);
    if (again) onChanged(again);
  }

  async function forget() {
    setBusy(true);
    const result = await window.portico.forgetDatasetLogin({ datasetId: dataset.id });
    setBusy(false);
    if (!result.ok) {
      onError(result);
      setProblem(result.message);
      return;
    }
    onChanged(result.value);
  }

  const asksForLogin =
    connection.method === 'password' &&
    (editing || connection.state === 'needs-credential' || connection.state === 'credential-rejected');

  if (asksForLogin) {
    const formId = `connect-${dataset.id}`;
    return (
      <form className="team-connect" aria-labelledby={`${formId}-title`} onSubmit={(event) => void connect(event)}>
        <h3 id={`${formId}-title`}>Connect to {dataset.name}</h3>
        <p className="muted">
          This dataset is in your team&apos;s database, which decides what you may see. Sign in with your own database login;
          Portico keeps it encrypted on this computer for your account only.
        </p>
        {problem ? <AlertMessage key={problem} message={problem} /> : null}
        {!problem && connection.state === 'credential-rejected' && connection.message ? (
          <AlertMessage message={connection.message} />
        ) : null}
        <FormField
          id={`${formId}-username`}
          label="Database username"
          autoComplete="off"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          required
        />
        <FormField
          id={`${formId}-password`}
          label="Database password"
          type="password"
          autoComplete="off"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
        <div className="inline-form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Connecting…' : 'Connect'}
          </button>
          {editing ? (
            <button type="button" className="button button-secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
    );
  }

  return (
    <div className="team-connection">
      {problem ? <AlertMessage key={problem} message={problem} /> : null}
      {connection.state !== 'connected' && connection.message ? <AlertMessage message={connection.message} /> : null}
      <p className="muted">
        {connection.state === 'connected'
          ? `Connected to the team database as ${connection.username ?? 'you'}.`
          : connection.state === 'unreachable'
            ? 'The team database does not answer just now.'
            : ''}
        {connection.state === 'unreachable' ? (
          <>
            {' '}
            <button type="button" className="button button-secondary" onClick={() => void retry()} disabled={busy}>
              Try again
            </button>
          </>
        ) : null}
        {connection.method === 'password' ? (
          <>
            {' '}
            <button type="button" className="button button-secondary" onClick={() => setEditing(true)} disabled={busy}>
              Replace login
            </button>{' '}
            <button type="button" className="button button-secondary" onClick={() => void forget()} disabled={busy}>
              Forget login
            </button>
          </>
        ) : null}
      </p>
    </div>
  );
}
