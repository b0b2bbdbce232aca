/**
 * A clock the test can move forward: real time plus an offset. Injected as createApp's
 * Clock port (test host only), so timeouts are exercised without waiting.
 */
import type { Clock } from '../../main/platform';

export class TestClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
