import { useState } from 'react';
import type { LocalRole } from '../../../../preload/contract';
import { FormField } from '../../components/FormField';
import { RoleCheckboxes } from '../../components/RoleCheckboxes';
import { fieldProblem } from '../../lib/api-errors';
import { parseGroups } from '../../lib/groups';
import { InlineUserForm, type InlineUserFormProps } from './InlineUserForm';

/** A user's roles (what they may do) and groups (which rows they see), changed inline. */
export function EditAccessForm(form: InlineUserFormProps) {
  const { id, user } = form;
  const [roles, setRoles] = useState<LocalRole[]>(user.roles);
  const [groups, setGroups] = useState(user.groups.join(', '));
  return (
    <InlineUserForm
      {...form}
      label={`Access for ${user.username}`}
      submitLabel="Save access"
      call={() => window.portico.setUserAccess({ userId: user.id, roles, groups: parseGroups(groups) })}
    >
      {(failure, alertId) => (
        <>
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
        </>
      )}
    </InlineUserForm>
  );
}
