import { useCallback, useEffect, useState } from 'react';
import type { SessionSummary, UserRecordSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { StatusMessage } from '../../components/StatusMessage';
import { useSessionLost } from '../../lib/use-session-lost';
import { createNotice, type Notice } from '../../lib/notice';
import { useFocusOnMount } from '../../lib/use-focus-on-mount';
import { ConfirmPasswordDialog } from './ConfirmPasswordDialog';
import { CreateUserForm } from './CreateUserForm';
import { useRecentSignIn, type AdminCall } from './use-recent-sign-in';
import { UsersTable } from './UsersTable';
import { SsoPeopleSection } from './SsoPeopleSection';
import type { OpenPanel } from './UserRow';

interface AdminUsersScreenProps {
  /** The current session: decides how a recent sign-in is proved (password or IdP). */
  session: SessionSummary;
  minPasswordLength: number;
  onSessionChange: (session: SessionSummary) => void;
  onSessionEnd: (message: string) => void;
}

interface PageError {
  id: number;
  message: string;
}

/** User management for holders of `admin.users`: list, create, disable/enable, reset password. */
export function AdminUsersScreen({ session, minPasswordLength, onSessionChange, onSessionEnd }: AdminUsersScreenProps) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const [users, setUsers] = useState<UserRecordSummary[] | null>(null);
  const [reloads, setReloads] = useState(0);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [pageError, setPageError] = useState<PageError | null>(null);
  const [busyUserId, setBusyUserId] = useState<string | null>(null);
  const [panel, setPanel] = useState<OpenPanel | null>(null);
  const { withRecentSignIn, confirming, settle } = useRecentSignIn();

  /** Every admin action: earlier messages go, so only the new outcome is on screen. */
  const run: AdminCall = useCallback(
    (call) => {
      setNotice(null);
      setPageError(null);
      return withRecentSignIn(call);
    },
    [withRecentSignIn],
  );

  /** Handles a failed call: true when the session is gone and the screen is leaving. */
  const sessionLost = useSessionLost(onSessionEnd);

  useEffect(() => {
    let cancelled = false;
    void window.portico.listUsers().then((result) => {
      if (cancelled) return;
      if (result.ok) setUsers(result.value);
      else if (!sessionLost(result)) setPageError({ id: Date.now(), message: result.message });
    });
    return () => {
      cancelled = true;
    };
  }, [reloads, sessionLost]);

  const showError = useCallback((message: string) => setPageError({ id: Date.now(), message }), []);

  function succeeded(message: string) {
    setPageError(null);
    setNotice(createNotice(message));
    setReloads((count) => count + 1);
  }

  async function toggleDisabled(user: UserRecordSummary) {
    if (busyUserId) return;
    setBusyUserId(user.id);
    const disabled = !user.disabled;
    const result = await run(() => window.portico.setUserDisabled({ userId: user.id, disabled }));
    setBusyUserId(null);
    if (!result) return;
    if (result.ok) succeeded(`${result.value.username} ${disabled ? 'disabled' : 'enabled'}.`);
    else if (!sessionLost(result)) setPageError({ id: Date.now(), message: result.message });
  }

  return (
    <main className="page">
      <h2 ref={headingRef} tabIndex={-1} className="page-title">
        Users
      </h2>
      <p className="lead">Create accounts, change their roles and groups, disable or enable them, and reset passwords.</p>
      <StatusMessage notice={notice} />
      {pageError ? <AlertMessage key={pageError.id} message={pageError.message} takeFocus={false} /> : null}
      <UsersTable
        users={users}
        busyUserId={busyUserId}
        panel={panel}
        minPasswordLength={minPasswordLength}
        onToggleDisabled={(user) => void toggleDisabled(user)}
        onTogglePanel={setPanel}
        onPasswordReset={(user) => {
          setPanel(null);
          succeeded(`Password for ${user.username} reset. It is temporary: they choose their own at their next sign-in.`);
        }}
        onSecondFactorReset={(user) => {
          setPanel(null);
          succeeded(`Two-step verification for ${user.username} reset.`);
        }}
        onAccessChanged={(user) => {
          setPanel(null);
          succeeded(`Access for ${user.username} saved: ${user.roles.join(', ')}.`);
        }}
        run={run}
        sessionLost={sessionLost}
      />
      <CreateUserForm
        minPasswordLength={minPasswordLength}
        onCreated={(user) => succeeded(`User ${user.username} created.`)}
        run={run}
        sessionLost={sessionLost}
      />
      <SsoPeopleSection
        run={run}
        sessionLost={sessionLost}
        onDone={(message) => setNotice(createNotice(message))}
        onError={showError}
      />
      <ConfirmPasswordDialog
        open={confirming}
        session={session}
        onDone={(confirmed, message) => {
          if (message) setPageError({ id: Date.now(), message });
          settle(confirmed);
        }}
        onSessionChange={onSessionChange}
        sessionLost={sessionLost}
      />
    </main>
  );
}
