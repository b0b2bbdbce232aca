import { useEffect, useState } from 'react';

interface IdleWarningProps {
  /** The window's epoch ms when the lock comes (main's time, converted). */
  locksAt: number;
  onStay: () => void;
}

/**
 * The last minute before the idle lock: said once to screen readers (an alert), with a visible
 * countdown (a timer, not announced every second) and a way to stay. Any input in the window
 * counts as staying too; the button is there for whoever reads before they move.
 */
export function IdleWarning({ locksAt, onStay }: IdleWarningProps) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.ceil((locksAt - now) / 1000));
  return (
    <section className="idle-warning" aria-labelledby="idle-warning-title">
      <div role="alert">
        <p id="idle-warning-title" className="idle-warning-title">
          Portico is about to lock
        </p>
        <p className="idle-warning-text">Nothing happened in this window for a while. Your work stays as it is.</p>
      </div>
      <p className="idle-warning-count">
        <span role="timer">{`Locking in ${seconds} s`}</span>
      </p>
      <button type="button" className="button button-primary button-small" onClick={onStay}>
        Stay signed in
      </button>
    </section>
  );
}
