/**
 * `Portico --reset-admin-password <username>`, the sole administrator's way back: run against
 * createApp on a real profile (vault on the OS keychain, real argon2, the audit log), as
 * main/index.ts runs it, with standard input and output as plain functions.
 */
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp, type PorticoApp } from '../../../main/app';
import { recoveryRequest, runPasswordRecovery, type RecoveryCliDeps } from '../../../main/recovery-cli';
import type { ConfigLayer } from '../../../main/policy/load-config';
import type { KeychainKeyProtector } from '../../host/keychain-key-protector';
import type { ChannelName, ChannelPayload, IpcResult } from '../../../preload/contract';
import { APP_ORIGIN, FakeClock, GOOD_PASSWORD, OTHER_GOOD_PASSWORD, tempDir, testKeychain, trustedSender } from '../helpers';

const ADMIN = { username: 'root', displayName: 'Root Admin', password: GOOD_PASSWORD };
const SIGN_IN = { username: ADMIN.username, password: ADMIN.password };
const NEW_PASSWORD = 'saffron-harbour-kettle-moss';

interface Profile {
  dir: string;
  protector: KeychainKeyProtector;
  clock: FakeClock;
  layers: ConfigLayer[];
}

async function newProfile(policy: Record<string, unknown> = {}): Promise<Profile> {
  const layers: ConfigLayer[] = [
    { source: 'policy.json', kind: 'policy', value: { data: { sample: { rows: 1000 } }, ...policy } },
  ];
  return { dir: path.join(await tempDir(), 'userData'), protector: testKeychain(), clock: new FakeClock(), layers };
}

async function open(profile: Profile): Promise<PorticoApp> {
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.2.3', platform: 'linux' },
    paths: { userData: profile.dir },
    keyProtector: () => profile.protector,
    configLayers: async () => profile.layers,
    clock: profile.clock,
  });
  onTestFinished(() => app.close());
  return app;
}

async function call<C extends ChannelName>(app: PorticoApp, channel: C, payload: ChannelPayload<C>) {
  const result = (await app.registry.dispatch(channel, trustedSender, payload)) as IpcResult<unknown>;
  await app.flush();
  return result;
}

/** The command as main/index.ts runs it; returns its exit code and what it printed. */
async function recover(profile: Profile, username: string, answers: string[], interactive = false) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: RecoveryCliDeps = {
    username,
    interactive,
    readSecret: async () => answers.shift() ?? '',
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    start: () => open(profile),
  };
  const code = await runPasswordRecovery(deps);
  return { code, out: out.join(''), err: err.join('') };
}

/** A profile whose sole administrator locked themselves out. */
async function lockedOutAdmin(): Promise<Profile> {
  const profile = await newProfile({ localAccounts: { maxFailures: 3, backoffBaseMs: 0, lockoutMinutes: 60 } });
  const app = await open(profile);
  expect((await call(app, 'setup:create-admin', ADMIN)).ok).toBe(true);
  await call(app, 'auth:sign-out', {});
  for (let i = 0; i < 3; i++) await call(app, 'auth:sign-in-local', { username: ADMIN.username, password: 'not-the-password-1' });
  expect(await call(app, 'auth:sign-in-local', SIGN_IN)).toMatchObject({ ok: false, code: 'ACCOUNT_LOCKED' });
  await app.close();
  return profile;
}

describe('recoveryRequest', () => {
  it('reads the username after the flag, and nothing without the flag', () => {
    expect(recoveryRequest(['portico', '--reset-admin-password', 'root'])).toEqual({ username: 'root' });
    expect(recoveryRequest(['portico', '--diagnostics'])).toBeNull();
  });

  it.each([[['portico', '--reset-admin-password']], [['portico', '--reset-admin-password', '--diagnostics']]])(
    'asks for the username when it is missing (%j)',
    (argv) => {
      expect(recoveryRequest(argv)).toEqual({ error: expect.stringMatching(/Usage/) });
    },
  );
});

describe('runPasswordRecovery', () => {
  it('lets a locked-out sole administrator back in with a new password, and audits it', async () => {
    const profile = await lockedOutAdmin();
    const result = await recover(profile, 'ROOT', [NEW_PASSWORD]);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/reset and any lockout cleared/);
    expect(result.out + result.err).not.toContain(NEW_PASSWORD);

    const app = await open(profile);
    expect(await call(app, 'auth:sign-in-local', SIGN_IN)).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
    expect(await call(app, 'auth:sign-in-local', { username: 'root', password: NEW_PASSWORD })).toMatchObject({ ok: true });
    const audit = await call(app, 'audit:query', { action: 'users.reset-password' });
    expect(audit).toMatchObject({
      ok: true,
      value: { entries: [expect.objectContaining({ actor: '(account recovery)', target: 'root' })] },
    });
  });

  it('asks twice on a terminal and changes nothing when the two differ', async () => {
    const profile = await lockedOutAdmin();
    const result = await recover(profile, 'root', [NEW_PASSWORD, OTHER_GOOD_PASSWORD], true);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/differ/);
    const app = await open(profile);
    expect(await call(app, 'auth:sign-in-local', { username: 'root', password: NEW_PASSWORD })).toMatchObject({
      ok: false,
      code: 'ACCOUNT_LOCKED',
    });
  });

  it('refuses a weak password with the rule, and keeps the old one', async () => {
    const profile = await newProfile();
    const app = await open(profile);
    await call(app, 'setup:create-admin', ADMIN);
    await app.close();
    const result = await recover(profile, 'root', ['password1234']);
    expect(result.code).toBe(1);
    expect(result.err.length).toBeGreaterThan(10);
    const again = await open(profile);
    expect(await call(again, 'auth:sign-in-local', SIGN_IN)).toMatchObject({ ok: true });
  });

  it('resets only administrators: an unknown name or an ordinary user is refused', async () => {
    const profile = await newProfile();
    const app = await open(profile);
    await call(app, 'setup:create-admin', ADMIN);
    await call(app, 'users:create', { username: 'vera', displayName: 'Vera', password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
    await app.close();
    for (const username of ['nobody', 'vera']) {
      const result = await recover(profile, username, [NEW_PASSWORD]);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/no administrator account named/);
    }
    const again = await open(profile);
    expect(await call(again, 'auth:sign-in-local', { username: 'vera', password: OTHER_GOOD_PASSWORD })).toMatchObject({
      ok: true,
    });
  });

  it('says why when the profile cannot be opened (the keychain entry is gone), and changes nothing', async () => {
    const profile = await lockedOutAdmin();
    await profile.protector.deleteKey();
    const result = await recover(profile, 'root', [NEW_PASSWORD]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/cannot open this profile/);
  });
});
