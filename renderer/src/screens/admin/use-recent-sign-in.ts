import { useCallback, useRef, useState } from 'react';
import type { IpcResult } from '../../../../preload/contract';

/**
 * Admin actions need a recent sign-in: main answers RECENT_SIGN_IN_REQUIRED when the
 * password was last proved too long ago. `withRecentSignIn` runs a call, and on that answer
 * asks for the password (the caller renders the dialog while `confirming`) and runs the
 * call once more. It resolves to null when the user cancels.
 */
/** Runs an admin call, asking for the password first if main needs it; null if cancelled. */
export type AdminCall = <T>(call: () => Promise<IpcResult<T>>) => Promise<IpcResult<T> | null>;

export function useRecentSignIn() {
  const waiting = useRef<Array<(confirmed: boolean) => void>>([]);
  const [confirming, setConfirming] = useState(false);

  const withRecentSignIn: AdminCall = useCallback(async <T>(call: () => Promise<IpcResult<T>>): Promise<IpcResult<T> | null> => {
    const first = await call();
    if (first.ok || first.code !== 'RECENT_SIGN_IN_REQUIRED') return first;
    const confirmed = await new Promise<boolean>((resolve) => {
      waiting.current.push(resolve);
      setConfirming(true);
    });
    return confirmed ? call() : null;
  }, []);

  const settle = useCallback((confirmed: boolean) => {
    const resolvers = waiting.current;
    waiting.current = [];
    setConfirming(false);
    for (const resolve of resolvers) resolve(confirmed);
  }, []);

  return { withRecentSignIn, confirming, settle };
}
