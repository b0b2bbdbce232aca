import { formatWait, useTimeLeft } from '../lib/countdown';

/**
 * The wait after refused attempts, counting down each second (role="timer": read on request,
 * not announced every second), then one polite "You can try again now".
 */
export function RetryCountdown({ retryAt, what = 'Sign-in' }: { retryAt: number | null; what?: string }) {
  const left = useTimeLeft(retryAt);
  if (left === null) return null;
  return (
    <div className="retry-countdown">
      {left > 0 ? (
        <p role="timer" aria-live="off">{`${what} opens again in ${formatWait(left)}.`}</p>
      ) : (
        // A live region without role="status": the screen's own status region stays the only one.
        <p aria-live="polite">You can try again now.</p>
      )}
    </div>
  );
}

/** True while a wait is still running (the submit button waits too). */
export function useWaiting(retryAt: number | null): boolean {
  const left = useTimeLeft(retryAt);
  return left !== null && left > 0;
}
