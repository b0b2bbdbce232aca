import { useState } from 'react';
import type { AccountSecurity, IpcError, SecondFactorEnrolled, SessionSummary } from '../../../../preload/contract';
import { RecoveryCodes } from '../../components/RecoveryCodes';
import { SecondFactorSetup } from '../../components/SecondFactorSetup';
import type { AdminCall } from '../admin/use-recent-sign-in';

interface TwoStepSectionProps {
  security: AccountSecurity;
  /** Runs a call that may need a recent sign-in (the password confirmed first). */
  run: AdminCall;
  onChanged: (message: string) => void;
  onError: (message: string) => void;
  onSessionChange: (session: SessionSummary) => void;
  sessionLost: (error: IpcError) => boolean;
}

type Mode = { kind: 'view' } | { kind: 'setup' } | { kind: 'codes'; codes: string[]; message: string };

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** Two-step verification of one's own account: set up, replace the app, new recovery codes, turn off. */
export function TwoStepSection({ security, run, onChanged, onError, onSessionChange, sessionLost }: TwoStepSectionProps) {
  const [mode, setMode] = useState<Mode>({ kind: 'view' });
  const [busy, setBusy] = useState(false);
  const factor = security.secondFactor;

  function failed(error: IpcError) {
    if (!sessionLost(error)) onError(error.message);
  }

  async function renewCodes() {
    if (busy) return;
    setBusy(true);
    const result = await run(() => window.portico.newRecoveryCodes());
    setBusy(false);
    if (!result) return;
    if (result.ok)
      setMode({ kind: 'codes', codes: result.value, message: 'New recovery codes made: the old ones no longer work.' });
    else failed(result);
  }

  async function turnOff() {
    if (busy) return;
    setBusy(true);
    const result = await run(() => window.portico.removeSecondFactor());
    setBusy(false);
    if (!result) return;
    if (result.ok) onChanged('Two-step verification is off. Signing in now needs your password only.');
    else failed(result);
  }

  if (mode.kind === 'setup') {
    return (
      <section className="account-section" aria-labelledby="two-step-title">
        <h3 id="two-step-title">{factor ? 'Set up a new authenticator app' : 'Set up two-step verification'}</h3>
        {factor ? (
          <p className="muted">Once the new app is set up, the old one’s codes and your old recovery codes stop working.</p>
        ) : null}
        <SecondFactorSetup
          // The set-up needs a recent sign-in: the password dialog comes first when it is too old.
          begin={async () => (await run(() => window.portico.beginSecondFactorEnrolment())) ?? cancelled()}
          confirm={(code) => window.portico.confirmSecondFactorEnrolment({ code })}
          onEnrolled={(done: SecondFactorEnrolled) => {
            onSessionChange(done.session);
            setMode({ kind: 'codes', codes: done.recoveryCodes, message: 'Two-step verification is on.' });
          }}
          onStop={(error) => {
            setMode({ kind: 'view' });
            if (error && error.code !== 'SSO_CANCELLED') failed(error);
          }}
        />
      </section>
    );
  }
  if (mode.kind === 'codes') {
    return (
      <section className="account-section">
        <RecoveryCodes
          codes={mode.codes}
          continueLabel="Done"
          onContinue={() => {
            setMode({ kind: 'view' });
            onChanged(mode.message);
          }}
        />
      </section>
    );
  }
  return (
    <section className="account-section" aria-labelledby="two-step-title">
      <h3 id="two-step-title">Two-step verification</h3>
      {factor ? (
        <>
          <p>
            <span className="badge badge-active">On</span>{' '}
            {`Since ${dateFormat.format(factor.enrolledAt)}. Signing in asks for a code from your authenticator app.`}
          </p>
          <p className={factor.recoveryCodesLeft <= 2 ? 'field-warning' : 'muted'}>
            {`${factor.recoveryCodesLeft} of 10 recovery codes left.`}
          </p>
        </>
      ) : (
        <p>
          {security.secondFactorRequired
            ? 'Your organization requires it for this account: you will set it up at your next sign-in, or now.'
            : 'Off. Add a code from an authenticator app on your phone to each sign-in, so that a password alone is not enough.'}
        </p>
      )}
      <div className="button-row">
        <button type="button" className="button button-primary" onClick={() => setMode({ kind: 'setup' })}>
          {factor ? 'Set up a new authenticator app' : 'Set up two-step verification'}
        </button>
        {factor ? (
          <button
            type="button"
            className="button button-secondary"
            aria-disabled={busy || undefined}
            onClick={() => void renewCodes()}
          >
            New recovery codes
          </button>
        ) : null}
        {factor && !security.secondFactorRequired ? (
          <button
            type="button"
            className="button button-secondary"
            aria-disabled={busy || undefined}
            onClick={() => void turnOff()}
          >
            Turn off
          </button>
        ) : null}
      </div>
      {factor && security.secondFactorRequired ? (
        <p className="muted">
          Your organization’s policy requires two-step verification for this account: it cannot be turned off.
        </p>
      ) : null}
    </section>
  );
}

/** The person cancelled the password confirmation: the set-up closes without a message. */
function cancelled(): { ok: false; code: 'SSO_CANCELLED'; message: string } {
  return { ok: false, code: 'SSO_CANCELLED', message: '' };
}
