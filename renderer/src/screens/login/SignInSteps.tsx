import { useState, type FormEvent } from 'react';
import type { IpcError, IpcResult, SecondFactorEnrolled, SessionSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';
import { PasswordField } from '../../components/PasswordField';
import { PasswordRules } from '../../components/PasswordRules';
import { RecoveryCodes } from '../../components/RecoveryCodes';
import { RetryCountdown, useWaiting } from '../../components/RetryCountdown';
import { SecondFactorSetup } from '../../components/SecondFactorSetup';
import { fieldProblem, formFailure, type FormFailure } from '../../lib/api-errors';
import { retryAtOf } from '../../lib/countdown';
import { useFocusOnMount } from '../../lib/use-focus-on-mount';
import { stepOf, type SignInStep } from './sign-in-steps';
import { newPasswordFailure } from './new-password';

interface SignInStepsProps {
  step: SignInStep;
  username: string;
  minPasswordLength: number;
  onSignedIn: (session: SessionSummary) => void;
  /** Back to the password form: cancelled (null), or with why (the pending sign-in ended). */
  onCancel: (message: string | null) => void;
}

/**
 * The steps of a local sign-in after its password, one at a time, as main asks for them: the
 * second factor, a new password in place of a temporary one, setting up two-step verification.
 * No session exists meanwhile; each answer is the session or the next step.
 */
export function SignInSteps({ step: first, username, minPasswordLength, onSignedIn, onCancel }: SignInStepsProps) {
  const [step, setStep] = useState<SignInStep>(first);

  /** An answer from any step: the session, the next step, or an error for the step's own form (returned). */
  function settle<T>(result: IpcResult<T>, signedIn: (value: T) => void): IpcError | null {
    if (result.ok) {
      signedIn(result.value);
      return null;
    }
    const next = stepOf(result.code);
    if (next) {
      setStep(next);
      return null;
    }
    // The pending sign-in is gone (timed out, another sign-in) or the account was disabled meanwhile.
    if (result.code === 'NOT_SIGNED_IN' || result.code === 'ACCOUNT_DISABLED' || result.code === 'SESSION_LOCKED') {
      onCancel(result.message);
      return null;
    }
    return result;
  }

  async function cancel() {
    await window.portico.cancelSignIn();
    onCancel(null);
  }

  switch (step) {
    case 'second-factor':
      return <SecondFactorStep key={step} settle={settle} onSignedIn={onSignedIn} onCancel={() => void cancel()} />;
    case 'change-password':
      return (
        <NewPasswordStep
          key={step}
          username={username}
          minPasswordLength={minPasswordLength}
          settle={settle}
          onSignedIn={onSignedIn}
          onCancel={() => void cancel()}
        />
      );
    case 'enrol-second-factor':
      return <EnrolStep key={step} settle={settle} onSignedIn={onSignedIn} onCancel={() => void cancel()} />;
  }
}

type Settle = <T>(result: IpcResult<T>, signedIn: (value: T) => void) => IpcError | null;

interface StepProps {
  settle: Settle;
  onSignedIn: (session: SessionSummary) => void;
  onCancel: () => void;
}

function StepHeading({ children }: { children: string }) {
  const ref = useFocusOnMount<HTMLHeadingElement>();
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

const CODE_ALERT = 'second-factor-error';

function SecondFactorStep({ settle, onSignedIn, onCancel }: StepProps) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const retryAt = retryAtOf(error);
  const waiting = useWaiting(retryAt);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy || waiting) return;
    if (!code.trim()) {
      const message = 'Enter the 6-digit code from your authenticator app, or a recovery code.';
      setFailure({ attempt: (failure?.attempt ?? 0) + 1, message, fields: { code: message } });
      return;
    }
    setBusy(true);
    const result = await window.portico.verifySecondFactor({ code });
    setBusy(false);
    const refused = settle(result, onSignedIn);
    if (!refused) return;
    setCode('');
    setError(refused);
    setFailure(formFailure(refused, failure));
  }

  return (
    <>
      <StepHeading>Two-step verification</StepHeading>
      <p className="intro">Open the authenticator app on your phone and enter the 6-digit code it shows for Portico.</p>
      <form className="form" noValidate aria-busy={busy} onSubmit={(event) => void submit(event)}>
        {failure ? <AlertMessage key={failure.attempt} id={CODE_ALERT} message={failure.message} /> : null}
        <RetryCountdown retryAt={retryAt} />
        <FormField
          id="second-factor-code"
          label="Code"
          hint="No phone? Enter one of your recovery codes (like abcd-efgh-jkmn) instead."
          inputMode="text"
          autoComplete="one-time-code"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={32}
          autoFocus
          value={code}
          onChange={(event) => setCode(event.target.value)}
          problem={fieldProblem(failure, 'code', CODE_ALERT)}
        />
        <button type="submit" className="button button-primary button-block" disabled={busy || waiting}>
          {busy ? 'Checking…' : 'Verify'}
        </button>
        <button type="button" className="button button-secondary button-block" onClick={onCancel}>
          Cancel
        </button>
      </form>
    </>
  );
}

const PASSWORD_ALERT = 'new-password-error';

function NewPasswordStep({
  username,
  minPasswordLength,
  settle,
  onSignedIn,
  onCancel,
}: StepProps & { username: string; minPasswordLength: number }) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const local = newPasswordFailure({ newPassword: password, confirm }, minPasswordLength, failure);
    if (local) {
      setFailure(local);
      return;
    }
    setBusy(true);
    const result = await window.portico.setNewPassword({ newPassword: password });
    setBusy(false);
    const refused = settle(result, onSignedIn);
    if (!refused) return;
    setFailure(formFailure(refused, failure));
  }

  return (
    <>
      <StepHeading>Choose a new password</StepHeading>
      <p className="intro">
        {`Your administrator reset the password of ${username}. It was temporary: choose your own to finish signing in.`}
      </p>
      <form className="form" noValidate aria-busy={busy} onSubmit={(event) => void submit(event)}>
        {failure ? <AlertMessage key={failure.attempt} id={PASSWORD_ALERT} message={failure.message} /> : null}
        <PasswordRules id="new-password-rules" minLength={minPasswordLength} password={password} />
        <PasswordField
          id="new-password"
          label="New password"
          autoComplete="new-password"
          autoFocus
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          problem={fieldProblem(failure, 'newPassword', PASSWORD_ALERT)}
        />
        <PasswordField
          id="new-password-confirm"
          label="Type it again"
          autoComplete="new-password"
          value={confirm}
          onChange={(event) => setConfirm(event.target.value)}
          problem={fieldProblem(failure, 'confirm', PASSWORD_ALERT)}
        />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Saving…' : 'Save password and continue'}
        </button>
        <button type="button" className="button button-secondary button-block" onClick={onCancel}>
          Cancel
        </button>
      </form>
    </>
  );
}

function EnrolStep({ settle, onSignedIn, onCancel }: StepProps) {
  const [enrolled, setEnrolled] = useState<SecondFactorEnrolled | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (enrolled) {
    return (
      <RecoveryCodes
        heading="h1"
        codes={enrolled.recoveryCodes}
        continueLabel="Continue to Portico"
        onContinue={() => onSignedIn(enrolled.session)}
      />
    );
  }
  return (
    <>
      <StepHeading>Set up two-step verification</StepHeading>
      <p className="intro">
        Your organization requires a second step for this account: a code from an authenticator app on your phone, each time you
        sign in.
      </p>
      {error ? <AlertMessage message={error} /> : null}
      <SecondFactorSetup
        begin={() => window.portico.beginSignInSecondFactorEnrolment()}
        confirm={(code) => window.portico.confirmSignInSecondFactorEnrolment({ code })}
        // The session starts with the answer; the codes are shown before the app opens.
        onEnrolled={setEnrolled}
        onStop={(stopped) => {
          if (!stopped) {
            onCancel();
            return;
          }
          const refused = settle(stopped, () => undefined);
          if (refused) setError(refused.message);
        }}
      />
    </>
  );
}
