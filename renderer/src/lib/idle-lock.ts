/**
 * The idle lock as the window sees it: main decides (it locks the session and refuses calls); the
 * window only shows it coming and reports input. Times are main's: each summary carries main's
 * clock (`now`), and the window counts with the offset between that and its own clock.
 */
import type { IpcResult, SessionSummary } from '../../../preload/contract';

/** The warning shows this long before the lock (issue 15: 60 s, with a countdown). */
export const WARNING_MS = 60_000;
/** Input is reported at most this often; at once while the warning shows. */
export const ACTIVITY_REPORT_MS = 30_000;
/** The window asks main how the session stands this often (a lock or sign-out main decided). */
export const SYNC_MS = 15_000;

export interface SessionTiming {
  locked: boolean;
  /** Main's epoch ms when the session locks if idle; null: policy does not lock first. */
  lockAt: number | null;
  /** Main's epoch ms when the session ends if idle, and at the latest. */
  idleExpiresAt: number;
  expiresAt: number;
  /** Main's clock minus the window's, when the summary arrived. */
  offset: number;
}

export function timingOf(summary: SessionSummary, receivedAt: number): SessionTiming {
  return {
    locked: summary.locked,
    lockAt: summary.lockAt,
    idleExpiresAt: summary.idleExpiresAt,
    expiresAt: summary.expiresAt,
    offset: summary.now - receivedAt,
  };
}

export type IdleStage =
  | { stage: 'active' }
  /** The lock comes in `secondsLeft` seconds (rounded up) unless there is input. */
  | { stage: 'warning'; secondsLeft: number }
  /** The lock time has passed by the window's count: ask main (it decides). */
  | { stage: 'due' }
  | { stage: 'locked' };

export function idleStage(timing: SessionTiming, windowNow: number): IdleStage {
  if (timing.locked) return { stage: 'locked' };
  const now = windowNow + timing.offset;
  // Nothing locks first: the session's own end (idle sign-out, absolute) is what to check for.
  const next = timing.lockAt ?? Math.min(timing.idleExpiresAt, timing.expiresAt);
  const left = next - now;
  if (left <= 0) return { stage: 'due' };
  if (timing.lockAt !== null && left <= WARNING_MS) return { stage: 'warning', secondsLeft: Math.ceil(left / 1000) };
  return { stage: 'active' };
}

/** Whether input now should be reported to main. */
export function shouldReportActivity(lastReportAt: number | null, windowNow: number, stage: IdleStage): boolean {
  if (stage.stage === 'locked' || stage.stage === 'due') return false;
  if (stage.stage === 'warning') return true;
  return lastReportAt === null || windowNow - lastReportAt >= ACTIVITY_REPORT_MS;
}

/** What the window shows about the lock: nothing, the warning (until `locksAt`, window time), or the lock screen. */
export type IdleView = { view: 'none' } | { view: 'warning'; locksAt: number } | { view: 'locked' };

/** Main's answers the lock follows. */
export interface IdleLockApi {
  getCurrentSession(): Promise<IpcResult<SessionSummary | null>>;
  reportActivity(): Promise<IpcResult<SessionSummary>>;
}

/** setTimeout's delay is a signed 32-bit number of milliseconds. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * The idle lock's state in the window, outside React (useSyncExternalStore reads it): the timing
 * main last gave, the stage by the window's count, timers for the next change, and what to do on
 * input. Main decides; this follows: it asks main how the session stands every SYNC_MS, when the
 * count says the lock is due, and when asked (the window got focus again).
 */
export class IdleLockState {
  private timing: SessionTiming;
  private shown: IdleView;
  private lastReportAt: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<() => void>();
  private onSessionEnd: (message: string) => void = () => undefined;

  constructor(
    private readonly api: IdleLockApi,
    summary: SessionSummary,
    private readonly now: () => number = Date.now,
  ) {
    this.timing = timingOf(summary, now());
    this.lastReportAt = now();
    this.shown = this.viewNow();
  }

  /** Called when the session is over (expired, signed out elsewhere), with main's message. */
  whenSessionEnds(handler: (message: string) => void): void {
    this.onSessionEnd = handler;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  view = (): IdleView => this.shown;

  /** A summary from main (sign-in, unlock, a confirmed password): the count starts from it. */
  accept(summary: SessionSummary): void {
    this.timing = timingOf(summary, this.now());
    this.update();
  }

  /** Keyboard or pointer input in the window. */
  input(): void {
    if (shouldReportActivity(this.lastReportAt, this.now(), idleStage(this.timing, this.now()))) void this.stay();
  }

  /** "Stay signed in": activity reported at once. */
  async stay(): Promise<void> {
    this.lastReportAt = this.now();
    this.apply(await this.api.reportActivity());
  }

  /** Asks main how the session stands now. */
  async sync(): Promise<void> {
    this.apply(await this.api.getCurrentSession());
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Schedules the next change by the window's count (and keeps doing so until stop()). */
  start(): void {
    this.update();
  }

  private apply(result: IpcResult<SessionSummary | null>): void {
    if (!result.ok) {
      if (result.code === 'SESSION_LOCKED') {
        this.timing = { ...this.timing, locked: true };
        this.update();
      } else if (result.code === 'SESSION_EXPIRED' || result.code === 'NOT_SIGNED_IN') this.onSessionEnd(result.message);
      return;
    }
    if (!result.value) {
      this.onSessionEnd(SESSION_ENDED);
      return;
    }
    this.accept(result.value);
  }

  private viewNow(): IdleView {
    const stage = idleStage(this.timing, this.now());
    if (stage.stage === 'locked') return { view: 'locked' };
    // Due by the window's count: the warning stays (at 0 s) until main answers.
    if ((stage.stage === 'warning' || stage.stage === 'due') && this.timing.lockAt !== null)
      return { view: 'warning', locksAt: this.timing.lockAt - this.timing.offset };
    return { view: 'none' };
  }

  private update(): void {
    const next = this.viewNow();
    if (!sameView(next, this.shown)) {
      this.shown = next;
      for (const listener of this.listeners) listener();
    }
    this.schedule();
  }

  private schedule(): void {
    this.stop();
    const timing = this.timing;
    const stage = idleStage(timing, this.now());
    if (stage.stage === 'locked') return;
    if (stage.stage === 'due') {
      void this.sync();
      return;
    }
    const mainNow = this.now() + timing.offset;
    const end = timing.lockAt ?? Math.min(timing.idleExpiresAt, timing.expiresAt);
    const at = stage.stage === 'active' && timing.lockAt !== null ? end - WARNING_MS : end;
    this.timer = setTimeout(() => this.update(), Math.min(Math.max(at - mainNow + 25, 250), MAX_TIMER_DELAY));
  }
}

const SESSION_ENDED = 'Your session has ended. Sign in again to continue.';

function sameView(a: IdleView, b: IdleView): boolean {
  if (a.view !== b.view) return false;
  return a.view !== 'warning' || (b.view === 'warning' && a.locksAt === b.locksAt);
}
