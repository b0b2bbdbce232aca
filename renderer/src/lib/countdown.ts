/**
 * Waiting after refused sign-in attempts: main answers THROTTLED or ACCOUNT_LOCKED with
 * `retryAt`, and the window counts down to it. Pure helpers and a hook that ticks each second
 * while a wait runs.
 */
import { useEffect, useState } from 'react';
import type { IpcError } from '../../../preload/contract';

/** "42 seconds", "1 second", "14:05" (minutes and seconds from one minute on). */
export function formatWait(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

/** When a refused attempt may be tried again, if the answer says (THROTTLED, ACCOUNT_LOCKED). */
export function retryAtOf(error: IpcError | null): number | null {
  if (!error || (error.code !== 'THROTTLED' && error.code !== 'ACCOUNT_LOCKED')) return null;
  return typeof error.retryAt === 'number' ? error.retryAt : null;
}

/** Milliseconds left until `until` (null: no wait), updated every second until it reaches 0. */
export function useTimeLeft(until: number | null, now: () => number = Date.now): number | null {
  const [current, setCurrent] = useState(now);
  useEffect(() => {
    if (until === null) return;
    const tick = () => {
      const time = now();
      setCurrent(time);
      if (time >= until) clearInterval(timer);
    };
    // At once (the time kept since the last wait is stale), then each second.
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [until, now]);
  return until === null ? null : Math.max(0, until - current);
}
