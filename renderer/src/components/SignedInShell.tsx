import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProviderSummary, SessionSummary } from '../../../preload/contract';
import { SIGNED_OUT_MESSAGE } from '../lib/api-errors';
import { AdminUsersScreen } from '../screens/admin/AdminUsersScreen';
import { SsoProvidersScreen } from '../screens/admin/SsoProvidersScreen';
import { HomeScreen } from '../screens/HomeScreen';
import { AuditLogScreen } from '../screens/admin/AuditLogScreen';
import { DiagnosticsScreen } from '../screens/admin/DiagnosticsScreen';
import { RoleMappingScreen } from '../screens/admin/RoleMappingScreen';
import { AccountScreen } from '../screens/account/AccountScreen';
import { AppHeader, type SignedInPage } from './AppHeader';
import { IdleLock } from './IdleLock';

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
  // Portico accounts have their own Account page; SSO people manage sign-in at their IdP.
  const hasAccountPage = session.user.provider === 'local';
  const shownPage: SignedInPage = page === 'account' ? (hasAccountPage ? page : 'home') : pages.includes(page) ? page : 'home';

  // Locked: what the person was doing stays mounted (dataset, filters, sort, scroll position),
  // hidden and inert under the lock screen. A session that was locked when the window opened
  // (a reload, a restart) shows nothing underneath until it is unlocked: nothing to keep yet.
  const [locked, setLocked] = useState(session.locked);
  const [everOpen, setEverOpen] = useState(!session.locked);
  const focusBeforeLock = useRef<Element | null>(null);
  const onLockedChange = useCallback((next: boolean) => {
    if (next) focusBeforeLock.current = document.activeElement;
    else setEverOpen(true);
    setLocked(next);
  }, []);
  useEffect(() => {
    // Back where the person was: the control they last used, if it is still there.
    if (locked) return;
    const previous = focusBeforeLock.current;
    focusBeforeLock.current = null;
    if (previous instanceof HTMLElement && previous.isConnected) previous.focus({ preventScroll: true });
  }, [locked]);

  async function signOut() {
    signingOutRef.current = true;
    setSigningOut(true);
    const result = await window.portico.signOut();
    endSession(result.ok ? (result.value ?? SIGNED_OUT_MESSAGE) : result.message);
  }

  const content = (
    <>
      <AppHeader
        page={shownPage}
        brandIsHeading={shownPage !== 'home'}
        pages={pages}
        signingOut={signingOut}
        hasAccountPage={hasAccountPage}
        onNavigate={setPage}
        onSignOut={() => void signOut()}
      />
      {shownPage === 'account' ? (
        <AccountScreen session={session} onSessionChange={onSessionChange} onSessionEnd={onSessionEnd} />
      ) : shownPage === 'users' ? (
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
    </>
  );

  return (
    <div className="shell">
      <div
        className={locked ? 'shell-content shell-content-locked' : 'shell-content'}
        inert={locked}
        aria-hidden={locked || undefined}
      >
        {everOpen ? content : null}
      </div>
      <IdleLock
        session={session}
        onLockedChange={onLockedChange}
        onSessionChange={onSessionChange}
        onSessionEnd={onSessionEnd}
        signingOut={signingOut}
        onSignOut={() => void signOut()}
      />
    </div>
  );
}
