import { useState } from 'react';
import type { AppInfo, SessionSummary } from '../../../preload/contract';
import { CenteredCard } from '../components/CenteredCard';
import { StatusMessage } from '../components/StatusMessage';
import { createNotice, type Notice } from '../lib/notice';
import { useSsoAttempt } from '../lib/sso';
import { LocalSignInForm } from './login/LocalSignInForm';
import { OrganizationSignIn } from './login/OrganizationSignIn';
import { SignInSteps } from './login/SignInSteps';
import type { SignInStep } from './login/sign-in-steps';

interface LoginScreenProps {
  info: Pick<AppInfo, 'providers' | 'localAccountsEnabled' | 'lastSignIn' | 'passwordPolicy'>;
  /** Why the user is here, e.g. "You have signed out." or a session-expired message. */
  notice: Notice | null;
  onSignedIn: (session: SessionSummary) => void;
  /** Main has no accounts yet: go to the setup screen. */
  onSetupRequired: () => void;
}

type Method = 'sso' | 'local';

const LOCAL_HEADING_ID = 'local-heading';

/**
 * Sign-in: single sign-on with the configured providers, and/or a Portico (local) account,
 * as configured. One attempt at a time: while one runs, the other method's controls are
 * disabled, and only the method tried last shows its errors.
 */
export function LoginScreen({ info, notice, onSignedIn, onSetupRequired }: LoginScreenProps) {
  const sso = useSsoAttempt();
  const [localBusy, setLocalBusy] = useState(false);
  const [lastMethod, setLastMethod] = useState<Method | null>(null);
  // A local sign-in past its password, waiting for a code or a new password (held in main).
  const [pending, setPending] = useState<{ step: SignInStep; username: string } | null>(null);
  // Why the steps ended without a session (timed out), shown back on the sign-in form.
  const [stepNotice, setStepNotice] = useState<Notice | null>(null);
  const hasProviders = info.providers.length > 0;
  const ssoRunning = sso.attempt !== null;
  // How someone last signed in here (a username or a provider, never a password): filled in.
  const last = info.lastSignIn;
  const lastUsername = last?.method === 'local' ? last.username : undefined;
  const lastProviderId = last?.method === 'sso' ? last.providerId : undefined;

  const localForm = info.localAccountsEnabled ? (
    <LocalSignInForm
      disabled={ssoRunning}
      showErrors={lastMethod !== 'sso'}
      autoFocus={!hasProviders || lastUsername !== undefined}
      initialUsername={lastUsername}
      onAttempt={() => setLastMethod('local')}
      onBusyChange={setLocalBusy}
      onSignedIn={onSignedIn}
      onStep={(step, username) => {
        setStepNotice(null);
        setPending({ step, username });
      }}
      onSetupRequired={onSetupRequired}
    />
  ) : null;

  if (pending) {
    return (
      <CenteredCard>
        <SignInSteps
          step={pending.step}
          username={pending.username}
          minPasswordLength={info.passwordPolicy.minLength}
          onSignedIn={onSignedIn}
          onCancel={(message) => {
            setPending(null);
            setStepNotice(message ? createNotice(message) : null);
          }}
        />
      </CenteredCard>
    );
  }

  return (
    <CenteredCard>
      <h1>Sign in to Portico</h1>
      <StatusMessage notice={stepNotice ?? notice} />
      {hasProviders ? (
        <OrganizationSignIn
          providers={info.providers}
          localAccountsEnabled={info.localAccountsEnabled}
          sso={sso}
          lastProviderId={lastProviderId}
          disabled={localBusy}
          showErrors={lastMethod !== 'local'}
          onAttempt={() => setLastMethod('sso')}
          onSignedIn={onSignedIn}
        />
      ) : null}
      {hasProviders && localForm ? (
        <section aria-labelledby={LOCAL_HEADING_ID} className="login-section login-section-local">
          <h2 id={LOCAL_HEADING_ID} className="login-section-title">
            Sign in with a Portico account
          </h2>
          {localForm}
        </section>
      ) : (
        localForm
      )}
      {!hasProviders && !info.localAccountsEnabled ? (
        <div role="alert" className="alert">
          <p>No sign-in method is configured for Portico on this computer. Contact your IT department.</p>
        </div>
      ) : null}
    </CenteredCard>
  );
}
