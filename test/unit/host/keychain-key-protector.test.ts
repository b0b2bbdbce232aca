import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KeyStorageError } from '../../../main/platform';
import { toKeyStorageError } from '../../host/keychain-key-protector';
import { tempDir, testKeychain } from '../helpers';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const PROTECTOR_MODULE = path.join(ROOT, 'test', 'host', 'keychain-key-protector.ts');

/**
 * Runs `op` on a KeychainKeyProtector in a child process with `env` (the native binding may
 * keep its D-Bus connection, so a broken bus must be a fresh process) and returns the outcome.
 */
async function inChild(
  op: 'assertAvailable' | 'loadKey' | 'storeKey',
  env: NodeJS.ProcessEnv,
  command: string[] = [],
): Promise<{ ok: boolean; name?: string; code?: string; message?: string; value?: unknown }> {
  const dir = await tempDir();
  const script = path.join(dir, 'child.ts');
  await fs.writeFile(
    script,
    `import { KeychainKeyProtector } from ${JSON.stringify(PROTECTOR_MODULE)};
const p = new KeychainKeyProtector(process.env.PORTICO_TEST_SERVICE!, 'vault-key');
const op = ${JSON.stringify(op)};
(op === 'storeKey' ? p.storeKey(Buffer.alloc(32, 1)) : p[op]()).then(
  (value) => console.log(JSON.stringify({ ok: true, value: value ?? null })),
  (e) => console.log(JSON.stringify({ ok: false, name: e.name, code: e.code, message: e.message })),
);\n`,
  );
  const argv = [...command, TSX, script];
  const { stdout } = await run(argv[0]!, argv.slice(1), {
    env: { PORTICO_TEST_SERVICE: `portico-unit-${randomUUID()}`, ...env },
    cwd: ROOT,
    timeout: 30_000,
  });
  const last = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last) as { ok: boolean; name?: string; code?: string; message?: string };
}

describe('KeychainKeyProtector (real OS keychain)', () => {
  it('stores, loads and deletes a key', async () => {
    const protector = testKeychain();
    await protector.assertAvailable();
    expect(protector.backend).toBe('os-keychain');
    expect(await protector.loadKey()).toBeNull();

    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    await protector.storeKey(key);
    expect((await protector.loadKey())?.equals(key)).toBe(true);

    // Another entry (other service) does not see it.
    expect(await testKeychain().loadKey()).toBeNull();

    await protector.deleteKey();
    expect(await protector.loadKey()).toBeNull();
  });

  it.each(['assertAvailable', 'loadKey', 'storeKey'] as const)(
    '%s without a D-Bus session fails with KEY_STORAGE_UNAVAILABLE and says what to do',
    async (op) => {
      const outcome = await inChild(op, {
        ...process.env,
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(await tempDir(), 'no-such-bus')}`,
      });
      expect(outcome.ok).toBe(false);
      expect(outcome.name).toBe('KeyStorageError');
      expect(outcome.code).toBe('KEY_STORAGE_UNAVAILABLE');
      expect(outcome.message).toMatch(/cannot reach the OS keychain/);
      expect(outcome.message).toMatch(/Start your desktop's keyring service .* and restart Portico/);
    },
  );

  it('with a locked keyring fails with KEY_STORAGE_LOCKED (real gnome-keyring, never unlocked)', async () => {
    const dataHome = await tempDir();
    // Same entry in both runs; no display, so the unlock prompt cannot show and is dismissed.
    const env = {
      ...process.env,
      XDG_DATA_HOME: dataHome,
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
      PORTICO_TEST_SERVICE: `portico-unit-${randomUUID()}`,
    };
    // First bus: create a password-protected login keyring holding an entry.
    const unlockAndStore = [
      'dbus-run-session',
      '--',
      'sh',
      '-c',
      'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"',
      'sh',
    ];
    expect((await inChild('storeKey', env, unlockAndStore)).ok).toBe(true);
    // Second bus: the daemon starts with that keyring locked.
    const startLocked = [
      'dbus-run-session',
      '--',
      'sh',
      '-c',
      'gnome-keyring-daemon --start --components=secrets >/dev/null && exec "$@"',
      'sh',
    ];
    const outcome = await inChild('loadKey', env, startLocked);
    expect(outcome).toMatchObject({ ok: false, name: 'KeyStorageError', code: 'KEY_STORAGE_LOCKED' });
    expect(outcome.message).toMatch(/locked\. Unlock it .* restart Portico/);
  });
});

describe('toKeyStorageError', () => {
  it('maps a dismissed unlock prompt to KEY_STORAGE_LOCKED', () => {
    const error = toKeyStorageError(new Error("Couldn't access platform storage: Secret Service: unlock prompt was dismissed"));
    expect(error).toBeInstanceOf(KeyStorageError);
    expect(error.code).toBe('KEY_STORAGE_LOCKED');
    expect(error.message).toMatch(/Unlock it/);
  });

  it('maps other failures to KEY_STORAGE_UNAVAILABLE and keeps the cause in the message', () => {
    const error = toKeyStorageError(new Error("Couldn't access platform storage: no daemon"));
    expect(error.code).toBe('KEY_STORAGE_UNAVAILABLE');
    expect(error.message).toContain('no daemon');
    expect(toKeyStorageError('a string').code).toBe('KEY_STORAGE_UNAVAILABLE');
  });
});
