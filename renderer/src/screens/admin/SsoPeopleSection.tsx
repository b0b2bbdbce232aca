import { useEffect, useState } from 'react';
import type { IpcError, SsoPersonSummary } from '../../../../preload/contract';
import type { AdminCall } from './use-recent-sign-in';

interface SsoPeopleSectionProps {
  run: AdminCall;
  sessionLost: (error: IpcError) => boolean;
  onDone: (message: string) => void;
  onError: (message: string) => void;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** What this computer keeps for someone's next sign-in, in words. */
export function keptSignInText(kept: SsoPersonSummary['keptSignIn']): string {
  if (kept.refreshToken && kept.idpCookies) return 'Refresh token and IdP cookies';
  if (kept.refreshToken) return 'Refresh token';
  if (kept.idpCookies) return 'IdP cookies';
  return 'None';
}

/**
 * People who sign in through single sign-on on this computer: their identity provider decides
 * who they are and their roles (from its groups), so there is nothing to create or reset here. An
 * administrator can end what the computer keeps for their next sign-in.
 */
export function SsoPeopleSection({ run, sessionLost, onDone, onError }: SsoPeopleSectionProps) {
  const [people, setPeople] = useState<SsoPersonSummary[] | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    void window.portico.listSsoPeople().then((result) => {
      if (cancelled) return;
      if (result.ok) setPeople(result.value);
      else if (!sessionLost(result)) onError(result.message);
    });
    return () => {
      cancelled = true;
    };
  }, [sessionLost, onError]);

  async function endKeptSignIn(person: SsoPersonSummary) {
    if (busyId) return;
    setBusyId(person.id);
    const result = await run(() => window.portico.endKeptSignIn({ personId: person.id }));
    setBusyId(null);
    if (!result) return;
    if (!result.ok) {
      if (!sessionLost(result)) onError(result.message);
      return;
    }
    setPeople((list) => list?.map((p) => (p.id === result.value.id ? result.value : p)) ?? null);
    onDone(`Kept sign-in for ${person.username} ended: they sign in at ${person.providerName} again next time.`);
  }

  if (people === null || people.length === 0) return null;
  return (
    <section className="panel sso-people" aria-labelledby="sso-people-heading">
      <h3 id="sso-people-heading" className="panel-title">
        People who sign in with single sign-on
      </h3>
      <p className="muted">
        Their identity provider decides who they are and, from its groups, their roles. Ending a kept sign-in revokes and deletes
        the refresh token kept for them and clears the identity provider’s cookies in the sign-in window.
      </p>
      <div className="table-wrap">
        <table className="users-table">
          <caption className="visually-hidden">People who sign in with single sign-on</caption>
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Provider</th>
              <th scope="col">Signed in</th>
              <th scope="col">Roles and groups</th>
              <th scope="col">Kept sign-in</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => {
              const kept = person.keptSignIn.refreshToken || person.keptSignIn.idpCookies;
              const busy = busyId === person.id;
              return (
                <tr key={person.id}>
                  <th scope="row">
                    <span className="person-name">{person.displayName}</span>
                    <span className="person-username">{person.username}</span>
                  </th>
                  <td>{person.providerName}</td>
                  <td>
                    <span className="signed-in-last">{`Last ${dateTime.format(person.lastSignInAt)}`}</span>
                    <span className="signed-in-first">{`First ${date.format(person.firstSignInAt)}`}</span>
                  </td>
                  <td className="access-cell">
                    <span className="access-roles">{person.roles.join(', ') || 'No role'}</span>
                    {person.groups.length > 0 ? <span className="access-groups">{person.groups.join(', ')}</span> : null}
                  </td>
                  <td>{keptSignInText(person.keptSignIn)}</td>
                  <td>
                    {kept ? (
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={`End kept sign-in for ${person.username}`}
                        aria-disabled={busy || undefined}
                        onClick={() => void endKeptSignIn(person)}
                      >
                        {busy ? 'Ending…' : 'End kept sign-in'}
                      </button>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
