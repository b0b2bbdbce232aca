/**
 * A kept OIDC sign-in across restarts, through createApp as the app runs it (real vault on the OS
 * keychain, real audit log, the IPC registry), against the rogue OP: with `session.persistSession`
 * the session itself is kept too, and it must not outlive what the IdP says at the next launch.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createApp, type Logger } from '../../../../../../main/app';
import type { ChannelName, ChannelPayload, IpcResult } from '../../../../../../preload/contract';
import { ROGUE_OP_SUB, startRogueOp, type HttpMisbehaviour, type RogueOp } from '../../../../../idp/oidc/rogue-op';
import { APP_ORIGIN, tempDir, testKeychain, trustedSender } from '../../../../helpers';
import { ADMIN_CLAIM, FetchingAuthSurface, withAdminRole } from './support';

let op: RogueOp;
beforeAll(async () => {
  op = await startRogueOp({ idToken: withAdminRole });
});
afterAll(() => op.stop());
afterEach(() => {
  op.resetOptions();
  op.requests.splice(0);
});

type Launch = Awaited<ReturnType<typeof launch>>;

/** One start of Portico on `dir` (same keychain entry each time): IT's policy names the rogue OP. */
async function launch(dir: string, protector: ReturnType<typeof testKeychain>, maxOfflineHours = 0) {
  const logs: Array<[string, Record<string, unknown> | undefined]> = [];
  const log: Logger = { info: (m, f) => logs.push([m, f]), error: (m, f) => logs.push([m, f]) };
  const policy = {
    session: { persistSession: true },
    localAccounts: { enabled: false },
    data: { sample: { enabled: false } },
    providers: {
      oidc: [
        {
          id: 'rogue',
          displayName: 'Rogue OP',
          issuer: op.issuer,
          clientId: op.clientId,
          roleMapping: { [ADMIN_CLAIM]: ['admin'] },
          maxOfflineHours,
        },
      ],
    },
  };
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.2.3', platform: 'linux' },
    paths: { userData: dir },
    keyProtector: () => protector,
    configLayers: async () => [{ source: 'policy.json', kind: 'policy' as const, value: policy }],
    authSurface: new FetchingAuthSurface(),
    log,
  });
  onTestFinished(() => app.close());
  const call = async <C extends ChannelName>(channel: C, payload: ChannelPayload<C>) => {
    const result = (await app.registry.dispatch(channel, trustedSender, payload)) as IpcResult<unknown>;
    await app.flush();
    return result;
  };
  const session = async () => {
    const result = await call('session:get-current', {});
    return result.ok ? (result.value as { user: { id: string; username: string } } | null) : null;
  };
  const notice = async () => {
    const result = await call('app:get-info', {});
    return result.ok ? (result.value as { signInNotice: string | null }).signInNotice : null;
  };
  return { app, logs, call, session, notice };
}

async function auditRecords(dir: string): Promise<Array<Record<string, unknown>>> {
  const text = await fs.readFile(path.join(dir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Signed in through IPC, then Portico quits (everything written). */
async function signedInAndQuit(maxOfflineHours = 0): Promise<{ dir: string; protector: ReturnType<typeof testKeychain> }> {
  const dir = path.join(await tempDir(), 'userData');
  const protector = testKeychain();
  const first: Launch = await launch(dir, protector, maxOfflineHours);
  const signedIn = await first.call('auth:start-sso', { providerId: 'rogue' });
  expect(signedIn).toMatchObject({ ok: true, value: { user: { id: `rogue:${ROGUE_OP_SUB}` } } });
  await first.app.flush();
  await first.app.close();
  return { dir, protector };
}

describe('persistSession: the kept session ends when the IdP refuses the kept sign-in at launch', () => {
  const refusals: Array<[string, HttpMisbehaviour]> = [
    ['invalid_grant', { kind: 'status', status: 400, body: { error: 'invalid_grant', error_description: 'revoked' } }],
    ['invalid_request', { kind: 'status', status: 400, body: { error: 'invalid_request' } }],
    ['unauthorized_client', { kind: 'status', status: 401, body: { error: 'unauthorized_client' } }],
    ['a bare 403 without an OAuth error', { kind: 'status', status: 403, body: 'Forbidden' }],
  ];
  for (const [name, answer] of refusals) {
    it(`${name}: signed out at launch, told why, and the refusal is logged and audited with provider and reason`, async () => {
      const { dir, protector } = await signedInAndQuit();
      op.setOptions({ http: { '/token': answer } });
      const next = await launch(dir, protector);
      expect(await next.session()).toBeNull();
      expect(await next.notice()).toBe('Your sign-in with Rogue OP has ended (it was revoked or expired). Sign in again.');
      const logged = next.logs.find(([message]) => message.startsWith('OIDC sign-in ended'));
      console.log(JSON.stringify(next.logs));
      expect(logged?.[1]).toMatchObject({ provider: 'rogue', during: 'launch', code: 'OIDC_PROVIDER_ERROR' });
      const ended = (await auditRecords(dir)).filter((r) => r.action === 'auth.session-expired');
      expect(ended).toEqual([
        expect.objectContaining({
          actor: expect.any(String),
          target: 'rogue',
          details: expect.objectContaining({ reason: 'idp-refused-refresh', during: 'launch', refusal: 'OIDC_PROVIDER_ERROR' }),
        }),
      ]);
      // Still ended at the launch after (nothing kept to restore, no session kept).
      op.resetOptions();
      const third = await launch(dir, protector);
      expect(await third.session()).toBeNull();
    });
  }

  it('an answer Portico refuses (an ID token issued a day ahead) ends it too, with the reason', async () => {
    const { dir, protector } = await signedInAndQuit(24);
    op.setOptions({
      idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], iat: Number(ctx.claims.iat) + 86_400 }),
    });
    const next = await launch(dir, protector, 24);
    expect(await next.session()).toBeNull();
    expect(await next.notice()).toBe('Rogue OP did not confirm your sign-in (OIDC_EXPIRED). Sign in again.');
    const ended = (await auditRecords(dir)).filter((r) => r.action === 'auth.session-expired');
    expect(ended).toEqual([expect.objectContaining({ details: expect.objectContaining({ refusal: 'OIDC_EXPIRED' }) })]);
  });

  it('no answer (connection reset at the token endpoint) within maxOfflineHours: the kept session stays', async () => {
    const { dir, protector } = await signedInAndQuit(1);
    op.setOptions({ http: { '/token': { kind: 'reset' } } });
    const next = await launch(dir, protector, 1);
    expect(await next.session()).toMatchObject({ user: { id: `rogue:${ROGUE_OP_SUB}` } });
    expect(await next.notice()).toBeNull();
    expect((await auditRecords(dir)).some((r) => r.action === 'auth.session-expired')).toBe(false);
    // The IdP answers again at the next launch: still signed in, the kept sign-in refreshed.
    op.resetOptions();
    const third = await launch(dir, protector, 1);
    expect(await third.session()).toMatchObject({ user: { id: `rogue:${ROGUE_OP_SUB}` } });
  });

  it('no answer, maxOfflineHours 0: the kept session ends with "could not reach", the kept sign-in stays for later', async () => {
    const { dir, protector } = await signedInAndQuit(0);
    op.setOptions({ http: { '/token': { kind: 'status', status: 503, body: 'maintenance' } } });
    const next = await launch(dir, protector);
    expect(await next.session()).toBeNull();
    expect(await next.notice()).toMatch(/^Portico could not reach Rogue OP/);
    op.resetOptions();
    const third = await launch(dir, protector);
    expect(await third.session()).toMatchObject({ user: { id: `rogue:${ROGUE_OP_SUB}` } });
  });
});
