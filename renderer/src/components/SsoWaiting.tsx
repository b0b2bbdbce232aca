import { useEffect, useRef } from 'react';
import { waitingMessage, type SsoAttempt } from '../lib/sso';

interface SsoWaitingProps {
  attempt: SsoAttempt | null;
  onCancel: () => void;
}

/**
 * While the user is at the IdP: a polite live region saying so, and a way to give up. The
 * region is always rendered (announced when it fills); the Cancel button takes focus when it
 * appears, because the control that started the attempt is disabled meanwhile.
 */
export function SsoWaiting({ attempt, onCancel }: SsoWaitingProps) {
  const cancelButton = useRef<HTMLButtonElement>(null);
  const waiting = attempt !== null;
  useEffect(() => {
    if (waiting) cancelButton.current?.focus();
  }, [waiting]);
  return (
    <div className={waiting ? 'sso-waiting' : 'sso-waiting-idle'}>
      <div role="status" className="status-region">
        {attempt ? <p className="sso-waiting-text">{waitingMessage(attempt.providerName)}</p> : null}
      </div>
      {attempt ? (
        <button
          ref={cancelButton}
          type="button"
          className="button button-secondary button-small"
          aria-disabled={attempt.cancelling || undefined}
          onClick={() => {
            if (!attempt.cancelling) onCancel();
          }}
        >
          Cancel sign-in
        </button>
      ) : null}
    </div>
  );
}
