/**
 * main/index.ts, the one file that wires Electron, run as built (out/main/index.js) under
 * Node against a recording STAND-IN of the `electron` module (test/support/electron-stand-in.cjs;
 * the Electron binary cannot run here). It checks what only that file decides: every contract
 * channel is registered before the window loads; the preload and renderer paths it uses exist
 * in the build output; the window's webPreferences are the ones the pure policy decides; the
 * permission, navigation and window-open handlers refuse; the menu; and the command-line modes
 * that print and exit without a window.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channels } from '../../../preload/contract';
import { appWindowWebPreferences } from '../../../main/shell/navigation-policy';
import { tempDir } from '../helpers';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'out/main/index.js');
const STAND_IN = path.join(ROOT, 'test/support/electron-stand-in.cjs');

interface StandInRecord {
  ipcChannels: string[];
  channelsAtLoad: string[] | null;
  loaded: string | null;
  windows: { options: { webPreferences: Record<string, unknown> & { preload: string } } }[];
  menu: { role?: string; submenu?: { role?: string }[] }[] | null;
  aboutPanel: Record<string, unknown> | null;
  checks: Record<string, unknown>;
  exitCode: number | null;
}

/** Runs the built main process once; resolves with its record, stdout and exit code. */
async function runMain(options: { args?: string[]; packaged?: boolean; stdin?: string } = {}) {
  if (!existsSync(MAIN)) throw new Error('out/main/index.js is missing: run `npm run build` first.');
  const dir = await tempDir();
  const recordFile = path.join(dir, 'record.json');
  const policy = path.join(dir, 'policy.json');
  await fs.writeFile(policy, JSON.stringify({ data: { sample: { rows: 1000 } } }));
  const child = spawn(process.execPath, ['-r', STAND_IN, MAIN, ...(options.args ?? [])], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      PORTICO_USER_DATA_DIR: path.join(dir, 'userData'),
      PORTICO_POLICY: policy,
      PORTICO_STANDIN_RECORD: recordFile,
      PORTICO_STANDIN_PACKAGED: options.packaged ? '1' : '0',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const record = existsSync(recordFile) ? (JSON.parse(await fs.readFile(recordFile, 'utf8')) as StandInRecord) : null;
  return { record, stdout, stderr, code };
}

const contractChannels = Object.keys(channels).sort();

describe('main/index.ts (built) against a stand-in electron', () => {
  it('registers every contract channel before the window loads, and loads the app origin', async () => {
    const { record, code, stderr } = await runMain();
    expect(code, stderr).toBe(0);
    expect(record!.loaded).toBe('app://portico/index.html');
    expect([...record!.channelsAtLoad!].sort()).toEqual(contractChannels);
    expect(new Set(record!.ipcChannels).size).toBe(record!.ipcChannels.length);
  }, 120_000);

  it('uses a preload and renderer that exist in the build output, and the webPreferences the policy decides', async () => {
    const { record } = await runMain({ packaged: true });
    const prefs = record!.windows[0]!.options.webPreferences;
    expect(existsSync(prefs.preload)).toBe(true);
    expect(path.relative(ROOT, prefs.preload)).toBe(path.join('out', 'preload', 'index.js'));
    expect(existsSync(path.join(path.dirname(prefs.preload), '../renderer/index.html'))).toBe(true);
    expect(prefs).toMatchObject(appWindowWebPreferences(prefs.preload, { packaged: true }));
    expect(prefs.devTools).toBe(false);
    // The app:// protocol serves the built renderer with its CSP.
    expect(record!.checks.appProtocol).toMatchObject({ status: 200, csp: expect.stringContaining("script-src 'self'") });
  }, 120_000);

  it('denies permissions, foreign navigation, window.open and webviews; answers IPC only from its window origin', async () => {
    const { record } = await runMain();
    expect(record!.checks).toMatchObject({
      permissionRequest: false,
      permissionCheck: false,
      windowOpen: { action: 'deny' },
      navigateAway: true,
      navigateLookalike: true,
      navigateInApp: false,
      webviewPrevented: true,
      ipcFromWindow: { ok: true, value: { name: 'Portico', status: { state: 'needs-setup' } } },
      ipcFromForeignOrigin: { ok: false, code: 'FORBIDDEN_SENDER' },
    });
  }, 120_000);

  it('sets Portico’s own menu: no developer tools when packaged, an About entry with the version', async () => {
    const { record } = await runMain({ packaged: true });
    const roles = JSON.stringify(record!.menu);
    expect(roles).not.toContain('toggleDevTools');
    expect(roles).toContain('"about"');
    expect(record!.aboutPanel).toMatchObject({ applicationVersion: '0.0.0-standin' });
  }, 120_000);

  it('--diagnostics prints a JSON report and exits without opening a window', async () => {
    const { record, stdout, code } = await runMain({ args: ['--diagnostics'] });
    expect(record!.windows).toEqual([]);
    expect([0, 2]).toContain(code);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'portico-diagnostics/1', versions: { app: '0.0.0-standin' } });
  }, 120_000);

  it('--reset-admin-password refuses an unknown administrator without opening a window', async () => {
    const { record, stderr, code } = await runMain({
      args: ['--reset-admin-password', 'nobody'],
      stdin: 'saffron-harbour-kettle-moss\n',
    });
    expect(record!.windows).toEqual([]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no administrator account named "nobody"/);
    expect(stderr).not.toContain('saffron-harbour-kettle-moss');
  }, 120_000);
});
