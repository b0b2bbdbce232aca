/**
 * The Chromium test host: Portico's real main-process code (createApp) under Node, the
 * production renderer build served from the app origin through the same asset function
 * Electron's app:// handler uses, the production preload bundle in the page, and the OS
 * keychain (gnome-keyring) as KeyProtector. Only the Electron binary is missing.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { createApp, type PorticoApp } from '../../main/app';
import type { Clock } from '../../main/platform';
import { readConfigLayers } from '../../main/config-paths';
import { serveAppAsset } from '../../main/shell/app-protocol';
import { KeychainKeyProtector } from './keychain-key-protector';
import { SafeStorageKeyProtector } from '../../main/vault/safe-storage-key-protector';
import { basicTextSafeStorageStandIn } from './basic-text-safe-storage';
import type { IpcSender } from '../../main/ipc/sender';
import { IPC_BINDING, preloadInitScript } from './preload-runner';
import { ChromiumAuthSurface, closeWithin, navigateWithoutWaiting } from './chromium-auth-surface';
import { chromiumLaunchOptions } from './chromium';

/** Not resolvable (RFC 6761 `.test`): every request to it is answered by the host itself. */
export const TEST_APP_ORIGIN = 'https://portico.test';
export const ROOT = path.resolve(__dirname, '../..');
export const RENDERER_DIR = path.join(ROOT, 'out/renderer');
export const PRELOAD_FILE = path.join(ROOT, 'out/preload/index.js');
export const KEYCHAIN_ACCOUNT = 'vault-key';

export interface TestHostOptions {
  browser: Browser;
  userDataDir: string;
  /** Keychain service name: one per test, so every test starts with an empty keychain. */
  keychainService: string;
  clock?: Clock;
  /** A machine policy file for this run (read through PORTICO_POLICY, as IT's file would be). */
  policyFile?: string | null;
  /**
   * `os-keychain` (default): the real OS keychain. `basic-text-stand-in`: Electron's safeStorage
   * on Linux without a keyring (a stand-in, see basic-text-safe-storage.ts).
   */
  keyStorage?: 'os-keychain' | 'basic-text-stand-in';
  /** Answers the save dialog: a path, or null to cancel. Default: `<userDataDir>/exports/<name>`. */
  chooseSavePath?: (defaultName: string) => string | null;
}

export interface TestHost {
  app: PorticoApp;
  context: BrowserContext;
  page: Page;
  /** Auth windows the app opened (SAML/OIDC), newest last. */
  authWindows: Page[];
  /** Messages the page logged as console errors (CSP violations show up here). */
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function launchTestHost(options: TestHostOptions): Promise<TestHost> {
  for (const file of [path.join(RENDERER_DIR, 'index.html'), PRELOAD_FILE]) {
    if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run build\` first.`);
  }
  const authWindows: Page[] = [];
  const env: NodeJS.ProcessEnv = options.policyFile ? { PORTICO_POLICY: options.policyFile } : {};
  // Persistent sign-in partitions: a Chromium profile of their own in the user-data folder.
  const authSurface = new ChromiumAuthSurface(options.browser, authWindows, {
    dir: path.join(options.userDataDir, 'Partitions'),
    launch: (profileDir) => chromium.launchPersistentContext(profileDir, chromiumLaunchOptions()),
  });
  const app = await createApp({
    identity: { origin: TEST_APP_ORIGIN, version: 'test-host', platform: process.platform },
    paths: { userData: options.userDataDir },
    // The same files, layers and schema the Electron app reads; the policy through PORTICO_POLICY
    // (not the test runner's own environment, which could name other files).
    configLayers: () => readConfigLayers(options.userDataDir, process.platform, env),
    env,
    saveDialog: {
      chooseSavePath: async ({ defaultName }) => {
        const chosen = options.chooseSavePath
          ? options.chooseSavePath(defaultName)
          : exportPath(options.userDataDir, defaultName);
        if (chosen) await fs.mkdir(path.dirname(chosen), { recursive: true });
        return chosen;
      },
    },
    keyProtector: (config) =>
      options.keyStorage === 'basic-text-stand-in'
        ? new SafeStorageKeyProtector(
            basicTextSafeStorageStandIn,
            path.join(options.userDataDir, 'vault.key'),
            'linux',
            config.security.allowWeakKeyStorage,
          )
        : new KeychainKeyProtector(options.keychainService, KEYCHAIN_ACCOUNT),
    authSurface,
    // "The system browser": a separate browser context, like the user's own browser profile.
    systemBrowser: {
      open: async (url) => {
        const browserContext = await options.browser.newContext();
        const tab = await browserContext.newPage();
        authWindows.push(tab);
        void navigateWithoutWaiting(tab, url).catch(() => undefined);
      },
    },
    clock: options.clock,
  });

  const context = await options.browser.newContext();
  // Permission requests are denied, as session.setPermissionRequestHandler does in the app.
  await context.clearPermissions();
  await context.route(
    (url) => url.origin === TEST_APP_ORIGIN,
    async (route) => {
      const asset = await serveAppAsset(RENDERER_DIR, route.request().url(), TEST_APP_ORIGIN);
      await route.fulfill({ status: asset.status, headers: asset.headers, body: asset.body });
    },
  );
  // Nothing else is reachable from the app page (in Electron: will-navigate / window.open
  // denied, CSP connect-src 'self'). Registered last, so it is consulted first by Playwright
  // only for URLs the app-origin route does not match.
  await context.route(
    (url) => url.origin !== TEST_APP_ORIGIN,
    (route) => route.abort('blockedbyclient'),
  );
  const page = await context.newPage();
  await page.exposeBinding(IPC_BINDING, async (source: { frame: Frame; page: Page }, channel: unknown, payload: unknown) => {
    if (typeof channel !== 'string') return { ok: false, code: 'UNKNOWN_CHANNEL', message: 'Bad channel.' };
    return app.registry.dispatch(channel, senderOf(source, page), payload);
  });
  await page.addInitScript({ content: preloadInitScript(PRELOAD_FILE, TEST_APP_ORIGIN) });

  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(`${TEST_APP_ORIGIN}/index.html`);

  return {
    app,
    context,
    page,
    authWindows,
    consoleErrors,
    close: async () => {
      // Bounded: a context whose page is mid-navigation (an IdP redirect) can make close() wait
      // on Chromium; a test's teardown must never hang on that.
      await Promise.all(authWindows.map((w) => closeWithin(() => w.context().close())));
      // Persistent partitions stop their own Chromium; their profiles stay on disk, as at quit.
      await authSurface.closeAll();
      await closeWithin(() => context.close());
      // As at quit: pending writes land, then the data engine's worker stops.
      await app.flush();
      await app.close();
    },
  };
}

function senderOf(source: { frame: Frame; page: Page }, appPage: Page): IpcSender {
  let url: string | null;
  try {
    url = source.frame.url();
  } catch {
    url = null; // the frame is gone
  }
  return { url, isMainFrame: source.frame.parentFrame() === null, isAppWindow: source.page === appPage };
}

/** Writes the configuration the app reads at start (same schema as the config file). */
export async function writeConfig(userDataDir: string, config: unknown): Promise<void> {
  await fs.mkdir(userDataDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(path.join(userDataDir, 'config.json'), JSON.stringify(config, null, 2));
}

/** Where the test host's save dialog puts a file by default. */
export function exportPath(userDataDir: string, name: string): string {
  return path.join(userDataDir, 'exports', name);
}
