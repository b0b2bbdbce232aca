#!/usr/bin/env node
/**
 * Runs a command inside a throw-away D-Bus session with a fresh, unlocked gnome-keyring
 * (its own XDG_DATA_HOME), so tests use the real OS keychain without touching the user's.
 * Where dbus-run-session is missing (macOS, Windows) the command runs as is, against the
 * platform keychain.
 */
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-keyring <command> [args...]');
  process.exit(2);
}

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const bin = (name) => (has(name) ? name : path.join('node_modules', '.bin', name));

let child;
let dataHome;
if (
  process.platform === 'linux' &&
  has('dbus-run-session') &&
  has('gnome-keyring-daemon') &&
  !process.env.PORTICO_KEYRING_READY
) {
  dataHome = mkdtempSync(path.join(tmpdir(), 'portico-keyring-'));
  const password = randomBytes(12).toString('hex');
  const script =
    'printf %s "$PORTICO_KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && unset PORTICO_KEYRING_PW && exec "$@"';
  child = spawn('dbus-run-session', ['--', 'sh', '-c', script, 'sh', bin(command), ...args], {
    stdio: 'inherit',
    env: { ...process.env, XDG_DATA_HOME: dataHome, PORTICO_KEYRING_PW: password, PORTICO_KEYRING_READY: '1' },
  });
} else {
  if (process.platform === 'linux' && !process.env.PORTICO_KEYRING_READY) {
    console.error('with-keyring: dbus-run-session or gnome-keyring-daemon missing; run `npm run system-deps`.');
    process.exit(2);
  }
  child = spawn(bin(command), args, { stdio: 'inherit' });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (dataHome) rmSync(dataHome, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
