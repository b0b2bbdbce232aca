import { useRef, useState, type FormEvent } from 'react';
import type { IpcError, UserRecordSummary } from '../../../../preload/contract';
import type { LocalRole } from '../../../../preload/constants';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';
import { RoleCheckboxes } from '../../components/RoleCheckboxes';
import { fieldProblem, formFailure, type FormFailure } from '../../lib/api-errors';
import { parseGroups } from '../../lib/groups';
import type { AdminCall } from './use-recent-sign-in';

interface CreateUserFormProps {
  minPasswordLength: number;
  onCreated: (user: UserRecordSummary) => void;
  run: AdminCall;
  sessionLost: (error: IpcError) => boolean;
}

const ALERT_ID = 'new-user-error';
const DEFAULT_ROLES: LocalRole[] = ['viewer'];

export function CreateUserForm({ minPasswordLength, onCreated, run, sessionLost }: CreateUserFormProps) {
  const usernameInput = useRef<HTMLInputElement>(null);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<LocalRole[]>(DEFAULT_ROLES);
  const [groups, setGroups] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await run(() =>
      window.portico.createUser({ username, displayName, password, roles, groups: parseGroups(groups) }),
    );
    if (result && !result.ok && sessionLost(result)) return;
    setBusy(false);
    if (!result) return;
    if (!result.ok) {
      setFailure(formFailure(result, failure));
      return;
    }
    setFailure(null);
    setUsername('');
    setDisplayName('');
    setPassword('');
    setRoles(DEFAULT_ROLES);
    setGroups('');
    usernameInput.current?.focus();
    onCreated(result.value);
  }

  const rolesProblem = fieldProblem(failure, 'roles', ALERT_ID);
  const rolesErrorId = rolesProblem?.text ? 'new-user-roles-error' : rolesProblem?.describedBy;
  return (
    <section className="panel create-user">
      <form
        aria-labelledby="create-user-heading"
        className="form"
        noValidate
        aria-busy={busy}
        onSubmit={(event) => void submit(event)}
      >
        <h3 id="create-user-heading" className="panel-title">
          Create a user
        </h3>
        {failure ? <AlertMessage key={failure.attempt} id={ALERT_ID} message={failure.message} /> : null}
        <div className="form-grid">
          <FormField
            id="new-user-username"
            inputRef={usernameInput}
            label="Username"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            problem={fieldProblem(failure, 'username', ALERT_ID)}
          />
          <FormField
            id="new-user-display-name"
            label="Display name"
            autoComplete="off"
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
            problem={fieldProblem(failure, 'displayName', ALERT_ID)}
          />
          <FormField
            id="new-user-password"
            label="Password"
            type="password"
            autoComplete="new-password"
            hint={`At least ${minPasswordLength} characters`}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            problem={fieldProblem(failure, 'password', ALERT_ID)}
          />
          <FormField
            id="new-user-groups"
            label="Groups"
            autoComplete="off"
            hint="Optional, comma-separated (e.g. Sales-EMEA): they decide which rows the user sees"
            value={groups}
            onChange={(event) => setGroups(event.target.value)}
            problem={fieldProblem(failure, 'groups', ALERT_ID)}
          />
        </div>
        <RoleCheckboxes
          idPrefix="new-user-role"
          legend="Roles"
          roles={roles}
          onChange={setRoles}
          problem={rolesErrorId ? { id: rolesErrorId, text: rolesProblem?.text } : undefined}
        />
        <button type="submit" className="button button-primary" aria-disabled={busy || undefined}>
          Create user
        </button>
      </form>
    </section>
  );
}
