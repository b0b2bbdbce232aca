import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../main/errors';
import { IpcRegistry, type RegistryOptions } from '../../../../main/ipc/registry';
import type { IpcSender } from '../../../../main/ipc/sender';
import type { Access, IpcResult } from '../../../../preload/contract';
import { APP_ORIGIN, trustedSender } from '../../helpers';

interface FakeSession {
  user: string;
}

const USER_ID = '2f1b7c7e-8d7a-4c1e-9a55-0b7f3f0d9a11';

/** A registry with counting handlers and an authorizer that grants `granted` permissions. */
function setup(options: { granted?: Access[]; signedIn?: boolean } = {}) {
  const calls = { authorize: 0, handlers: 0, internal: [] as unknown[] };
  const authorize: RegistryOptions<FakeSession>['authorize'] = (access) => {
    calls.authorize += 1;
    if (access === 'public') return null;
    if (!options.signedIn) throw new AppError('NOT_SIGNED_IN', 'You are not signed in. Sign in to continue.');
    if (access !== 'session' && !(options.granted ?? []).includes(access)) {
      throw new AppError('PERMISSION_DENIED', 'Your role does not allow this action.');
    }
    return { user: 'ada' };
  };
  const registry = new IpcRegistry<FakeSession>({
    appOrigin: APP_ORIGIN,
    authorize,
    onInternalError: (_channel, error) => calls.internal.push(error),
  });
  registry.handle('app:get-info', () => {
    calls.handlers += 1;
    return {
      name: 'Portico',
      version: '0',
      platform: 'test',
      status: { state: 'ready' },
      keyStorage: 'x',
      passwordPolicy: { minLength: 12 },
      localAccountsEnabled: true,
      providers: [],
      signInNotice: null,
      lastSignIn: null,
    };
  });
  registry.handle('auth:sign-in-local', (input) => {
    calls.handlers += 1;
    return { echoed: input } as never;
  });
  registry.handle('users:list', (_input, ctx) => {
    calls.handlers += 1;
    return [ctx.session] as never;
  });
  return { registry, calls };
}

function expectFailure(result: IpcResult<unknown>, code: string) {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.code).toBe(code);
  expect(result.message.length).toBeGreaterThan(10);
  return result;
}

describe('IpcRegistry', () => {
  it('runs a handler for a trusted sender and returns { ok: true, value }', async () => {
    const { registry, calls } = setup();
    const result = await registry.dispatch('auth:sign-in-local', trustedSender, { username: ' Ada ', password: 'pw' });
    expect(result).toEqual({ ok: true, value: { echoed: { username: 'Ada', password: 'pw' } } });
    expect(calls).toMatchObject({ authorize: 1, handlers: 1 });
  });

  it.each<[string, IpcSender]>([
    ['a foreign origin', { url: 'https://evil.test/', isMainFrame: true, isAppWindow: true }],
    ['a lookalike origin', { url: 'https://portico.test.evil.test/', isMainFrame: true, isAppWindow: true }],
    ['a null URL', { url: null, isMainFrame: true, isAppWindow: true }],
    ['an iframe', { url: `${APP_ORIGIN}/`, isMainFrame: false, isAppWindow: true }],
    ['another window', { url: `${APP_ORIGIN}/`, isMainFrame: true, isAppWindow: false }],
  ])('refuses %s with FORBIDDEN_SENDER before authorize or handler', async (_label, sender) => {
    const { registry, calls } = setup({ signedIn: true, granted: ['admin.users'] });
    for (const channel of ['app:get-info', 'users:list', 'no:such-channel']) {
      expectFailure(await registry.dispatch(channel, sender, {}), 'FORBIDDEN_SENDER');
    }
    expect(calls).toMatchObject({ authorize: 0, handlers: 0 });
  });

  it.each<[string, unknown]>([
    ['a wrong type', { username: 'ada', password: 42 }],
    ['a missing key', { username: 'ada' }],
    ['an extra key', { username: 'ada', password: 'pw', admin: true }],
    ['a __proto__ key', JSON.parse('{"username":"ada","password":"pw","__proto__":{"x":1}}')],
    ['null', null],
    ['undefined', undefined],
    ['an array', ['ada', 'pw']],
    ['a string', 'ada:pw'],
    ['a username with forbidden characters', { username: 'ada<script>', password: 'pw' }],
    ['an over-long password', { username: 'ada', password: 'x'.repeat(1025) }],
  ])('refuses %s with INVALID_PAYLOAD before authorize or handler', async (_label, payload) => {
    const { registry, calls } = setup();
    expectFailure(await registry.dispatch('auth:sign-in-local', trustedSender, payload), 'INVALID_PAYLOAD');
    expect(calls).toMatchObject({ authorize: 0, handlers: 0 });
  });

  it('refuses {"__proto__":…} on an empty-payload channel', async () => {
    const { registry, calls } = setup();
    expectFailure(await registry.dispatch('app:get-info', trustedSender, JSON.parse('{"__proto__":{"x":1}}')), 'INVALID_PAYLOAD');
    expect(calls.handlers).toBe(0);
  });

  it('names the bad fields for the form', async () => {
    const { registry } = setup();
    const result = expectFailure(
      await registry.dispatch('auth:sign-in-local', trustedSender, { username: '', password: 'pw', extra: 1 }),
      'INVALID_PAYLOAD',
    );
    if (result.ok) return;
    expect(result.fields).toMatchObject({ username: 'Enter a username.', extra: expect.any(String) });
    expect(result.message).toMatch(/^Check the form: /);
  });

  it.each(['no:such-channel', 'constructor', '__proto__', 'toString', 'hasOwnProperty', ''])(
    'answers %j with UNKNOWN_CHANNEL',
    async (channel) => {
      const { registry, calls } = setup({ signedIn: true });
      expectFailure(await registry.dispatch(channel, trustedSender, {}), 'UNKNOWN_CHANNEL');
      expect(calls).toMatchObject({ authorize: 0, handlers: 0 });
    },
  );

  it('answers a contract channel with no registered handler with UNKNOWN_CHANNEL', async () => {
    const { registry } = setup();
    expectFailure(await registry.dispatch('users:create', trustedSender, {}), 'UNKNOWN_CHANNEL');
  });

  it('refuses to register a channel outside the contract, or twice', () => {
    const { registry } = setup();
    expect(() => registry.handle('constructor' as never, () => null as never)).toThrow(/not in the contract/);
    expect(() => registry.handle('toString' as never, () => null as never)).toThrow(/not in the contract/);
    expect(() => registry.handle('app:get-info', () => null as never)).toThrow(/already has a handler/);
  });

  it('does not run the handler when authorize refuses (PERMISSION_DENIED)', async () => {
    const { registry, calls } = setup({ signedIn: true, granted: ['data.read'] });
    expectFailure(await registry.dispatch('users:list', trustedSender, {}), 'PERMISSION_DENIED');
    expect(calls).toMatchObject({ authorize: 1, handlers: 0 });
  });

  it('does not run the handler without a session (NOT_SIGNED_IN)', async () => {
    const { registry, calls } = setup({ signedIn: false });
    expectFailure(await registry.dispatch('users:list', trustedSender, {}), 'NOT_SIGNED_IN');
    expect(calls.handlers).toBe(0);
  });

  it('passes the authorised session to the handler', async () => {
    const { registry } = setup({ signedIn: true, granted: ['admin.users'] });
    expect(await registry.dispatch('users:list', trustedSender, {})).toEqual({ ok: true, value: [{ user: 'ada' }] });
  });

  it('passes the channel and its recent-sign-in need to authorize', async () => {
    const seen: unknown[] = [];
    const registry = new IpcRegistry<FakeSession>({
      appOrigin: APP_ORIGIN,
      authorize: (access, options) => {
        seen.push([access, options]);
        return null;
      },
    });
    registry.handle('users:list', () => []);
    registry.handle('users:create', () => ({}) as never);
    await registry.dispatch('users:list', trustedSender, {});
    await registry.dispatch('users:create', trustedSender, {
      username: 'bo',
      displayName: 'Bo',
      password: 'pw',
      roles: ['viewer'],
    });
    expect(seen).toEqual([
      ['admin.users', { channel: 'users:list', recentSignIn: false }],
      ['admin.users', { channel: 'users:create', recentSignIn: true }],
    ]);
  });

  it('turns a plain Error into INTERNAL with a generic message, keeping its text in main', async () => {
    const logged: unknown[] = [];
    const registry = new IpcRegistry<FakeSession>({
      appOrigin: APP_ORIGIN,
      authorize: () => null,
      onInternalError: (c, e) => logged.push([c, e]),
    });
    const secret = 'ENOENT /home/ada/.config/Portico/vault.bin key=deadbeef';
    registry.handle('app:get-info', () => {
      throw new Error(secret);
    });
    const result = expectFailure(await registry.dispatch('app:get-info', trustedSender, {}), 'INTERNAL');
    expect(JSON.stringify(result)).not.toContain('deadbeef');
    expect(JSON.stringify(result)).not.toContain('ENOENT');
    expect(Object.keys(result).sort()).toEqual(['code', 'message', 'ok']);
    expect(logged).toHaveLength(1);
    expect((logged[0] as [string, Error])[1].message).toBe(secret);
  });

  it('turns a non-Error throw (a string) into INTERNAL too', async () => {
    const registry = new IpcRegistry<FakeSession>({ appOrigin: APP_ORIGIN, authorize: () => null });
    registry.handle('app:get-info', () => {
      throw 'raw string with secret';
    });
    const result = expectFailure(await registry.dispatch('app:get-info', trustedSender, {}), 'INTERNAL');
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('passes an AppError through with code, message, fields and retryAt', async () => {
    const registry = new IpcRegistry<FakeSession>({ appOrigin: APP_ORIGIN, authorize: () => null });
    registry.handle('auth:sign-in-local', async () => {
      throw new AppError('THROTTLED', 'Too many attempts. Wait 4 seconds and try again.', {
        retryAt: 1234,
        fields: { username: 'x' },
      });
    });
    expect(await registry.dispatch('auth:sign-in-local', trustedSender, { username: 'ada', password: 'pw' })).toEqual({
      ok: false,
      code: 'THROTTLED',
      message: 'Too many attempts. Wait 4 seconds and try again.',
      retryAt: 1234,
      fields: { username: 'x' },
    });
  });

  it('validates uuids in admin payloads', async () => {
    const registry = new IpcRegistry<FakeSession>({ appOrigin: APP_ORIGIN, authorize: () => null });
    registry.handle('users:set-disabled', () => ({}) as never);
    expectFailure(
      await registry.dispatch('users:set-disabled', trustedSender, { userId: '../../etc', disabled: true }),
      'INVALID_PAYLOAD',
    );
    expect((await registry.dispatch('users:set-disabled', trustedSender, { userId: USER_ID, disabled: true })).ok).toBe(true);
  });

  describe('payloads too large for any channel (authorize first, then a bounded look, then zod)', () => {
    /** An object of `keys` keys that counts how many of its values main reads (zod reads them all). */
    function countingMap(keys: number) {
      const target: Record<string, string[]> = {};
      for (let i = 0; i < keys; i++) target[`group-${i}`] = ['viewer'];
      const reads = { count: 0 };
      const proxy = new Proxy(target, {
        get: (t, key, receiver) => {
          reads.count += 1;
          return Reflect.get(t, key, receiver) as unknown;
        },
      });
      return { proxy, reads };
    }

    function withRoleMapping(options: { signedIn: boolean; granted?: Access[] }) {
      const { registry, calls } = setup(options);
      registry.handle('admin:set-role-mapping', () => {
        calls.handlers += 1;
        return {} as never;
      });
      return { registry, calls };
    }

    it('answers a signed-out call with a million map keys NOT_SIGNED_IN, reading at most a bounded part of it', async () => {
      const { registry, calls } = withRoleMapping({ signedIn: false });
      const { proxy, reads } = countingMap(1_000_000);
      const result = await registry.dispatch('admin:set-role-mapping', trustedSender, { providerId: 'corp', mapping: proxy });
      expectFailure(result, 'NOT_SIGNED_IN');
      expect(calls.handlers).toBe(0);
      // zod would read every value; the bounded walk reads none of an oversized object's.
      expect(reads.count).toBeLessThan(1000);
    });

    it('refuses a signed-in call with a million map keys as INVALID_PAYLOAD before zod reads them', async () => {
      const { registry, calls } = withRoleMapping({ signedIn: true, granted: ['admin.roles'] });
      const { proxy, reads } = countingMap(1_000_000);
      const result = expectFailure(
        await registry.dispatch('admin:set-role-mapping', trustedSender, { providerId: 'corp', mapping: proxy }),
        'INVALID_PAYLOAD',
      );
      expect(result.message).toMatch(/more than 256 keys/);
      expect(calls.handlers).toBe(0);
      expect(reads.count).toBeLessThan(1000);
    });

    it.each<[string, () => unknown, RegExp]>([
      ['a 2 MB string', () => ({ username: 'ada', password: 'x'.repeat(2_000_000) }), /larger than 256 KiB/],
      [
        'nesting 100,000 levels deep',
        () => {
          let value: unknown = 'leaf';
          for (let i = 0; i < 100_000; i++) value = { a: value };
          return { username: 'ada', password: value };
        },
        /nested deeper than 8 levels/,
      ],
      ['a list of a million items', () => ({ username: 'ada', password: new Array(1_000_000).fill('x') }), /more than 256 items/],
    ])('refuses %s on a public channel with INVALID_PAYLOAD, never a crash', async (_label, make, message) => {
      const { registry, calls } = setup();
      const result = expectFailure(await registry.dispatch('auth:sign-in-local', trustedSender, make()), 'INVALID_PAYLOAD');
      expect(result.message).toMatch(message);
      expect(calls).toMatchObject({ handlers: 0, internal: [] });
    });

    it('still parses an invalid payload of a permitted call and names its fields', async () => {
      const { registry, calls } = withRoleMapping({ signedIn: true, granted: ['admin.roles'] });
      const result = expectFailure(
        await registry.dispatch('admin:set-role-mapping', trustedSender, { providerId: 'corp', mapping: { ops: [] } }),
        'INVALID_PAYLOAD',
      );
      if (result.ok) return;
      expect(Object.keys(result.fields ?? {})).toContain('mapping.ops');
      expect(calls.handlers).toBe(0);
    });
  });
});
