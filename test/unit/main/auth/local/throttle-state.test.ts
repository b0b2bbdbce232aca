/** ThrottleState on a real vault: where counters live, and the bound on names without an account. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { ThrottleState, throttleKey } from '../../../../../main/auth/local/throttle-state';
import type { ThrottlePolicy } from '../../../../../main/auth/local/throttle';
import { Vault } from '../../../../../main/vault/vault';
import { FakeClock, openTestVault, snapshotDir } from '../../../helpers';

const policy: ThrottlePolicy = { maxFailures: 3, lockoutMs: 15 * 60_000, backoffBaseMs: 1000 };

async function setup(maxUnknown = 3) {
  const opened = await openTestVault();
  const clock = new FakeClock();
  const state = new ThrottleState(opened.vault, policy, clock, maxUnknown);
  onTestFinished(() => state.close().catch(() => undefined));
  return { ...opened, clock, state };
}

describe('ThrottleState', () => {
  it('keeps at most maxUnknown names without an account, dropping the least recently failed', async () => {
    const { state, clock } = await setup(3);
    for (const name of ['a', 'b', 'c']) {
      state.fail(name, false);
      clock.advance(1);
    }
    state.fail('a', false); // a failed again: b is now the oldest
    clock.advance(1);
    state.fail('d', false);
    expect(['a', 'b', 'c', 'd'].map((n) => state.get(n)?.failures ?? 0)).toEqual([2, 0, 1, 1]);
  });

  it('drops an active lockout of a name without an account only when every kept name is locked', async () => {
    const { state, clock } = await setup(2);
    for (let i = 0; i < 3; i++) state.fail('locked', false);
    expect(state.get('locked')?.locked).toBe(true);
    clock.advance(1);
    state.fail('x', false);
    clock.advance(1);
    state.fail('y', false); // x goes, not the older but locked name
    expect(state.get('locked')?.locked).toBe(true);
    expect(state.get('x')).toBeUndefined();
    expect(state.get('y')?.failures).toBe(1);
  });

  it("never evicts an account's counter: it is in the vault", async () => {
    const { state, vault, dir, protector, clock } = await setup(1);
    for (let i = 0; i < 3; i++) state.fail('admin', true);
    for (const name of ['p', 'q', 'r']) state.fail(name, false);
    await state.flush();
    expect(state.get('admin')?.locked).toBe(true);
    expect(vault.read().throttle[throttleKey('admin')]?.locked).toBe(true);
    const reopened = new ThrottleState(await Vault.open({ dir, protector }), policy, clock);
    expect(reopened.get('admin')?.failures).toBe(3);
  });

  it('batches account writes: many failures in one turn make one vault write', async () => {
    const { state, vault } = await setup();
    let writes = 0;
    const update = vault.update.bind(vault);
    vault.update = ((mutate) => {
      writes += 1;
      return update(mutate);
    }) as Vault['update'];
    for (const name of ['a', 'b', 'c', 'd', 'e']) state.fail(name, true);
    await state.flush();
    expect(writes).toBe(1);
    expect(Object.keys(vault.read().throttle).sort()).toEqual(['a', 'b', 'c', 'd', 'e'].map(throttleKey));
  });

  it('treats a counter idle for over a day as gone', async () => {
    const { state, clock } = await setup();
    state.fail('ghost', false);
    state.fail('admin', true);
    await state.flush();
    clock.advance(24 * 3600_000 + 1);
    expect(state.get('ghost')).toBeUndefined();
    expect(state.get('admin')).toBeUndefined();
    // A new failure starts from one.
    expect(state.fail('ghost', false).failures).toBe(1);
  });

  it('saves names without an account once, at close, and nothing when none failed', async () => {
    const { state, vault, dir } = await setup();
    const before = await snapshotDir(dir);
    await state.close();
    expect(await snapshotDir(dir)).toEqual(before);

    state.fail('ghost', false);
    expect(vault.read().throttle[throttleKey('ghost')]).toBeUndefined();
    await state.close();
    expect(vault.read().throttle[throttleKey('ghost')]?.failures).toBe(1);
  });
});
