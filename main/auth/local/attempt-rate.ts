/**
 * A cap on local sign-in attempts across all names (policy `localAccounts.maxAttemptsPerMinute`):
 * per-name backoff alone lets one password be tried against every name in turn (spraying), and
 * every attempt costs an argon2id verification. A sliding window over the last minute, in
 * memory: restarting the app to reset it costs more time than it wins.
 */
export const ATTEMPT_WINDOW_MS = 60_000;

export class AttemptRate {
  /** Times of the attempts taken in the current window, oldest first. */
  private times: number[] = [];

  constructor(private readonly maxPerMinute: number) {}

  /** Takes one attempt at `now`: null when allowed, else the time the next one will be. */
  take(now: number): number | null {
    // A time after `now` means the clock was set back: such an entry cannot be placed in the window.
    this.times = this.times.filter((t) => t <= now && now - t < ATTEMPT_WINDOW_MS);
    if (this.times.length >= this.maxPerMinute) return this.times[0]! + ATTEMPT_WINDOW_MS;
    this.times.push(now);
    return null;
  }
}
