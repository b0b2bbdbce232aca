import { useCallback, useEffect, useState } from 'react';
import type { AccountSecurity, SessionSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { StatusMessage } from '../../components/StatusMessage';
import { createNotice, type Notice } from '../../lib/notice';
import { useFocusOnMount } from '../../lib/use-focus-on-mount';
import { useSessionLost } from '../../lib/use-session-lost';
import { ConfirmPasswordDialog } from '../admin/ConfirmPasswordDialog';
import { useRecentSignIn, type AdminCall } from '../admin/use-recent-sign-in';
import { ChangePasswordForm } from './ChangePasswordForm';
import { TwoStepSection } from './TwoStepSection';

interface AccountScreenProps {
  session: SessionSummary;
  onSessionChange: (session: SessionSummary) => void;
  onSessionEnd: (message: string) => void;
}

/** The signed-in local account's own sign-in settings: its password and two-step verification. */
export function AccountScreen({ session, onSessionChange, onSessionEnd }: AccountScreenProps) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const [security, setSecurity] = useState<AccountSecurity | null>(null);
  const [reloads, setReloads] = useState(0);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [error, setError] = useState<Notice | null>(null);
  const sessionLost = useSessionLost(onSessionEnd);
  const { withRecentSignIn, confirming, settle } = useRecentSignIn();

  const run: AdminCall = useCallback(
    (call) => {
      setNotice(null);
      setError(null);
      return withRecentSignIn(call);
    },
    [withRecentSignIn],
  );

  useEffect(() => {
    let cancelled = false;
    void window.portico.getAccountSecurity().then((result) => {
      if (cancelled) return;
      if (result.ok) setSecurity(result.value);
      else if (!sessionLost(result)) setError(createNotice(result.message));
    });
    return () => {
      cancelled = true;
    };
  }, [reloads, sessionLost]);

  const changed = (message: string) => {
    setError(null);
    setNotice(createNotice(message));
    setReloads((count) => count + 1);
  };

  return (
    <main className="page account-page">
      <h2 ref={headingRef} tabIndex={-1} className="page-title">
        Account
      </h2>
      <p className="lead">{`Signed in as ${session.user.displayName} (${session.user.username}), a Portico account.`}</p>
      <StatusMessage notice={notice} />
      {error ? <AlertMessage key={error.id} message={error.text} takeFocus={false} /> : null}
      <div className="account-grid">
        <section className="panel">
          {security ? (
            <ChangePasswordForm
              minPasswordLength={security.passwordPolicy.minLength}
              onChanged={(next) => {
                onSessionChange(next);
                changed('Your password was changed. Use the new one from now on.');
              }}
              sessionLost={sessionLost}
            />
          ) : (
            <p className="muted">Loading…</p>
          )}
        </section>
        <div className="panel">
          {security ? (
            <TwoStepSection
              security={security}
              run={run}
              onChanged={changed}
              onError={(message) => setError(createNotice(message))}
              onSessionChange={onSessionChange}
              sessionLost={sessionLost}
            />
          ) : (
            <p className="muted">Loading…</p>
          )}
        </div>
      </div>
      <ConfirmPasswordDialog
        open={confirming}
        session={session}
        reason="For your security, enter your password again before changing how you sign in."
        onDone={(confirmed, message) => {
          if (message) setError(createNotice(message));
          settle(confirmed);
        }}
        onSessionChange={onSessionChange}
        sessionLost={sessionLost}
      />
    </main>
  );
}
