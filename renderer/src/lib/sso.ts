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
   * proves again who the signed-in user is, keeping the session (main refuses another user);
   * `unlock` does so to open a locked session; `switch-account` signs in with the IdP asking who,
   * even while its own session is valid ("Use another account").
   */
  start: (
    provider: Pick<ProviderSummary, 'id' | 'displayName'>,
    mode?: SsoMode,
    /** The typed work email, passed to the IdP as login_hint. */
    loginHint?: string,
  ) => Promise<IpcResult<SessionSummary>>;
  /** Closes the sign-in window; the pending `start` then resolves with SSO_CANCELLED. */
  cancel: () => Promise<IpcResult<null>>;
  /** Whether `cancel` was called during the latest attempt (not the user closing the window). */
  cancelledHere: () => boolean;
}

export type SsoMode = 'sign-in' | 'switch-account' | 'reauthenticate' | 'unlock';

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
    async (provider: Pick<ProviderSummary, 'id' | 'displayName'>, mode: SsoMode = 'sign-in', loginHint?: string) => {
      if (running.current) return ALREADY_RUNNING;
      running.current = true;
      cancelCalled.current = false;
      setAttempt({ providerName: provider.displayName, cancelling: false });
      try {
        if (mode === 'reauthenticate') return await window.portico.reauthenticateSso();
        if (mode === 'unlock') return await window.portico.unlockWithSso();
        return await window.portico.startSso({
          providerId: provider.id,
          ...(loginHint ? { loginHint } : {}),
          ...(mode === 'switch-account' ? { switchAccount: true } : {}),
        });
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
