import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { IpcResult, SessionSummary } from '../../../preload/contract';
import { AlertMessage } from '../components/AlertMessage';
import { FormField } from '../components/FormField';
import { SsoWaiting } from '../components/SsoWaiting';
import { fieldProblem, formFailure, type FormFailure } from '../lib/api-errors';
import { useSsoAttempt } from '../lib/sso';

interface LockScreenProps {
  session: SessionSummary;
  /** Unlocked: main's fresh summary. */
  onUnlocked: (session: SessionSummary) => void;
  /** The session ended meanwhile (expired, disabled): back to sign-in with main's message. */
  onSessionEnd: (message: string) => void;
  signingOut: boolean;
  onSignOut: () => void;
}

const ALERT_ID = 'unlock-error';
/** Answers after which there is nothing left to unlock. */
const ENDED = new Set(['SESSION_EXPIRED', 'NOT_SIGNED_IN', 'ACCOUNT_DISABLED']);

/**
 * Covers the window while the session is locked; what the person was doing stays underneath,
 * out of sight and out of reach (inert). Only the same person unlocks: with their password, or by
 * signing in again at their identity provider. Anyone else signs out first.
 */
export function LockScreen({ session, onUnlocked, onSessionEnd, signingOut, onSignOut }: LockScreenProps) {
  const { user } = session;
  const local = user.provider === 'local';
  const heading = useRef<HTMLHeadingElement>(null);
  const sso = useSsoAttempt();
  const [password, setPassword] = useState('');
  // With two-step verification: after a right password, the code (the password is sent again with it).
  const [code, setCode] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);

  useEffect(() => {
    // Local accounts type their password at once; SSO users land on the heading.
    if (local) document.getElementById('unlock-password')?.focus();
    else heading.current?.focus();
  }, [local]);

  function settle(result: IpcResult<SessionSummary>) {
    if (result.ok) {
      onUnlocked(result.value);
      return;
    }
    if (ENDED.has(result.code)) {
      onSessionEnd(result.message);
      return;
    }
    if (result.code !== 'SSO_CANCELLED') setFailure((previous) => formFailure(result, previous));
  }

  async function unlockWithPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await window.portico.unlock(code === null ? { password } : { password, code });
    setBusy(false);
    if (!result.ok && result.code === 'SECOND_FACTOR_REQUIRED') {
      // The password was right: the code is asked for, as at sign-in.
      setFailure(null);
      setCode('');
      return;
    }
    if (!result.ok && result.code === 'SECOND_FACTOR_INVALID') {
      setCode('');
      settle(result);
      return;
    }
    setPassword('');
    setCode(null);
    settle(result);
  }

  async function unlockWithSso() {
    setFailure(null);
    const provider = { id: user.providerId ?? '', displayName: user.providerName ?? 'your identity provider' };
    settle(await sso.start(provider, 'unlock'));
  }

  const via = local ? '' : ` with ${user.providerName ?? 'your identity provider'}`;
  return (
    <div className="lock-screen" role="dialog" aria-modal="true" aria-labelledby="lock-title" aria-describedby="lock-who">
      <div className="card lock-card">
        <p className="wordmark" aria-hidden="true">
          Portico
        </p>
        <h1 id="lock-title" ref={heading} tabIndex={-1}>
          Portico is locked
        </h1>
        <p id="lock-who" className="lock-who">
          {`Locked for ${user.displayName} (${user.username}${via}). Your work is kept as you left it.`}
        </p>
        {failure ? <AlertMessage key={failure.attempt} id={ALERT_ID} message={failure.message} /> : null}
        {local ? (
          <form className="form" noValidate aria-busy={busy} onSubmit={(event) => void unlockWithPassword(event)}>
            {code === null ? (
              <FormField
                id="unlock-password"
                label="Password"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                problem={fieldProblem(failure, 'password', ALERT_ID)}
              />
            ) : (
              <FormField
                id="unlock-code"
                label="Code"
                hint="The 6-digit code from your authenticator app, or one of your recovery codes."
                autoComplete="one-time-code"
                autoFocus
                spellCheck={false}
                value={code}
                onChange={(event) => setCode(event.target.value)}
                problem={fieldProblem(failure, 'code', ALERT_ID)}
              />
            )}
            <button type="submit" className="button button-primary button-block" disabled={busy || signingOut}>
              {busy ? 'Unlocking…' : 'Unlock'}
            </button>
          </form>
        ) : (
          <>
            <SsoWaiting attempt={sso.attempt} onCancel={() => void sso.cancel()} />
            <button
              type="button"
              className="button button-primary button-block"
              disabled={sso.attempt !== null || signingOut}
              onClick={() => void unlockWithSso()}
            >
              {`Unlock with ${user.providerName ?? 'your identity provider'}`}
            </button>
          </>
        )}
        <div className="lock-other">
          <p className="muted">{`Not ${user.displayName}? Sign out first, then sign in as yourself.`}</p>
          <button
            type="button"
            className="button button-secondary button-block"
            disabled={signingOut || busy || sso.attempt !== null}
            onClick={onSignOut}
          >
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </div>
    </div>
  );
}
