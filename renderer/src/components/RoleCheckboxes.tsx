import { LOCAL_ROLES, type LocalRole } from '../../../preload/constants';

interface RoleCheckboxesProps {
  /** Prefix for the checkboxes' ids (unique on the page). */
  idPrefix: string;
  legend: string;
  roles: readonly LocalRole[];
  onChange: (roles: LocalRole[]) => void;
  /** A problem with the choice (e.g. none picked), shown under the boxes. */
  problem?: { id: string; text?: string | undefined } | undefined;
}

/** One checkbox per Portico role, in a fieldset (create user, edit access, preview as). */
export function RoleCheckboxes({ idPrefix, legend, roles, onChange, problem }: RoleCheckboxesProps) {
  return (
    <fieldset className="roles-fieldset" aria-describedby={problem?.id}>
      <legend>{legend}</legend>
      <div className="checkbox-row">
        {LOCAL_ROLES.map((role) => (
          <div key={role} className="checkbox">
            <input
              id={`${idPrefix}-${role}`}
              type="checkbox"
              checked={roles.includes(role)}
              onChange={(event) => onChange(event.target.checked ? [...roles, role] : roles.filter((r) => r !== role))}
            />
            <label htmlFor={`${idPrefix}-${role}`}>{role}</label>
          </div>
        ))}
      </div>
      {problem?.text ? (
        <p id={problem.id} className="field-error">
          {problem.text}
        </p>
      ) : null}
    </fieldset>
  );
}
