import { describe, expect, it } from 'vitest';
import { ATTEMPT_WINDOW_MS, AttemptRate } from '../../../../../main/auth/local/attempt-rate';

const T0 = 1_700_000_000_000;

describe('AttemptRate', () => {
  it('allows up to the cap within a minute, then says when the next attempt may come', () => {
    const rate = new AttemptRate(3);
    expect(rate.take(T0)).toBeNull();
    expect(rate.take(T0 + 1000)).toBeNull();
    expect(rate.take(T0 + 2000)).toBeNull();
    expect(rate.take(T0 + 3000)).toBe(T0 + ATTEMPT_WINDOW_MS);
    expect(rate.take(T0 + ATTEMPT_WINDOW_MS - 1)).toBe(T0 + ATTEMPT_WINDOW_MS);
    // The window slides: the first attempt has left it, the second not yet.
    expect(rate.take(T0 + ATTEMPT_WINDOW_MS)).toBeNull();
    expect(rate.take(T0 + ATTEMPT_WINDOW_MS + 1)).toBe(T0 + 1000 + ATTEMPT_WINDOW_MS);
  });

  it('does not count refused attempts (waiting is enough)', () => {
    const rate = new AttemptRate(1);
    expect(rate.take(T0)).toBeNull();
    for (let i = 1; i < 100; i++) expect(rate.take(T0 + i * 100)).toBe(T0 + ATTEMPT_WINDOW_MS);
    expect(rate.take(T0 + ATTEMPT_WINDOW_MS)).toBeNull();
  });

  it('is not stuck when the clock is set back', () => {
    const rate = new AttemptRate(2);
    rate.take(T0);
    rate.take(T0 + 1);
    expect(rate.take(T0 + 2)).not.toBeNull();
    expect(rate.take(T0 - 3600_000)).toBeNull();
  });
});
