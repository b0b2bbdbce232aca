import { useCallback, useRef, useState } from 'react';
import type { IpcResult, ProviderSummary, SessionSummary } from '../../../preload/contract';

/** A running single sign-on attempt: the user is at the IdP in a separate sign-in window. */
export interface SsoAttempt {
  providerName: string;
  /** Cancel was asked for; the attempt ends when main closes the window. */
  cancelling: boolean;
}

export interface SsoAttemptHandle {
  attempt: SsoAttempt | null;
  /**
   * Runs one attempt; resolves when the user finished (or gave up) at the IdP. `reauthenticate`
   * proves again who the signed-in user is, keeping the session (main refuses another user).
   */
  start: (
    provider: Pick<ProviderSummary, 'id' | 'displayName'>,
    mode?: 'sign-in' | 'reauthenticate',
    /** The typed work email, passed to the IdP as login_hint. */
    loginHint?: string,
  ) => Promise<IpcResult<SessionSummary>>;
  /** Closes the sign-in window; the pending `start` then resolves with SSO_CANCELLED. */
  cancel: () => Promise<IpcResult<null>>;
  /** Whether `cancel` was called during the latest attempt (not the user closing the window). */
  cancelledHere: () => boolean;
}

const ALREADY_RUNNING: IpcResult<SessionSummary> = {
  ok: false,
  code: 'SSO_IN_PROGRESS',
  message: 'A sign-in window is already open. Finish or close it first.',
};

/** Tracks one SSO attempt at a time (main allows no more). */
export function useSsoAttempt(): SsoAttemptHandle {
  const [attempt, setAttempt] = useState<SsoAttempt | null>(null);
  const running = useRef(false);
  const cancelCalled = useRef(false);

  const start = useCallback(
    async (
      provider: Pick<ProviderSummary, 'id' | 'displayName'>,
      mode: 'sign-in' | 'reauthenticate' = 'sign-in',
      loginHint?: string,
    ) => {
      if (running.current) return ALREADY_RUNNING;
      running.current = true;
      cancelCalled.current = false;
      setAttempt({ providerName: provider.displayName, cancelling: false });
      try {
        return mode === 'reauthenticate'
          ? await window.portico.reauthenticateSso()
          : await window.portico.startSso(loginHint ? { providerId: provider.id, loginHint } : { providerId: provider.id });
      } finally {
        running.current = false;
        setAttempt(null);
      }
    },
    [],
  );

  const cancel = useCallback(async () => {
    cancelCalled.current = true;
    setAttempt((current) => current && { ...current, cancelling: true });
    const result = await window.portico.cancelSso();
    if (!result.ok) setAttempt((current) => current && { ...current, cancelling: false });
    return result;
  }, []);

  const cancelledHere = useCallback(() => cancelCalled.current, []);

  return { attempt, start, cancel, cancelledHere };
}

/** What the status region says while the user is at the IdP. */
export function waitingMessage(providerName: string): string {
  return `Waiting for ${providerName}… Finish signing in in the window that opened.`;
}

/** The (lower-case) domain of a plausible email address, or null when it is not one. */
export function emailDomain(email: string): string | null {
  const match = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/.exec(email.trim());
  const domain = match?.[1]?.toLowerCase().replace(/\.$/, '');
  return domain || null;
}
