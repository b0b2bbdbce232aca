import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProviderSummary, SessionSummary } from '../../../preload/contract';
import { SESSION_ENDED_MESSAGE, SIGNED_OUT_MESSAGE } from '../lib/api-errors';
import { AdminUsersScreen } from '../screens/admin/AdminUsersScreen';
import { SsoProvidersScreen } from '../screens/admin/SsoProvidersScreen';
import { HomeScreen } from '../screens/HomeScreen';
import { AuditLogScreen } from '../screens/admin/AuditLogScreen';
import { DiagnosticsScreen } from '../screens/admin/DiagnosticsScreen';
import { RoleMappingScreen } from '../screens/admin/RoleMappingScreen';
import { AppHeader, type SignedInPage } from './AppHeader';

/** The pages a session's permissions open (main refuses the calls behind the others anyway). */
function availablePages(session: SessionSummary, hasProviders: boolean): SignedInPage[] {
  const can = (permission: SessionSummary['permissions'][number]) => session.permissions.includes(permission);
  const pages: SignedInPage[] = ['home'];
  if (can('admin.users')) pages.push('users');
  if (can('admin.roles')) pages.push('roles');
  if (can('admin.audit')) pages.push('audit');
  if (can('admin.settings') && hasProviders) pages.push('sso');
  if (can('admin.settings')) pages.push('diagnostics');
  return pages;
}

interface SignedInShellProps {
  session: SessionSummary;
  /** Configured SSO providers (AppInfo.providers). */
  providers: ProviderSummary[];
  minPasswordLength: number;
  onSessionChange: (session: SessionSummary) => void;
  /** The session is over (signed out, expired, revoked): show sign-in with this message. */
  onSessionEnd: (message: string) => void;
}

/** setTimeout's delay is a signed 32-bit number of milliseconds. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

export function SignedInShell({
  session,
  providers,
  minPasswordLength,
  onSessionChange,
  onSessionEnd: endSession,
}: SignedInShellProps) {
  const [page, setPage] = useState<SignedInPage>('home');
  const [signingOut, setSigningOut] = useState(false);
  // While sign-out runs (ending the IdP session can take seconds), main has already ended the
  // local session: a screen's call failing with NOT_SIGNED_IN then must not leave early.
  const signingOutRef = useRef(false);
  const onSessionEnd = useCallback(
    (message: string) => {
      if (!signingOutRef.current) endSession(message);
    },
    [endSession],
  );
  const pages = availablePages(session, providers.length > 0);
  const shownPage: SignedInPage = pages.includes(page) ? page : 'home';

  // Idle expiry: check with main just after the session would end if idle since the last
  // call. Activity in the meantime moves idleExpiresAt on, and the check schedules again.
  useEffect(() => {
    let cancelled = false;
    const delay = Math.min(Math.max(session.idleExpiresAt - Date.now() + 1000, 1000), MAX_TIMER_DELAY);
    const timer = setTimeout(async () => {
      const result = await window.portico.getCurrentSession();
      if (cancelled) return;
      if (!result.ok) onSessionEnd(result.message);
      else if (!result.value) onSessionEnd(SESSION_ENDED_MESSAGE);
      else onSessionChange(result.value);
    }, delay);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [session, onSessionChange, onSessionEnd]);

  async function signOut() {
    signingOutRef.current = true;
    setSigningOut(true);
    const result = await window.portico.signOut();
    endSession(result.ok ? SIGNED_OUT_MESSAGE : result.message);
  }

  return (
    <div className="shell">
      <AppHeader
        page={shownPage}
        brandIsHeading={shownPage !== 'home'}
        pages={pages}
        signingOut={signingOut}
        onNavigate={setPage}
        onSignOut={() => void signOut()}
      />
      {shownPage === 'users' ? (
        <AdminUsersScreen
          session={session}
          minPasswordLength={minPasswordLength}
          onSessionChange={onSessionChange}
          onSessionEnd={onSessionEnd}
        />
      ) : shownPage === 'roles' ? (
        <RoleMappingScreen session={session} onSessionChange={onSessionChange} onSessionEnd={onSessionEnd} />
      ) : shownPage === 'audit' ? (
        <AuditLogScreen onSessionEnd={onSessionEnd} />
      ) : shownPage === 'diagnostics' ? (
        <DiagnosticsScreen onSessionEnd={onSessionEnd} />
      ) : shownPage === 'sso' ? (
        <SsoProvidersScreen providers={providers} onSessionEnd={onSessionEnd} />
      ) : (
        <HomeScreen session={session} onSessionEnd={onSessionEnd} />
      )}
    </div>
  );
}
