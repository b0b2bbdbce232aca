import { useEffect, useState } from 'react';
import {
  LOCAL_ROLES,
  type AccessPreview,
  type IpcError,
  type LocalRole,
  type ProviderRoleMapping,
  type RoleMappingView,
  type SessionSummary,
} from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { RoleCheckboxes } from '../../components/RoleCheckboxes';
import { StatusMessage } from '../../components/StatusMessage';
import { useSessionLost } from '../../lib/use-session-lost';
import { parseGroups } from '../../lib/groups';
import { createNotice, type Notice } from '../../lib/notice';
import { useFocusOnMount } from '../../lib/use-focus-on-mount';
import { formatCell } from '../data/DataGrid';
import { ConfirmPasswordDialog } from './ConfirmPasswordDialog';
import { useRecentSignIn } from './use-recent-sign-in';

interface RoleMappingScreenProps {
  session: SessionSummary;
  onSessionChange: (session: SessionSummary) => void;
  onSessionEnd: (message: string) => void;
}

/** Role mapping for holders of `admin.roles`: IdP groups -> roles per provider, and "preview as". */
export function RoleMappingScreen({ session, onSessionChange, onSessionEnd }: RoleMappingScreenProps) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const [view, setView] = useState<RoleMappingView | null>(null);
  const [error, setError] = useState<{ id: number; message: string } | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const { withRecentSignIn, confirming, settle } = useRecentSignIn();

  const sessionLost = useSessionLost(onSessionEnd);

  useEffect(() => {
    let cancelled = false;
    void window.portico.getRoleMapping().then((result) => {
      if (cancelled) return;
      if (result.ok) setView(result.value);
      else if (!sessionLost(result)) setError({ id: Date.now(), message: result.message });
    });
    return () => {
      cancelled = true;
    };
  }, [sessionLost]);

  async function save(providerId: string, mapping: Record<string, LocalRole[]>) {
    setNotice(null);
    setError(null);
    const result = await withRecentSignIn(() => window.portico.setRoleMapping({ providerId, mapping }));
    if (!result) return;
    if (result.ok) {
      setView(result.value);
      setNotice(createNotice('Role mapping saved. It applies from each user’s next sign-in.'));
    } else if (!sessionLost(result)) setError({ id: Date.now(), message: result.message });
  }

  return (
    <main className="page">
      <h2 ref={headingRef} tabIndex={-1} className="page-title">
        Roles
      </h2>
      <p className="lead">Which identity-provider groups get which Portico roles, and what each role may do.</p>
      <StatusMessage notice={notice} />
      {error ? <AlertMessage key={error.id} message={error.message} takeFocus={false} /> : null}
      {!view ? (
        <p className="loading">Loading role mapping…</p>
      ) : (
        <>
          <section className="panel" aria-labelledby="role-permissions-heading">
            <h3 id="role-permissions-heading">Role permissions</h3>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Role</th>
                  <th scope="col">Permissions</th>
                </tr>
              </thead>
              <tbody>
                {LOCAL_ROLES.map((role) => (
                  <tr key={role}>
                    <th scope="row">{role}</th>
                    <td>{view.rolePermissions[role].join(', ') || 'none'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {view.providers.length === 0 ? (
            <p className="muted">
              No single sign-on providers are configured. Local accounts get their roles and groups on the Users screen.
            </p>
          ) : (
            view.providers.map((provider) => <ProviderMapping key={provider.providerId} provider={provider} onSave={save} />)
          )}
          <PreviewAccess providers={view.providers} sessionLost={sessionLost} />
        </>
      )}
      <ConfirmPasswordDialog
        open={confirming}
        session={session}
        onDone={(confirmed, message) => {
          if (message) setError({ id: Date.now(), message });
          settle(confirmed);
        }}
        onSessionChange={onSessionChange}
        sessionLost={sessionLost}
      />
    </main>
  );
}

function ProviderMapping({
  provider,
  onSave,
}: {
  provider: ProviderRoleMapping;
  onSave: (providerId: string, mapping: Record<string, LocalRole[]>) => Promise<void>;
}) {
  const [rows, setRows] = useState(() => Object.entries(provider.mapping).map(([group, roles]) => ({ group, roles })));
  const [saving, setSaving] = useState(false);
  const headingId = `mapping-${provider.providerId}`;
  const setRow = (i: number, next: { group: string; roles: LocalRole[] }) =>
    setRows((r) => r.map((row, j) => (j === i ? next : row)));

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {provider.displayName} <span className="muted">({provider.protocol.toUpperCase()})</span>
      </h3>
      {provider.locked ? <p className="locked-note">Set by your administrator: this mapping cannot be changed here.</p> : null}
      <table className="table mapping-table">
        <thead>
          <tr>
            <th scope="col">Group</th>
            {LOCAL_ROLES.map((role) => (
              <th scope="col" key={role}>
                {role}
              </th>
            ))}
            {provider.locked ? null : <th scope="col">Remove</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td>
                <input
                  aria-label={`Group ${i + 1}`}
                  value={row.group}
                  disabled={provider.locked}
                  onChange={(event) => setRow(i, { ...row, group: event.target.value })}
                />
              </td>
              {LOCAL_ROLES.map((role) => (
                <td key={role}>
                  <input
                    type="checkbox"
                    aria-label={`${row.group || `Group ${i + 1}`}: ${role}`}
                    checked={row.roles.includes(role)}
                    disabled={provider.locked}
                    onChange={(event) =>
                      setRow(i, {
                        ...row,
                        roles: event.target.checked ? [...row.roles, role] : row.roles.filter((r) => r !== role),
                      })
                    }
                  />
                </td>
              ))}
              {provider.locked ? null : (
                <td>
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() => setRows((r) => r.filter((_, j) => j !== i))}
                  >
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {provider.locked ? null : (
        <div className="button-row">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setRows((r) => [...r, { group: '', roles: ['viewer'] }])}
          >
            Add group
          </button>
          <button
            type="button"
            className="button"
            disabled={saving}
            onClick={async () => {
              setSaving(true);
              await onSave(
                provider.providerId,
                Object.fromEntries(rows.filter((r) => r.group.trim()).map((r) => [r.group.trim(), r.roles])),
              );
              setSaving(false);
            }}
          >
            {saving ? 'Saving…' : `Save ${provider.displayName} mapping`}
          </button>
        </div>
      )}
    </section>
  );
}

function PreviewAccess({ providers, sessionLost }: { providers: ProviderRoleMapping[]; sessionLost: (e: IpcError) => boolean }) {
  const [providerId, setProviderId] = useState(providers[0]?.providerId ?? '');
  const [groups, setGroups] = useState('');
  const [roles, setRoles] = useState<LocalRole[]>([]);
  const [preview, setPreview] = useState<AccessPreview | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setError(null);
    const result = await window.portico.previewAccess({
      providerId: providerId || undefined,
      groups: parseGroups(groups),
      roles,
    });
    if (result.ok) setPreview(result.value);
    else if (!sessionLost(result)) setError(result.message);
  }

  return (
    <section className="panel" aria-labelledby="preview-heading">
      <h3 id="preview-heading">Preview as</h3>
      <p className="muted">See exactly what a user with these groups (or roles) would see, before you change anything.</p>
      <form
        className="preview-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        {providers.length > 0 ? (
          <div className="field field-inline">
            <label htmlFor="preview-provider">Map groups with</label>
            <select id="preview-provider" value={providerId} onChange={(event) => setProviderId(event.target.value)}>
              <option value="">No provider (groups only scope rows)</option>
              {providers.map((p) => (
                <option key={p.providerId} value={p.providerId}>
                  {p.displayName}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="field field-inline">
          <label htmlFor="preview-groups">Groups</label>
          <input
            id="preview-groups"
            value={groups}
            placeholder="Sales-EMEA, Finance"
            onChange={(event) => setGroups(event.target.value)}
          />
        </div>
        <RoleCheckboxes idPrefix="preview-role" legend="Also these roles" roles={roles} onChange={setRoles} />
        <button type="submit" className="button">
          Preview
        </button>
      </form>
      {error ? <AlertMessage message={error} takeFocus={false} /> : null}
      {preview ? (
        <div className="preview-result" aria-live="polite">
          <p>
            <strong>Roles:</strong> {preview.roles.join(', ') || 'none'} · <strong>Permissions:</strong>{' '}
            {preview.permissions.join(', ') || 'none (no access to Portico)'}
          </p>
          {preview.datasets.map(({ dataset, page, rowsHidden }) => (
            <div key={dataset.id} className="preview-dataset">
              <h4>{dataset.name}</h4>
              <p>
                {dataset.rowScope ? `Rows where ${dataset.rowScope}` : 'Every row'} · {page.total.toLocaleString()} rows ·{' '}
                {dataset.canExport ? 'can export' : 'cannot export'}
                {dataset.columns.some((c) => c.masked)
                  ? ` · masked: ${dataset.columns
                      .filter((c) => c.masked)
                      .map((c) => c.label)
                      .join(', ')}`
                  : ''}
              </p>
              {rowsHidden ? (
                <p className="muted">Rows are not shown: your own access to this dataset is limited to some rows.</p>
              ) : (
                <div className="table-scroll" tabIndex={0} role="region" aria-label={`${dataset.name} as previewed`}>
                  <table className="table preview-table">
                    <thead>
                      <tr>
                        {dataset.columns.map((c) => (
                          <th key={c.name} scope="col">
                            {c.label}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {page.rows.map((row, i) => (
                        <tr key={i}>
                          {dataset.columns.map((c, j) => (
                            <td key={c.name} className={c.masked ? 'masked' : undefined}>
                              {formatCell(row[j] ?? null, c)}
                            </td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}
