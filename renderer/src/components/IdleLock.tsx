import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { SessionSummary } from '../../../preload/contract';
import { IdleLockState, SYNC_MS } from '../lib/idle-lock';
import { LockScreen } from '../screens/LockScreen';
import { IdleWarning } from './IdleWarning';

interface IdleLockProps {
  session: SessionSummary;
  /** Tells the shell to hide and disable what is underneath (or show it again). */
  onLockedChange: (locked: boolean) => void;
  onSessionChange: (session: SessionSummary) => void;
  onSessionEnd: (message: string) => void;
  signingOut: boolean;
  onSignOut: () => void;
}

/** Keyboard and pointer input: a person reading a chart with the mouse moving is not idle. */
const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/**
 * The idle lock in the window (state in ../lib/idle-lock.ts): reports input to main, shows the
 * warning in the last minute and the lock screen once main has locked the session. Kept apart from
 * the shell so that its timers re-render only this, never the data view.
 */
export function IdleLock({ session, onLockedChange, onSessionChange, onSessionEnd, signingOut, onSignOut }: IdleLockProps) {
  const [state] = useState(() => new IdleLockState(window.portico, session));
  const view = useSyncExternalStore(state.subscribe, state.view);

  useEffect(() => state.whenSessionEnds(onSessionEnd), [state, onSessionEnd]);
  // A new summary from main (unlock, password confirmed, roles refreshed) starts the count again.
  useEffect(() => state.accept(session), [state, session]);
  useEffect(() => onLockedChange(view.view === 'locked'), [view.view, onLockedChange]);

  useEffect(() => {
    state.start();
    // Main decides when a session locks or ends: the window asks now and then, and on return.
    const poll = setInterval(() => void state.sync(), SYNC_MS);
    const onReturn = () => {
      if (document.visibilityState === 'visible') void state.sync();
    };
    const onInput = () => state.input();
    window.addEventListener('focus', onReturn);
    document.addEventListener('visibilitychange', onReturn);
    for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, { capture: true, passive: true });
    return () => {
      state.stop();
      clearInterval(poll);
      window.removeEventListener('focus', onReturn);
      document.removeEventListener('visibilitychange', onReturn);
      for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput, { capture: true });
    };
  }, [state]);

  const unlocked = useCallback(
    (next: SessionSummary) => {
      state.accept(next);
      onSessionChange(next);
    },
    [state, onSessionChange],
  );

  if (view.view === 'locked') {
    return (
      <LockScreen
        session={session}
        onUnlocked={unlocked}
        onSessionEnd={onSessionEnd}
        signingOut={signingOut}
        onSignOut={onSignOut}
      />
    );
  }
  if (view.view === 'warning') return <IdleWarning locksAt={view.locksAt} onStay={() => void state.stay()} />;
  return null;
}
