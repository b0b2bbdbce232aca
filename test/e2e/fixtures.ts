/**
 * The e2e fixture. Specs are host-agnostic: they get `{ page, authWindows, userDataDir }`
 * and set IT's machine policy with `test.use({ porticoPolicy: {...} })` (read through
 * PORTICO_POLICY) and the person's own config.json with `test.use({ porticoConfig: {...} })`.
 *
 * - Default host: the Chromium test host (test/host/): real createApp, renderer build,
 *   preload bundle and OS keychain (run under scripts/with-keyring.mjs).
 * - PORTICO_E2E_HOST=electron: the same specs through Playwright's `_electron` against the
 *   built app (out/main/index.js), on a machine that has the Electron binary.
 *
 * Each test gets a fresh user-data dir and keychain entry. `portico.restart()` closes the
 * app and starts it again on the same user-data dir and keychain (an app restart) and
 * returns the new page.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, _electron, type Page } from '@playwright/test';
import { KeychainKeyProtector } from '../host/keychain-key-protector';
import type { PorticoApp } from '../../main/app';
import { exportPath, KEYCHAIN_ACCOUNT, launchTestHost, ROOT, writeConfig, type TestHost } from '../host/test-host';
import { TestClock } from '../host/test-clock';

export type PorticoConfigInput = Record<string, unknown>;

export interface PorticoHandle {
  /** Stops the app and starts it again on the same user-data dir and keychain. */
  restart(): Promise<Page>;
  /** The running app's main-process object (test host only; null under Electron). */
  app(): PorticoApp | null;
  /** Console errors logged by the app page (CSP violations appear here). */
  consoleErrors(): string[];
  /** The SSO windows of the app running now (after a restart, the new app's; `authWindows` is the first's). */
  authWindows(): Page[];
  /** Moves main's clock forward (test host only; null under Electron). */
  clock: TestClock | null;
  /** Where the save dialog puts exports (the user "picks" this folder). */
  exportsDir: string;
  /** The next save dialog is cancelled, as a user pressing Cancel. */
  cancelNextSave(): void;
  /** Replaces IT's policy file (read at the next start); the test must have set `porticoPolicy`. */
  writePolicy(policy: PorticoConfigInput): Promise<void>;
}

interface Fixtures {
  /**
   * The person's own config.json. It may only tighten a few keys (see main/policy/user-settable.ts);
   * anything else (providers, data, access, looser limits) belongs in `porticoPolicy`.
   */
  porticoConfig: PorticoConfigInput;
  /** IT's machine policy for the test (null: none), read through PORTICO_POLICY. */
  porticoPolicy: PorticoConfigInput | null;
  /** Test host only: `basic-text-stand-in` plays Linux without a keyring (see test/host/basic-text-safe-storage.ts). */
  keyStorage: 'os-keychain' | 'basic-text-stand-in';
  userDataDir: string;
  portico: PorticoHandle;
  page: Page;
  authWindows: Page[];
}

const isElectron = process.env.PORTICO_E2E_HOST === 'electron';

export const test = base.extend<Fixtures>({
  porticoConfig: [{}, { option: true }],
  porticoPolicy: [null, { option: true }],
  keyStorage: ['os-keychain', { option: true }],

  userDataDir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'portico-e2e-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },

  portico: async ({ browser, porticoConfig, porticoPolicy, keyStorage, userDataDir }, use) => {
    await writeConfig(userDataDir, porticoConfig);
    const keychainService = `portico-e2e-${randomUUID()}`;
    const policyFile = porticoPolicy ? path.join(userDataDir, 'machine-policy.json') : null;
    if (policyFile) await writeFile(policyFile, JSON.stringify(porticoPolicy, null, 2));
    const exportsDir = exportPath(userDataDir, '');
    let cancelNext = false;
    const chooseSavePath = (name: string) => {
      if (!cancelNext) return exportPath(userDataDir, name);
      cancelNext = false;
      return null;
    };
    const hostOptions = { browser, userDataDir, keychainService, policyFile, chooseSavePath, keyStorage };
    const clock = isElectron ? null : new TestClock();
    const launch = async () =>
      isElectron
        ? launchElectron(userDataDir, policyFile, exportsDir)
        : wrapHost(await launchTestHost({ ...hostOptions, clock: clock! }));
    let current: Running = await launch();
    const handle: PorticoHandle & { current(): Running } = {
      current: () => current,
      restart: async () => {
        await current.close();
        current = isElectron
          ? await launchElectron(userDataDir, policyFile, exportsDir)
          : wrapHost(await launchTestHost(hostOptions));
        return current.page;
      },
      app: () => current.app,
      consoleErrors: () => current.consoleErrors,
      authWindows: () => current.authWindows,
      clock,
      exportsDir,
      cancelNextSave: () => {
        cancelNext = true;
      },
      writePolicy: async (policy) => {
        if (!policyFile) throw new Error('writePolicy needs a test with porticoPolicy set (PORTICO_POLICY is fixed at launch).');
        await writeFile(policyFile, JSON.stringify(policy, null, 2));
      },
    };
    await use(handle);
    await current.close();
    if (!isElectron) await new KeychainKeyProtector(keychainService, KEYCHAIN_ACCOUNT).deleteKey().catch(() => undefined);
  },

  page: async ({ portico }, use) => {
    await use((portico as PorticoHandle & { current(): Running }).current().page);
  },

  authWindows: async ({ portico }, use) => {
    await use((portico as PorticoHandle & { current(): Running }).current().authWindows);
  },
});

export { expect } from '@playwright/test';

interface Running {
  page: Page;
  authWindows: Page[];
  app: PorticoApp | null;
  consoleErrors: string[];
  close(): Promise<void>;
}

function wrapHost(host: TestHost): Running {
  return { page: host.page, authWindows: host.authWindows, app: host.app, consoleErrors: host.consoleErrors, close: host.close };
}

/** Playwright's Electron host: the built app with its own userData (see main/index.ts). */
async function launchElectron(userDataDir: string, policyFile: string | null, exportsDir: string): Promise<Running> {
  const electronApp = await _electron.launch({
    args: [path.join(ROOT, 'out/main/index.js')],
    env: { ...process.env, PORTICO_USER_DATA_DIR: userDataDir, ...(policyFile ? { PORTICO_POLICY: policyFile } : {}) },
  });
  // The native save dialog cannot be clicked: answer it with a file in exportsDir (cancel is test-host only).
  await electronApp.evaluate(async ({ dialog }, dir) => {
    const { join, basename } = await import('node:path');
    dialog.showSaveDialog = (async (...args: unknown[]) => {
      const options = args[args.length - 1] as { defaultPath?: string };
      return { canceled: false, filePath: join(dir, basename(options.defaultPath ?? 'export')) };
    }) as typeof dialog.showSaveDialog;
  }, exportsDir);
  const page = await electronApp.firstWindow();
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  const authWindows: Page[] = [];
  electronApp.on('window', (w) => w !== page && authWindows.push(w));
  return { page, authWindows, app: null, consoleErrors, close: () => electronApp.close() };
}
