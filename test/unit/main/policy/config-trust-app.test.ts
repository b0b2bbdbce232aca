/**
 * The local trust boundary, end to end through createApp and real files: the person's own
 * config.json may only tighten (a viewer cannot grant themselves permissions or loosen the
 * lockout), and every change of the effective configuration between two starts is audited
 * as admin.settings-changed. Real vault, real OS keychain, real files read by readConfigLayers.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../../../main/app';
import { AUDIT_FILE } from '../../../../main/audit/audit-log';
import { readConfigLayers } from '../../../../main/config-paths';
import { CONFIG_HASHES_SECRET } from '../../../../main/policy/config-change';
import type { KeychainKeyProtector } from '../../../host/keychain-key-protector';
import { PERMISSIONS } from '../../../../preload/constants';
import type { ChannelName, ChannelPayload, IpcResult } from '../../../../preload/contract';
import {
  APP_ORIGIN,
  FakeClock,
  GOOD_PASSWORD,
  OTHER_GOOD_PASSWORD,
  snapshotDir,
  tempDir,
  testKeychain,
  trustedSender,
} from '../../helpers';

const ADMIN = { username: 'root', displayName: 'Root Admin', password: GOOD_PASSWORD };
const VIEWER = { username: 'vera', displayName: 'Vera Viewer', password: OTHER_GOOD_PASSWORD, roles: ['viewer' as const] };
/** IT's policy in these tests: a small sample dataset (the data engine is not under test). */
const BASE_POLICY = { data: { sample: { rows: 500 } } };

interface Profile {
  userData: string;
  policyFile: string;
  protector: KeychainKeyProtector;
  clock: FakeClock;
  writeSettings(value: unknown): Promise<void>;
  writePolicy(value: unknown): Promise<void>;
}

async function profile(): Promise<Profile> {
  const root = await tempDir();
  const userData = path.join(root, 'userData');
  await fs.mkdir(userData);
  const policyFile = path.join(root, 'policy.json');
  const p: Profile = {
    userData,
    policyFile,
    protector: testKeychain(),
    clock: new FakeClock(),
    writeSettings: (value) => fs.writeFile(path.join(userData, 'config.json'), JSON.stringify(value)),
    writePolicy: (value) => fs.writeFile(policyFile, JSON.stringify(value)),
  };
  await p.writePolicy(BASE_POLICY);
  return p;
}

async function start(p: Profile) {
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.2.3', platform: 'linux' },
    paths: { userData: p.userData },
    keyProtector: () => p.protector,
    // The same reader as the Electron app: config.json in the profile, the policy via PORTICO_POLICY.
    configLayers: () => readConfigLayers(p.userData, 'linux', { PORTICO_POLICY: p.policyFile }),
    clock: p.clock,
  });
  onTestFinished(() => app.close());
  async function call<C extends ChannelName>(channel: C, payload: ChannelPayload<C>): Promise<IpcResult<unknown>> {
    const result = (await app.registry.dispatch(channel, trustedSender, payload)) as IpcResult<unknown>;
    await app.flush();
    return result;
  }
  async function ok<C extends ChannelName>(channel: C, payload: ChannelPayload<C>): Promise<unknown> {
    const result = await call(channel, payload);
    if (!result.ok) throw new Error(`${channel} failed: ${result.code} ${result.message}`);
    return result.value;
  }
  return { app, call, ok, status: () => app.status() };
}

async function auditRecords(
  p: Profile,
): Promise<Array<{ action: string; actor: string | null; details?: Record<string, unknown> }>> {
  const text = await fs.readFile(path.join(p.userData, AUDIT_FILE), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { action: string; actor: string | null; details?: Record<string, unknown> });
}

const settingsChanges = async (p: Profile) => (await auditRecords(p)).filter((r) => r.action === 'admin.settings-changed');

describe('the person’s own config.json', () => {
  it('cannot make a viewer an administrator: Portico stops with CONFIG_INVALID naming the key, and changes nothing', async () => {
    const p = await profile();
    const first = await start(p);
    await first.ok('setup:create-admin', ADMIN);
    await first.ok('users:create', VIEWER);
    await first.app.close();
    const before = await snapshotDir(p.userData);

    // The viewer edits their own settings and restarts.
    await p.writeSettings({ access: { rolePermissions: { viewer: [...PERMISSIONS] } } });
    const second = await start(p);
    const status = second.status();
    expect(status).toMatchObject({ state: 'error', code: 'CONFIG_INVALID' });
    if (status.state !== 'error') throw new Error('unreachable');
    expect(status.message).toContain('access.rolePermissions.viewer');
    expect(status.message).toContain(path.join(p.userData, 'config.json'));
    expect(status.message).toMatch(/only IT can set/);
    expect(await second.call('auth:sign-in-local', { username: 'vera', password: VIEWER.password })).toMatchObject({
      ok: false,
      code: 'APP_UNAVAILABLE',
    });
    // Nothing was opened or written: vault, audit log, everything as before (config.json aside).
    const after = await snapshotDir(p.userData);
    delete after['config.json'];
    expect(after).toEqual(before);
  });

  it('cannot loosen the lockout (cheap guessing on a shared profile), naming every loosened key', async () => {
    const p = await profile();
    await p.writeSettings({ localAccounts: { maxFailures: 100, lockoutMinutes: 0.01, backoffBaseMs: 0 } });
    const status = (await start(p)).status();
    expect(status).toMatchObject({ state: 'error', code: 'CONFIG_INVALID' });
    if (status.state !== 'error') throw new Error('unreachable');
    for (const key of ['localAccounts.maxFailures', 'localAccounts.lockoutMinutes', 'localAccounts.backoffBaseMs']) {
      expect(status.message).toContain(key);
      expect(status.detail).toContain(`${key}:`);
    }
  });

  it('cannot configure an identity provider', async () => {
    const p = await profile();
    await p.writeSettings({
      providers: {
        oidc: [{ id: 'evil', displayName: 'Evil', issuer: 'https://evil.example', clientId: 'x', clientSecret: 'my-s3cret' }],
      },
    });
    const status = (await start(p)).status();
    expect(status).toMatchObject({ state: 'error', code: 'CONFIG_INVALID' });
    if (status.state !== 'error') throw new Error('unreachable');
    expect(status.message).toContain('providers.oidc');
    expect(JSON.stringify(status)).not.toContain('my-s3cret');
  });

  it('may tighten the lockout, and the tighter value is what applies', async () => {
    const p = await profile();
    // IT's policy allows 3 failures; the person's settings lower it to 2.
    await p.writePolicy({ ...BASE_POLICY, localAccounts: { maxFailures: 3, backoffBaseMs: 0 } });
    await p.writeSettings({ localAccounts: { maxFailures: 2 } });
    const first = await start(p);
    expect(first.app.config?.localAccounts.maxFailures).toBe(2);
    await first.ok('setup:create-admin', ADMIN);
    await first.ok('users:create', VIEWER);
    await first.ok('auth:sign-out', {});
    const wrong = () => first.call('auth:sign-in-local', { username: 'vera', password: 'wrong-password-here' });
    expect(await wrong()).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
    // The second failure locks (under IT's 3 it would not yet).
    expect(await wrong()).toMatchObject({ ok: false, code: 'ACCOUNT_LOCKED' });
    expect(await first.call('auth:sign-in-local', { username: 'vera', password: VIEWER.password })).toMatchObject({
      ok: false,
      code: 'ACCOUNT_LOCKED',
    });
  });
});

describe('admin.settings-changed', () => {
  it('is not written at the first start, nor when nothing changed; the kept hashes are in the vault', async () => {
    const p = await profile();
    const first = await start(p);
    await first.ok('setup:create-admin', ADMIN);
    await first.app.close();
    const second = await start(p);
    expect(second.status()).toEqual({ state: 'ready' });
    await second.app.close();
    expect(await settingsChanges(p)).toEqual([]);
    expect((await auditRecords(p)).filter((r) => r.action === 'app.start')).toHaveLength(2);
    // Kept encrypted in the vault, not in a file beside it.
    const files = await fs.readdir(p.userData);
    for (const file of files.filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'))) {
      expect(await fs.readFile(path.join(p.userData, file), 'utf8')).not.toContain(CONFIG_HASHES_SECRET);
    }
  });

  it('is written at the next start when IT’s policy changed, naming the sections and never the values', async () => {
    const p = await profile();
    const first = await start(p);
    await first.ok('setup:create-admin', ADMIN);
    await first.app.close();

    const secret = 'policy-client-s3cret-9f2b';
    await p.writePolicy({
      ...BASE_POLICY,
      access: { rolePermissions: { viewer: ['data.read', 'data.export'] } },
      providers: {
        oidc: [{ id: 'corp', displayName: 'Corp', issuer: 'https://idp.corp.example', clientId: 'p', clientSecret: secret }],
      },
    });
    const second = await start(p);
    expect(second.status()).toEqual({ state: 'ready' });
    await second.app.close();
    const changes = await settingsChanges(p);
    expect(changes).toEqual([
      expect.objectContaining({ actor: null, action: 'admin.settings-changed', details: { sections: 'access,providers' } }),
    ]);
    // Recorded after this start's app.start, once.
    const actions = (await auditRecords(p)).map((r) => r.action);
    expect(actions.lastIndexOf('admin.settings-changed')).toBeGreaterThan(actions.lastIndexOf('app.start'));
    const log = await fs.readFile(path.join(p.userData, AUDIT_FILE), 'utf8');
    expect(log).not.toContain(secret);
    expect(log).not.toContain('idp.corp.example');

    // Started again with the same policy: nothing more to record.
    const third = await start(p);
    await third.app.close();
    expect(await settingsChanges(p)).toHaveLength(1);
  });

  it('is written when the person’s own settings tighten a key, and again when they remove it', async () => {
    const p = await profile();
    await (await start(p)).app.close();
    await p.writeSettings({ session: { idleMinutes: 5 } });
    await (await start(p)).app.close();
    await fs.rm(path.join(p.userData, 'config.json'));
    await (await start(p)).app.close();
    expect((await settingsChanges(p)).map((r) => r.details)).toEqual([{ sections: 'session' }, { sections: 'session' }]);
  });

  it('is not written by a start that refused the configuration', async () => {
    const p = await profile();
    await (await start(p)).app.close();
    await p.writeSettings({ localAccounts: { maxFailures: 50 } });
    expect((await start(p)).status()).toMatchObject({ state: 'error', code: 'CONFIG_INVALID' });
    expect(await settingsChanges(p)).toEqual([]);
  });
});
