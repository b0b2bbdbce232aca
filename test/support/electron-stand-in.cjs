/**
 * STAND-IN for the `electron` module (the Electron binary cannot run here), loaded with
 * `node -r ./test/support/electron-stand-in.cjs out/main/index.js`. It records what the built
 * main process asks of Electron (IPC handlers, windows and their webPreferences, the menu,
 * permission / navigation / window-open handlers, the app:// protocol), then plays the
 * events Electron would send (the window loads, an IPC call from the window, a permission
 * request, a navigation, a window.open) and writes everything to the JSON file named by
 * PORTICO_STANDIN_RECORD. Nothing here decides anything: it only lets
 * test/unit/main/index-wiring.test.ts check main/index.ts's decisions.
 *
 * PORTICO_STANDIN_PACKAGED=1 plays a packaged build (app.isPackaged).
 * Its safeStorage "encrypts" with a key held in this process only: a stand-in, never storage.
 */
'use strict';
const Module = require('node:module');
const { createCipheriv, createDecipheriv, randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const record = {
  argv: process.argv.slice(2),
  events: [],
  ipcChannels: [],
  windows: [],
  menu: null,
  aboutPanel: null,
  privilegedSchemes: null,
  loaded: null,
  channelsAtLoad: null,
  checks: {},
  exitCode: null,
};
const event = (name, detail) => record.events.push(detail === undefined ? name : { name, ...detail });

function write() {
  if (process.env.PORTICO_STANDIN_RECORD) fs.writeFileSync(process.env.PORTICO_STANDIN_RECORD, JSON.stringify(record, null, 2));
}

class Emitter {
  constructor() {
    this.listeners = new Map();
  }
  on(name, fn) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return this;
  }
  once(name, fn) {
    return this.on(name, fn);
  }
  emit(name, ...args) {
    for (const fn of this.listeners.get(name) ?? []) fn(...args);
  }
}

const handlers = new Map();
const paths = { userData: path.join(os.tmpdir(), 'portico-standin'), downloads: os.tmpdir() };
const app = new Emitter();
Object.assign(app, {
  isPackaged: process.env.PORTICO_STANDIN_PACKAGED === '1',
  whenReady: () => Promise.resolve(),
  getPath: (name) => paths[name] ?? os.tmpdir(),
  setPath: (name, value) => (paths[name] = value),
  getVersion: () => '0.0.0-standin',
  getName: () => 'Portico',
  enableSandbox: () => event('enableSandbox'),
  requestSingleInstanceLock: () => true,
  setAboutPanelOptions: (options) => (record.aboutPanel = options),
  quit: () => {
    event('quit');
    app.emit('quit');
  },
  exit: (code) => {
    record.exitCode = code;
    write();
    process.exit(code);
  },
});

let webContentsId = 0;
class WebContents extends Emitter {
  constructor() {
    super();
    this.id = ++webContentsId;
    this.windowOpenHandler = null;
  }
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
}

class BrowserWindow extends Emitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.destroyed = false;
    record.windows.push({ options });
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) {
    record.loaded = url;
    record.channelsAtLoad = [...record.ipcChannels];
    await playEvents(this);
    write();
    process.exit(0);
  }
  show() {}
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
  isMinimized() {
    return false;
  }
  focus() {}
}

const defaultSession = {
  permissionRequestHandler: null,
  permissionCheckHandler: null,
  setPermissionRequestHandler(fn) {
    this.permissionRequestHandler = fn;
  },
  setPermissionCheckHandler(fn) {
    this.permissionCheckHandler = fn;
  },
};

const protocolHandlers = new Map();
const key = randomBytes(32);
const electron = {
  app,
  BrowserWindow,
  ipcMain: {
    handle: (channel, fn) => {
      record.ipcChannels.push(channel);
      handlers.set(channel, fn);
    },
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes) => (record.privilegedSchemes = schemes),
    handle: (scheme, fn) => protocolHandlers.set(scheme, fn),
  },
  session: {
    defaultSession,
    fromPartition: () => ({
      setPermissionRequestHandler() {},
      clearStorageData: async () => {},
      webRequest: { onBeforeRequest() {} },
    }),
  },
  safeStorage: {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (text) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString: (data) => {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  },
  Menu: {
    buildFromTemplate: (template) => ({ template }),
    setApplicationMenu: (menu) => (record.menu = menu ? menu.template : null),
  },
  shell: { openExternal: async (url) => event('openExternal', { url }) },
  dialog: { showSaveDialog: async () => ({ canceled: true }) },
};

/** What Electron would do once the window loads: the events main/index.ts must answer. */
async function playEvents(window) {
  const checks = record.checks;
  checks.permissionRequest = await new Promise((resolve) =>
    defaultSession.permissionRequestHandler(window.webContents, 'media', resolve, {}),
  );
  checks.permissionCheck = defaultSession.permissionCheckHandler(window.webContents, 'notifications', 'app://portico', {});
  checks.windowOpen = window.webContents.windowOpenHandler({ url: 'https://evil.test/' });
  const navigate = (url) => {
    let prevented = false;
    window.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  checks.navigateAway = navigate('https://evil.test/');
  checks.navigateLookalike = navigate('app://portico.evil/index.html');
  checks.navigateInApp = navigate('app://portico/index.html');
  let webviewPrevented = false;
  window.webContents.emit('will-attach-webview', { preventDefault: () => (webviewPrevented = true) });
  checks.webviewPrevented = webviewPrevented;
  // An IPC call from the app window's top frame, and the same call from another origin.
  const fromWindow = { sender: window.webContents, senderFrame: { url: 'app://portico/index.html', parent: null } };
  checks.ipcFromWindow = await handlers.get('app:get-info')(fromWindow, {});
  const foreign = { sender: window.webContents, senderFrame: { url: 'https://evil.test/', parent: null } };
  checks.ipcFromForeignOrigin = await handlers.get('app:get-info')(foreign, {});
  const response = await protocolHandlers.get('app')(new Request('app://portico/index.html'));
  checks.appProtocol = { status: response.status, csp: response.headers.get('content-security-policy') };
}

// Electron's main process lives until app.exit() or quit, whatever Node's event loop holds.
const alive = setInterval(() => undefined, 60_000);
app.on('quit', () => clearInterval(alive));

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'electron') return electron;
  return load.call(this, request, parent, isMain);
};
process.on('exit', (code) => {
  if (record.exitCode === null) record.exitCode = code;
  write();
});
