/**
 * Electron wiring, and nothing else: everything here is a port implementation or a call
 * into createApp, which runs unchanged under Node in the test host. Kept thin on purpose:
 * the Electron binary cannot run in our CI, so logic here is logic untested.
 * References: https://www.electronjs.org/docs/latest/tutorial/security (checklist items cited).
 */
import os from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron';
import { createApp } from './app';
import { readConfigLayers } from './config-paths';
import { serveAppAsset } from './shell/app-protocol';
import {
  appWindowWebPreferences,
  isAllowedExternalUrl,
  isAllowedNavigation,
  isAllowedSignInPageUrl,
} from './shell/navigation-policy';
import { SafeStorageKeyProtector } from './vault/safe-storage-key-protector';
import { decideUpdateCheck, type UpdateFeed } from './policy/updates-config';
import { createElectronAuthSurface } from './shell/electron-auth-surface';
import { aboutPanelOptions, appMenuTemplate } from './shell/app-menu';
import type { IpcSender } from './ipc/sender';
import { runDiagnostics } from './diagnostics/run';
import { runSpMetadata, SP_METADATA_FLAG } from './auth/saml/sp-metadata-cli';
import { parseConfig } from './policy/load-config';
import { readSecretLine, recoveryRequest, runPasswordRecovery } from './recovery-cli';
import type { PorticoConfig } from './policy/config-schema';

const APP_ORIGIN = 'app://portico';
const RENDERER_DIR = path.join(__dirname, '../renderer');
const PRELOAD = path.join(__dirname, '../preload/index.js');

// Checklist #5: a custom, standard, secure scheme instead of file://.
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();
// Lets IT and the e2e suite (Playwright `_electron`) point Portico at another profile folder.
if (process.env.PORTICO_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.PORTICO_USER_DATA_DIR));

let mainWindow: BrowserWindow | null = null;
let externalAllowList: readonly string[] = [];

const recovery = recoveryRequest(process.argv);

if (recovery) {
  // `Portico --reset-admin-password <username>`: an administrator's way back (docs/account-recovery.md).
  // No window; the single-instance lock makes sure no running Portico holds the vault.
  void app.whenReady().then(async () => {
    if ('error' in recovery) {
      console.error(recovery.error);
      return app.exit(2);
    }
    if (!app.requestSingleInstanceLock()) {
      console.error('Quit Portico first, then run this command again.');
      return app.exit(1);
    }
    const userData = app.getPath('userData');
    const code = await runPasswordRecovery({
      username: recovery.username,
      interactive: process.stdin.isTTY === true,
      readSecret: (prompt) => readSecretLine(process.stdin, process.stderr, prompt),
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      start: () => createApp(corePorts(userData)),
    }).catch((error: unknown) => {
      console.error('[portico] account recovery failed', error);
      return 1;
    });
    app.exit(code);
  });
} else if (process.argv.includes('--diagnostics')) {
  // `Portico --diagnostics > report.json`: the diagnostics report, then quit; no window, and
  // no single-instance lock (it may run beside an open Portico). Exit 0: nothing wrong, 2: a
  // problem found, 1: the report could not be made. Reads only; changes nothing.
  void app
    .whenReady()
    .then(async () => {
      const userData = app.getPath('userData');
      const { report, exitCode } = await runDiagnostics({
        userData,
        platform: process.platform,
        arch: process.arch,
        env: process.env,
        versions: process.versions,
        appVersion: app.getVersion(),
        osRelease: os.release(),
        keyProtector: (allowWeak) =>
          new SafeStorageKeyProtector(safeStorage, path.join(userData, 'vault.key'), process.platform, allowWeak),
      });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`, () => app.exit(exitCode));
    })
    .catch((error: unknown) => {
      console.error('[portico] diagnostics failed', error);
      app.exit(1);
    });
} else if (process.argv.includes(SP_METADATA_FLAG)) {
  // `Portico --sp-metadata --provider <id> > sp.xml`: the SAML SP metadata for IT to register
  // Portico at the IdP, then quit; no window, no lock, no vault: reads the configuration only.
  // Exit codes as main/auth/saml/sp-metadata-cli.ts (tested there) says.
  void app
    .whenReady()
    .then(() =>
      runSpMetadata({
        argv: process.argv,
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
        appConfig: async () => parseConfig(await readConfigLayers(app.getPath('userData'), process.platform, process.env)),
        usage: 'Portico --sp-metadata --provider <provider id> [--config <policy file>] [--out <file>]',
      }),
    )
    .then((code) => process.stdout.write('', () => app.exit(code)))
    .catch((error: unknown) => {
      console.error('[portico] SP metadata failed', error);
      app.exit(1);
    });
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('web-contents-created', (_event, contents) => {
    // Checklist #14: no new windows, no webviews, in any web contents (auth windows too).
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Checklist #15: openExternal only for allow-listed https URLs.
      // Reviewed for Electronegativity: only https URLs on IT's allow-list reach openExternal.
      if (isAllowedExternalUrl(url, externalAllowList)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
      return { action: 'deny' };
    });
  });
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  // Portico's own menu (no developer tools or electronjs.org links when packaged), set before
  // any window exists: windows take the application menu they are created with.
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(appMenuTemplate({ appName: 'Portico', platform: process.platform, packaged: app.isPackaged })),
  );
  app.setAboutPanelOptions(aboutPanelOptions('Portico', app.getVersion()));
  // Checklist #5: deny every permission request (camera, notifications, geolocation...).
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  protocol.handle('app', async (request) => {
    const asset = await serveAppAsset(RENDERER_DIR, request.url, APP_ORIGIN);
    return new Response(new Uint8Array(asset.body), { status: asset.status, headers: asset.headers });
  });

  const userData = app.getPath('userData');
  const portico = await createApp({
    ...corePorts(userData),
    // System-browser sign-in (OIDC, RFC 8252): only the IdP's authorization and logout URLs,
    // https (or http on this machine's loopback, as the configuration schema allows for issuers).
    systemBrowser: {
      open: async (url) => {
        if (!isAllowedSignInPageUrl(url)) throw new Error('Only https sign-in pages open in the browser.');
        await shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
      },
    },
    authSurface: createElectronAuthSurface({
      BrowserWindow,
      sessionFromPartition: (partition) => session.fromPartition(partition, { cache: false }),
      parent: () => mainWindow,
      devTools: !app.isPackaged,
    }),
    // Exports and support bundles: the native save dialog, attached to the app window.
    saveDialog: {
      chooseSavePath: async ({ title, defaultName, filters }) => {
        const options: Electron.SaveDialogOptions = {
          title,
          defaultPath: path.join(app.getPath('downloads'), defaultName),
          filters,
          // Linux dialogs replace an existing file silently unless asked to confirm.
          properties: ['showOverwriteConfirmation', 'createDirectory'],
        };
        const answer = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
        return answer.canceled || !answer.filePath ? null : answer.filePath;
      },
    },
  });
  externalAllowList = portico.config?.security.externalUrlAllowList ?? [];
  // Updates only when the policy turns them on (main/policy/updates-config.ts decides).
  const updates = decideUpdateCheck(portico.config?.updates, process.env, app.isPackaged);
  if (updates.check) void startUpdates(updates.feed);
  else console.info(`[portico] ${updates.reason}`);
  // Finish writing the kept session and audit records, and stop the data engine, before the process exits.
  let flushed = false;
  app.on('before-quit', (event) => {
    if (flushed) return;
    event.preventDefault();
    portico.cancelSignIn();
    void portico
      .flush()
      .then(() => portico.close())
      .finally(() => {
        flushed = true;
        app.quit();
      });
  });

  for (const channel of portico.registry.registeredChannels()) {
    ipcMain.handle(channel, (event, payload: unknown) => portico.registry.dispatch(channel, senderOf(event), payload));
  }

  mainWindow = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 520,
    title: 'Portico',
    show: false,
    webPreferences: {
      ...appWindowWebPreferences(PRELOAD, { packaged: app.isPackaged }),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  // Checklist #13: the app window never navigates away from the app. (Auth windows must
  // follow the IdP's redirects; they have no preload and their own partition instead.)
  mainWindow.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, APP_ORIGIN)) event.preventDefault();
  });
  mainWindow.webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, APP_ORIGIN)) event.preventDefault();
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = null));
  await mainWindow.loadURL(`${APP_ORIGIN}/index.html`);
}

/** The ports every way of starting Portico shares: identity, profile, configuration, keychain, log. */
function corePorts(userData: string) {
  return {
    identity: { origin: APP_ORIGIN, version: app.getVersion(), platform: process.platform },
    paths: { userData },
    configLayers: () => readConfigLayers(userData, process.platform, process.env),
    keyProtector: (config: PorticoConfig) =>
      new SafeStorageKeyProtector(
        safeStorage,
        path.join(userData, 'vault.key'),
        process.platform,
        config.security.allowWeakKeyStorage,
      ),
    log: {
      info: (message: string, fields?: Record<string, unknown>) => console.info(`[portico] ${message}`, fields ?? ''),
      error: (message: string, fields?: Record<string, unknown>) => console.error(`[portico] ${message}`, fields ?? ''),
    },
  };
}

/**
 * electron-updater from IT's server: loaded only when updates are on. It verifies what it
 * downloads (sha512 from latest*.yml; on Windows the installer's signer, on macOS the code
 * signature) and installs on quit.
 */
async function startUpdates(feed: UpdateFeed): Promise<void> {
  const { autoUpdater } = await import('electron-updater');
  autoUpdater.logger = { info: console.info, warn: console.warn, error: console.error, debug: () => {} };
  autoUpdater.allowDowngrade = false;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.setFeedURL(feed);
  const check = () =>
    autoUpdater.checkForUpdates().catch((error: unknown) => console.error('[portico] update check failed', error));
  await check();
  setInterval(check, 4 * 3600_000).unref();
}

/** Checklist #17: the IPC sender is checked by frame URL and window identity. */
function senderOf(event: IpcMainInvokeEvent): IpcSender {
  const frame = event.senderFrame;
  return {
    url: frame?.url ?? null,
    isMainFrame: frame !== null && frame.parent === null,
    isAppWindow: mainWindow !== null && event.sender === mainWindow.webContents,
  };
}
