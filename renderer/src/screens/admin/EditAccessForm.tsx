import { useState } from 'react';
import type { IpcError, LocalRole, UserRecordSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';
import { RoleCheckboxes } from '../../components/RoleCheckboxes';
import { fieldProblem } from '../../lib/api-errors';
import { useInlineForm } from './use-inline-form';
import { parseGroups } from '../../lib/groups';
import type { AdminCall } from './use-recent-sign-in';

interface EditAccessFormProps {
  id: string;
  user: UserRecordSummary;
  onCancel: () => void;
  onDone: (user: UserRecordSummary) => void;
  run: AdminCall;
  sessionLost: (error: IpcError) => boolean;
}

/** A user's roles (what they may do) and groups (which rows they see), changed inline. */
export function EditAccessForm({ id, user, onCancel, onDone, run, sessionLost }: EditAccessFormProps) {
  const [roles, setRoles] = useState<LocalRole[]>(user.roles);
  const [groups, setGroups] = useState(user.groups.join(', '));
  const { busy, failure, submit } = useInlineForm(run, sessionLost, onDone);
  const alertId = `${id}-error`;

  return (
    <form
      id={id}
      className="inline-form"
      aria-label={`Access for ${user.username}`}
      noValidate
      aria-busy={busy}
      onSubmit={(event) =>
        void submit(() => window.portico.setUserAccess({ userId: user.id, roles, groups: parseGroups(groups) }))(event)
      }
    >
      {failure ? <AlertMessage key={failure.attempt} id={alertId} message={failure.message} /> : null}
      <div className="inline-form-row">
        <RoleCheckboxes
          idPrefix={`${id}-role`}
          legend={`Roles for ${user.username}`}
          roles={roles}
          onChange={setRoles}
          problem={failure?.fields.roles ? { id: `${id}-roles-error`, text: failure.fields.roles } : undefined}
        />
        <FormField
          id={`${id}-groups`}
          label={`Groups for ${user.username}`}
          autoComplete="off"
          hint="Comma-separated (e.g. Sales-EMEA)"
          value={groups}
          onChange={(event) => setGroups(event.target.value)}
          problem={fieldProblem(failure, 'groups', alertId)}
        />
        <div className="inline-form-actions">
          <button type="submit" className="button button-primary" aria-disabled={busy || undefined}>
            Save access
          </button>
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </form>
  );
}
