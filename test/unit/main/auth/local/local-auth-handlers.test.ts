/**
 * The local sign-in channels through the real IPC registry (createApp: real vault on the OS
 * keychain, real argon2); only the clock is a stand-in.
 */
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../../../../main/app';
import type { ChannelName, ChannelPayload, ChannelValue, ErrorCode, IpcResult } from '../../../../../preload/contract';
import {
  APP_ORIGIN,
  FakeClock,
  GOOD_PASSWORD,
  OTHER_GOOD_PASSWORD,
  tempDir,
  testKeychain,
  trustedSender,
} from '../../../helpers';

const ADMIN = { username: 'root', displayName: 'Root Admin', password: GOOD_PASSWORD };
const VIEWER = { username: 'vera', displayName: 'Vera Viewer', password: OTHER_GOOD_PASSWORD, roles: ['viewer' as const] };

async function start(layers: unknown[] = []) {
  const clock = new FakeClock();
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.0.0', platform: 'linux' },
    paths: { userData: path.join(await tempDir(), 'userData') },
    keyProtector: () => testKeychain(),
    // No dataset: these tests are about sign-in.
    configLayers: async () => [
      { source: 'no-data.json', kind: 'policy' as const, value: { data: { sample: { enabled: false } } } },
      ...layers.map((value, i) => ({ source: `layer-${i}.json`, kind: 'policy' as const, value })),
    ],
    clock,
    log: { info: () => undefined, error: () => undefined },
  });
  onTestFinished(() => app.close());
  async function call<C extends ChannelName>(channel: C, payload: ChannelPayload<C>): Promise<IpcResult<ChannelValue<C>>> {
    const result = (await app.registry.dispatch(channel, trustedSender, payload)) as IpcResult<ChannelValue<C>>;
    await app.flush();
    return result;
  }
  async function ok<C extends ChannelName>(channel: C, payload: ChannelPayload<C>): Promise<ChannelValue<C>> {
    const result = await call(channel, payload);
    if (!result.ok) throw new Error(`${channel} failed: ${result.code} ${result.message}`);
    return result.value;
  }
  async function fails<C extends ChannelName>(channel: C, code: ErrorCode, payload: ChannelPayload<C>) {
    const result = await call(channel, payload);
    expect(result, `${channel} should fail with ${code}`).toMatchObject({ ok: false, code });
    if (result.ok) throw new Error('unreachable');
    return result;
  }
  const current = async () => (await ok('session:get-current', {}))?.user.username ?? null;
  return { app, clock, call, ok, fails, current };
}

describe('auth:sign-in-local (real registry)', () => {
  it('keeps the signed-in user signed in when a sign-in attempt fails', async () => {
    const { ok, fails, current, clock } = await start();
    const admin = await ok('setup:create-admin', ADMIN);
    await ok('users:create', VIEWER);

    // A mistyped password, an unknown name and a throttled retry: none ends the session.
    await fails('auth:sign-in-local', 'INVALID_CREDENTIALS', { username: 'vera', password: 'wrong-password-here' });
    expect(await current()).toBe('root');
    await fails('auth:sign-in-local', 'INVALID_CREDENTIALS', { username: 'nobody', password: 'wrong-password-here' });
    await fails('auth:sign-in-local', 'THROTTLED', { username: 'vera', password: VIEWER.password });
    expect(await current()).toBe('root');
    expect((await ok('session:get-current', {}))?.expiresAt).toBe(admin.expiresAt);
    // The admin's session still carries its permissions.
    expect((await ok('users:list', {})).map((u) => u.username)).toEqual(['root', 'vera']);

    // A successful sign-in replaces it with the new user's session.
    clock.advance(60_000);
    const vera = await ok('auth:sign-in-local', { username: 'vera', password: VIEWER.password });
    expect(vera.user.username).toBe('vera');
    expect(await current()).toBe('vera');
    await fails('users:list', 'PERMISSION_DENIED', {});
  });

  it('keeps the session when the attempt is refused for a disabled account', async () => {
    const { ok, fails, current } = await start();
    await ok('setup:create-admin', ADMIN);
    const vera = await ok('users:create', VIEWER);
    await ok('users:set-disabled', { userId: vera.id, disabled: true });

    await fails('auth:sign-in-local', 'ACCOUNT_DISABLED', { username: 'vera', password: VIEWER.password });

    expect(await current()).toBe('root');
  });
});
