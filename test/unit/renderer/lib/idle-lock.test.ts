import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACTIVITY_REPORT_MS,
  IdleLockState,
  idleStage,
  shouldReportActivity,
  timingOf,
  WARNING_MS,
} from '../../../../renderer/src/lib/idle-lock';
import type { IpcResult, SessionSummary } from '../../../../preload/contract';

const MIN = 60_000;
const MAIN_NOW = Date.UTC(2026, 0, 5, 9, 0, 0);

function summary(over: Partial<SessionSummary> = {}): SessionSummary {
  return {
    user: {
      id: 'u',
      username: 'ada',
      displayName: 'Ada',
      provider: 'local',
      providerId: null,
      providerName: null,
      email: null,
    },
    roles: ['viewer'],
    groups: [],
    permissions: ['data.read'],
    expiresAt: MAIN_NOW + 12 * 60 * MIN,
    idleExpiresAt: MAIN_NOW + 60 * MIN,
    recentSignInUntil: MAIN_NOW + 15 * MIN,
    locked: false,
    lockAt: MAIN_NOW + 15 * MIN,
    now: MAIN_NOW,
    ...over,
  };
}

describe('idle lock, as the window counts it', () => {
  it('counts in main’s time: a window clock 10 minutes off changes nothing', () => {
    const windowNow = MAIN_NOW - 10 * MIN;
    const timing = timingOf(summary(), windowNow);
    expect(idleStage(timing, windowNow)).toEqual({ stage: 'active' });
    expect(idleStage(timing, windowNow + 14 * MIN - 1)).toEqual({ stage: 'active' });
    expect(idleStage(timing, windowNow + 14 * MIN)).toEqual({ stage: 'warning', secondsLeft: 60 });
    expect(idleStage(timing, windowNow + 15 * MIN - 1500)).toEqual({ stage: 'warning', secondsLeft: 2 });
    expect(idleStage(timing, windowNow + 15 * MIN)).toEqual({ stage: 'due' });
  });

  it('warns exactly the last WARNING_MS (60 s)', () => {
    expect(WARNING_MS).toBe(60_000);
    const timing = timingOf(summary(), MAIN_NOW);
    expect(idleStage(timing, MAIN_NOW + 15 * MIN - WARNING_MS - 1)).toEqual({ stage: 'active' });
    expect(idleStage(timing, MAIN_NOW + 15 * MIN - WARNING_MS)).toMatchObject({ stage: 'warning' });
  });

  it('is locked when main says so, whatever the clock', () => {
    expect(idleStage(timingOf(summary({ locked: true }), MAIN_NOW), MAIN_NOW)).toEqual({ stage: 'locked' });
  });

  it('without a lock first, no warning; due at the idle sign-out or the absolute end, whichever is first', () => {
    const timing = timingOf(summary({ lockAt: null, idleExpiresAt: MAIN_NOW + 15 * MIN }), MAIN_NOW);
    expect(idleStage(timing, MAIN_NOW + 15 * MIN - 1000)).toEqual({ stage: 'active' });
    expect(idleStage(timing, MAIN_NOW + 15 * MIN)).toEqual({ stage: 'due' });
    const absolute = timingOf(summary({ lockAt: null, expiresAt: MAIN_NOW + 5 * MIN }), MAIN_NOW);
    expect(idleStage(absolute, MAIN_NOW + 5 * MIN)).toEqual({ stage: 'due' });
  });

  it('reports input at most every 30 s, at once while the warning shows, never while locked', () => {
    const active = { stage: 'active' } as const;
    expect(shouldReportActivity(null, MAIN_NOW, active)).toBe(true);
    expect(shouldReportActivity(MAIN_NOW, MAIN_NOW + ACTIVITY_REPORT_MS - 1, active)).toBe(false);
    expect(shouldReportActivity(MAIN_NOW, MAIN_NOW + ACTIVITY_REPORT_MS, active)).toBe(true);
    expect(shouldReportActivity(MAIN_NOW, MAIN_NOW + 1, { stage: 'warning', secondsLeft: 30 })).toBe(true);
    expect(shouldReportActivity(null, MAIN_NOW, { stage: 'locked' })).toBe(false);
    expect(shouldReportActivity(null, MAIN_NOW, { stage: 'due' })).toBe(false);
  });
});

describe('IdleLockState (the window’s side of the lock, with a scripted main)', () => {
  /** Main as the window sees it: answers the test scripts, counting the calls. */
  function scriptedMain(start: SessionSummary) {
    const calls = { sync: 0, activity: 0 };
    let current: IpcResult<SessionSummary | null> = { ok: true, value: start };
    const api = {
      getCurrentSession: async () => {
        calls.sync++;
        return current;
      },
      reportActivity: async (): Promise<IpcResult<SessionSummary>> => {
        calls.activity++;
        return current as IpcResult<SessionSummary>;
      },
    };
    return { api, calls, answer: (next: IpcResult<SessionSummary | null>) => (current = next) };
  }

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(MAIN_NOW);
  });
  afterEach(() => vi.useRealTimers());

  it('shows nothing, then the warning 60 s before the lock, then asks main and shows the lock it decided', async () => {
    const main = scriptedMain(summary());
    const state = new IdleLockState(main.api, summary());
    const views: string[] = [];
    state.subscribe(() => views.push(state.view().view));
    state.start();
    expect(state.view()).toEqual({ view: 'none' });
    await vi.advanceTimersByTimeAsync(14 * MIN + 100);
    expect(state.view()).toEqual({ view: 'warning', locksAt: MAIN_NOW + 15 * MIN });
    main.answer({ ok: false, code: 'SESSION_LOCKED', message: 'Portico is locked.' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(main.calls.sync).toBeGreaterThan(0);
    expect(state.view()).toEqual({ view: 'locked' });
    expect(views).toEqual(['warning', 'locked']);
    state.stop();
  });

  it('input during the warning is reported at once and the warning goes', async () => {
    const main = scriptedMain(summary());
    const state = new IdleLockState(main.api, summary());
    state.start();
    await vi.advanceTimersByTimeAsync(14 * MIN + 30_000);
    expect(state.view().view).toBe('warning');
    main.answer({ ok: true, value: summary({ now: Date.now(), lockAt: Date.now() + 15 * MIN }) });
    state.input();
    await vi.advanceTimersByTimeAsync(0);
    expect(main.calls.activity).toBe(1);
    expect(state.view()).toEqual({ view: 'none' });
    state.stop();
  });

  it('input otherwise is reported at most every 30 s', async () => {
    const main = scriptedMain(summary());
    const state = new IdleLockState(main.api, summary());
    state.input();
    await vi.advanceTimersByTimeAsync(29_000);
    state.input();
    expect(main.calls.activity).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    state.input();
    await vi.advanceTimersByTimeAsync(0);
    state.input();
    expect(main.calls.activity).toBe(1);
  });

  it('a session main ended goes back to sign-in with main’s message', async () => {
    const main = scriptedMain(summary());
    const state = new IdleLockState(main.api, summary());
    const ended: string[] = [];
    state.whenSessionEnds((message) => ended.push(message));
    main.answer({ ok: false, code: 'SESSION_EXPIRED', message: 'Your session reached its maximum length.' });
    await state.sync();
    expect(ended).toEqual(['Your session reached its maximum length.']);
  });

  it('a summary from main starts the count again (an unlock)', async () => {
    const main = scriptedMain(summary({ locked: true }));
    const state = new IdleLockState(main.api, summary({ locked: true }));
    expect(state.view()).toEqual({ view: 'locked' });
    state.accept(summary({ now: Date.now(), lockAt: Date.now() + 15 * MIN }));
    expect(state.view()).toEqual({ view: 'none' });
  });
});
