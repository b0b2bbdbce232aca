import type { SessionSummary } from '../../../preload/contract';
import { useFocusOnMount } from '../lib/use-focus-on-mount';
import { DataScreen } from './data/DataScreen';

export function HomeScreen({ session, onSessionEnd }: { session: SessionSummary; onSessionEnd: (message: string) => void }) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const { username, provider, providerName } = session.user;
  // SSO users: which identity provider vouched for them.
  const via = provider !== 'local' && providerName ? ` with ${providerName}` : '';
  return (
    <main className="page">
      <h1 ref={headingRef} tabIndex={-1}>
        Welcome, {session.user.displayName}
      </h1>
      <p className="lead">{`Signed in as ${username}${via}`}</p>
      <div className="panel">
        <h2 className="panel-title">Your roles</h2>
        {session.roles.length > 0 ? (
          <ul aria-label="Your roles" className="role-list">
            {session.roles.map((role) => (
              <li key={role} className="role">
                {role}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">You have no roles yet. Ask your Portico administrator for access.</p>
        )}
      </div>
      {session.permissions.includes('data.read') ? <DataScreen onSessionEnd={onSessionEnd} /> : null}
    </main>
  );
}
