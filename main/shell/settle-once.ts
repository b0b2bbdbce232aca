/**
 * The end of a wait for one callback (auth window, loopback listener): it settles once, on the
 * answer, the timeout or an abort, then runs `cleanup` (close the window or the server).
 */
import { AuthCancelledError, AuthTimeoutError } from '../platform';

export interface SettleOnceOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  reject: (error: Error) => void;
  cleanup: () => void;
}

/** Returns `settle(finish)`: the first call runs `finish` then `cleanup`; later calls do nothing. */
export function settleOnce(options: SettleOnceOptions): (finish: () => void) => void {
  let settled = false;
  const settle = (finish: () => void) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    finish();
    options.cleanup();
  };
  const onAbort = () => settle(() => options.reject(new AuthCancelledError()));
  const timer = setTimeout(() => settle(() => options.reject(new AuthTimeoutError(options.timeoutMs))), options.timeoutMs);
  // The window or the server keeps the process alive while it matters; the timer need not.
  timer.unref();
  options.signal?.addEventListener('abort', onAbort);
  return settle;
}
