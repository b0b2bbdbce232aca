import { useRef, useState, type FormEvent } from 'react';
import type { ProviderSummary, SessionSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { FormField } from '../../components/FormField';
import { SsoWaiting } from '../../components/SsoWaiting';
import { createNotice, type Notice } from '../../lib/notice';
import { emailDomain, type SsoAttemptHandle } from '../../lib/sso';

interface OrganizationSignInProps {
  providers: ProviderSummary[];
  localAccountsEnabled: boolean;
  sso: SsoAttemptHandle;
  /** A local sign-in is running: every control is disabled. */
  disabled: boolean;
  /** Whether this section's last error is still the current one (another method was tried since). */
  showErrors: boolean;
  onAttempt: () => void;
  onSignedIn: (session: SessionSummary) => void;
}

const HEADING_ID = 'sso-heading';
const EMAIL_ALERT_ID = 'sso-email-error';
const EMAIL_REQUIRED = 'Enter your work email address.';

/** Single sign-on: one button per configured provider, or find the provider from a work email. */
export function OrganizationSignIn({
  providers,
  localAccountsEnabled,
  sso,
  disabled,
  showErrors,
  onAttempt,
  onSignedIn,
}: OrganizationSignInProps) {
  const emailInput = useRef<HTMLInputElement>(null);
  const [email, setEmail] = useState('');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [emailAlert, setEmailAlert] = useState<Notice | null>(null);
  const [ssoAlert, setSsoAlert] = useState<Notice | null>(null);
  const [discovering, setDiscovering] = useState(false);
  const running = sso.attempt !== null;
  const locked = disabled || running;

  function clearMessages() {
    setEmailError(null);
    setEmailAlert(null);
    setSsoAlert(null);
  }

  async function signInWith(provider: ProviderSummary, loginHint?: string) {
    onAttempt();
    clearMessages();
    const result = await sso.start(provider, 'sign-in', loginHint);
    if (result.ok) {
      onSignedIn(result.value);
      return;
    }
    setSsoAlert(createNotice(result.message));
  }

  async function cancel() {
    const result = await sso.cancel();
    if (!result.ok) setSsoAlert(createNotice(result.message));
  }

  async function submitEmail(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (locked || discovering) return;
    onAttempt();
    clearMessages();
    const domain = emailDomain(email);
    if (!domain) {
      setEmailError(EMAIL_REQUIRED);
      emailInput.current?.focus();
      return;
    }
    setDiscovering(true);
    const result = await window.portico.discoverProvider({ email: email.trim() });
    setDiscovering(false);
    if (!result.ok) {
      setEmailAlert(createNotice(result.message));
      return;
    }
    if (!result.value) {
      const next = localAccountsEnabled ? ' Check the address, or sign in with a Portico account below.' : ' Check the address.';
      setEmailAlert(createNotice(`No single sign-on is set up for ${domain}.${next}`));
      return;
    }
    await signInWith(result.value, email.trim());
  }

  const shownEmailError = showErrors ? emailError : null;
  const shownEmailAlert = showErrors ? emailAlert : null;
  const shownSsoAlert = showErrors ? ssoAlert : null;
  return (
    <section aria-labelledby={HEADING_ID} className="login-section">
      <h2 id={HEADING_ID} className="login-section-title">
        Sign in with your organization
      </h2>
      {shownSsoAlert ? <AlertMessage key={shownSsoAlert.id} message={shownSsoAlert.text} /> : null}
      <SsoWaiting attempt={sso.attempt} onCancel={() => void cancel()} />
      <ul className="provider-list">
        {providers.map((provider) => (
          <li key={provider.id}>
            <button
              type="button"
              className="button button-primary button-block"
              disabled={locked}
              onClick={() => void signInWith(provider)}
            >
              {`Sign in with ${provider.displayName}`}
            </button>
          </li>
        ))}
      </ul>
      <form className="form email-form" noValidate aria-busy={discovering} onSubmit={(event) => void submitEmail(event)}>
        {shownEmailAlert ? <AlertMessage key={shownEmailAlert.id} id={EMAIL_ALERT_ID} message={shownEmailAlert.text} /> : null}
        <FormField
          id="sso-email"
          inputRef={emailInput}
          label="Work email"
          hint="Portico finds your organization's sign-in from the address."
          type="email"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          disabled={locked}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          problem={shownEmailError ? { text: shownEmailError } : undefined}
        />
        <button
          type="submit"
          className="button button-secondary button-block"
          disabled={locked}
          aria-disabled={discovering || undefined}
        >
          Continue
        </button>
      </form>
    </section>
  );
}
