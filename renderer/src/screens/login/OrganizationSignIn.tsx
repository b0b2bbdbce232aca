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
  /** The provider last used on this computer: listed first and marked. */
  lastProviderId?: string | undefined;
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
const LAST_USED_ID = 'sso-last-used';

/** Single sign-on: one button per configured provider, or find the provider from a work email. */
export function OrganizationSignIn({
  providers,
  localAccountsEnabled,
  sso,
  lastProviderId,
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

  /**
   * `switch-account`: the IdP asks who is signing in even while its session is valid, so that a
   * refused or wrong account can be changed without restarting Portico.
   */
  async function signInWith(provider: ProviderSummary, loginHint?: string, mode: 'sign-in' | 'switch-account' = 'sign-in') {
    onAttempt();
    clearMessages();
    const result = await sso.start(provider, mode, loginHint);
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

  // The provider last used first: the one most likely wanted again.
  const ordered = [...providers].sort((a, b) => Number(b.id === lastProviderId) - Number(a.id === lastProviderId));
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
        {ordered.map((provider) => (
          <li key={provider.id} className="provider-item">
            <button
              type="button"
              className="button button-primary button-block"
              disabled={locked}
              aria-describedby={provider.id === lastProviderId ? LAST_USED_ID : undefined}
              onClick={() => void signInWith(provider)}
            >
              {`Sign in with ${provider.displayName}`}
            </button>
            <div className="provider-extra">
              {provider.id === lastProviderId ? (
                <span id={LAST_USED_ID} className="provider-last-used">
                  Last used here
                </span>
              ) : null}
              <button
                type="button"
                className="link-button"
                disabled={locked}
                aria-label={`Use another account with ${provider.displayName}`}
                onClick={() => void signInWith(provider, undefined, 'switch-account')}
              >
                Use another account
              </button>
            </div>
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
