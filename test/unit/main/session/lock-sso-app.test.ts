/**
 * The idle lock for single sign-on, through createApp (real vault on the OS keychain, the IPC
 * registry) against the rogue OP: unlocking is a new sign-in at the session's IdP that must
 * authenticate again (prompt=login) and return the same person; a kept sign-in restored at the
 * next launch does not open a session that was locked when Portico quit; the sign-in screen is
 * told the provider last used, unless policy says not to.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../../../main/app';
import type { ChannelName, ChannelPayload, ChannelValue, IpcResult } from '../../../../preload/contract';
import { ROGUE_OP_SUB, startRogueOp, type RogueOp } from '../../../idp/oidc/rogue-op';
import { APP_ORIGIN, FakeClock, tempDir, testKeychain, trustedSender } from '../../helpers';
import { ADMIN_CLAIM, FetchingAuthSurface, withAdminRole } from '../auth/oidc/integration/support';

const MIN = 60_000;

let op: RogueOp;
beforeAll(async () => {
  op = await startRogueOp({ idToken: withAdminRole });
});
afterAll(() => op.stop());
afterEach(() => {
  op.resetOptions();
  op.requests.splice(0);
});

async function launch(options: { dir: string; protector: ReturnType<typeof testKeychain>; clock: FakeClock; session?: object }) {
  const policy = {
    session: options.session ?? {},
    localAccounts: { enabled: false },
    data: { sample: { rows: 200 } },
    providers: {
      oidc: [
        {
          id: 'rogue',
          displayName: 'Rogue OP',
          issuer: op.issuer,
          clientId: op.clientId,
          roleMapping: { [ADMIN_CLAIM]: ['admin'] },
        },
      ],
    },
  };
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.2.3', platform: 'linux' },
    paths: { userData: options.dir },
    keyProtector: () => options.protector,
    configLayers: async () => [{ source: 'policy.json', kind: 'policy' as const, value: policy }],
    authSurface: new FetchingAuthSurface(),
    clock: options.clock,
  });
  onTestFinished(() => app.close());
  await app.dataSettled();
  const call = async <C extends ChannelName>(channel: C, payload: ChannelPayload<C>) => {
    const result = (await app.registry.dispatch(channel, trustedSender, payload)) as IpcResult<ChannelValue<C>>;
    await app.flush();
    return result;
  };
  const ok = async <C extends ChannelName>(channel: C, payload: ChannelPayload<C>) => {
    const result = await call(channel, payload);
    if (!result.ok) throw new Error(`${channel} failed: ${result.code} ${result.message}`);
    return result.value;
  };
  return { app, call, ok };
}

async function signedIn(session: object = {}) {
  const options = { dir: path.join(await tempDir(), 'userData'), protector: testKeychain(), clock: new FakeClock(), session };
  const running = await launch(options);
  await running.ok('auth:start-sso', { providerId: 'rogue' });
  return { ...running, options };
}

const prompts = () => op.requests.filter((r) => r.path === '/authorize').map((r) => new URLSearchParams(r.query).get('prompt'));

describe('unlocking an SSO session', () => {
  it('is a new sign-in at its IdP that must authenticate again (prompt=login), as the same person', async () => {
    const { ok, call, options } = await signedIn();
    options.clock.advance(15 * MIN);
    expect(await call('data:list-datasets', {})).toMatchObject({ ok: false, code: 'SESSION_LOCKED' });
    const summary = await ok('session:unlock-sso', {});
    expect(summary).toMatchObject({ locked: false, user: { id: `rogue:${ROGUE_OP_SUB}` } });
    expect(prompts()).toEqual([null, 'login']);
    expect(await call('data:list-datasets', {})).toMatchObject({ ok: true });
    const unlocks = (await ok('audit:query', { action: 'auth.unlock' })).entries;
    expect(unlocks.map((e) => e.details)).toEqual([{ method: 'oidc', provider: 'rogue' }]);
  });

  it('refuses another person at the IdP: SSO_DIFFERENT_USER, still locked, audited', async () => {
    const { ok, call, options } = await signedIn();
    options.clock.advance(15 * MIN);
    op.setOptions({ sub: 'someone-else' });
    expect(await call('session:unlock-sso', {})).toMatchObject({ ok: false, code: 'SSO_DIFFERENT_USER' });
    expect(await ok('session:get-current', {})).toMatchObject({ locked: true, user: { id: `rogue:${ROGUE_OP_SUB}` } });
    expect(await call('data:list-datasets', {})).toMatchObject({ ok: false, code: 'SESSION_LOCKED' });
    op.resetOptions();
    await ok('session:unlock-sso', {});
    const failed = (await ok('audit:query', { action: 'auth.sign-in-failed' })).entries;
    expect(failed.map((e) => e.details)).toEqual([{ method: 'sso', reason: 'SSO_DIFFERENT_USER', unlock: true }]);
  });

  it('a password unlock of an SSO session is refused', async () => {
    const { call, options } = await signedIn();
    options.clock.advance(15 * MIN);
    expect(await call('session:unlock', { password: 'anything at all' })).toMatchObject({ ok: false, code: 'PERMISSION_DENIED' });
  });
});

describe('a kept sign-in restored at the next launch', () => {
  it('starts locked when Portico quit while locked: quitting and starting again does not open it', async () => {
    const first = await signedIn();
    first.options.clock.advance(15 * MIN);
    expect(await first.call('data:list-datasets', {})).toMatchObject({ ok: false, code: 'SESSION_LOCKED' });
    await first.app.flush();
    await first.app.close();

    const second = await launch(first.options);
    expect(await second.ok('session:get-current', {})).toMatchObject({ locked: true, user: { id: `rogue:${ROGUE_OP_SUB}` } });
    expect(await second.call('data:list-datasets', {})).toMatchObject({ ok: false, code: 'SESSION_LOCKED' });
    await second.ok('session:unlock-sso', {});
    await second.app.flush();
    await second.app.close();

    // Unlocked, then quit: the next launch opens as kept sign-ins always did.
    const third = await launch(first.options);
    expect(await third.ok('session:get-current', {})).toMatchObject({ locked: false });
  });

  it('starts open when Portico quit while open', async () => {
    const first = await signedIn();
    await first.app.flush();
    await first.app.close();
    const second = await launch(first.options);
    expect(await second.ok('session:get-current', {})).toMatchObject({ locked: false, user: { id: `rogue:${ROGUE_OP_SUB}` } });
  });
});

describe('the last sign-in, for the sign-in screen', () => {
  it('names the provider last used (never anything secret)', async () => {
    const { ok } = await signedIn();
    const info = await ok('app:get-info', {});
    expect(info.lastSignIn).toEqual({ method: 'sso', providerId: 'rogue' });
  });

  it('is not kept when policy says so (session.rememberLastSignIn: false), and what was kept is forgotten', async () => {
    const first = await signedIn();
    await first.app.flush();
    await first.app.close();
    const second = await launch({ ...first.options, session: { rememberLastSignIn: false } });
    expect((await second.ok('app:get-info', {})).lastSignIn).toBeNull();
    await second.app.flush();
    await second.app.close();
    const third = await launch(first.options);
    expect((await third.ok('app:get-info', {})).lastSignIn).toBeNull();
  });
});
