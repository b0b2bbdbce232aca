/**
 * The auth window in Electron: its own session partition (no cookies shared with the app), no
 * preload, sandboxed. The partition is in memory, or with `persistent` (policy
 * `session.keepIdpSignIn`) a `persist:` partition under the user-data folder, whose cookies
 * Electron encrypts with the OS-protected key (the EnableCookieEncryption fuse, set by
 * scripts/after-pack.mjs); sign-out clears both. The IdP's request to the callback URL (SAML
 * ACS POST, OIDC redirect) is caught with webRequest.onBeforeRequest and cancelled, so no
 * port must be free and nothing listens. Written against Electron's types only (imported
 * for types): main/index.ts passes the real modules in.
 */
import type { BrowserWindow as BrowserWindowType, Session } from 'electron';
import { AuthCancelledError, type AuthSurface, type CallbackRequest } from '../platform';
import { settleOnce } from './settle-once';
import { isCallbackUrl } from './callback-matcher';
import { idpErrorPage } from './idp-error-page';

export interface ElectronAuthDeps {
  BrowserWindow: typeof BrowserWindowType;
  sessionFromPartition: (partition: string) => Session;
  parent: () => BrowserWindowType | null;
  /** Developer tools in the sign-in window: never in a packaged build. */
  devTools: boolean;
}

export function createElectronAuthSurface(deps: ElectronAuthDeps): AuthSurface {
  // Without "persist:" a partition lives in memory and ends with the app.
  const partitionName = (name: string, persistent: boolean) => `${persistent ? 'persist:' : ''}portico-auth-${name}`;
  return {
    clearPartition: async (name) => {
      for (const persistent of [false, true]) {
        const session = deps.sessionFromPartition(partitionName(name, persistent));
        await session.clearStorageData();
        await session.clearCache();
      }
    },
    open: ({ url, callbackUrl, timeoutMs, signal, partition: name, persistent = false }) =>
      new Promise<CallbackRequest>((resolve, reject) => {
        const partition = partitionName(name, persistent);
        const session = deps.sessionFromPartition(partition);
        session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
        const window = new deps.BrowserWindow({
          parent: deps.parent() ?? undefined,
          width: 520,
          height: 720,
          title: 'Sign in — Portico',
          autoHideMenuBar: true,
          webPreferences: {
            partition,
            sandbox: true,
            contextIsolation: true,
            nodeIntegration: false,
            webSecurity: true,
            devTools: deps.devTools,
          },
        });
        window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));

        const settle = settleOnce({
          timeoutMs,
          signal,
          reject,
          cleanup: () => {
            if (!window.isDestroyed()) window.destroy();
          },
        });

        const target = new URL(callbackUrl);
        session.webRequest.onBeforeRequest(
          { urls: [`${target.protocol}//${target.host}${target.pathname}*`] },
          (details, callback) => {
            if (!isCallbackUrl(details.url, callbackUrl)) return callback({});
            callback({ cancel: true });
            const body = details.uploadData?.map((part) => (part.bytes ? part.bytes.toString('utf8') : '')).join('') ?? null;
            // Chromium writes cookies to disk in batches: the IdP's session must survive a crash too.
            if (persistent) session.cookies.flushStore().catch(() => undefined);
            settle(() => resolve({ method: details.method, url: details.url, body }));
          },
        );
        // An IdP error page (HTTP 4xx/5xx) ends the wait at once, with what it said.
        window.webContents.on('did-navigate', (_event, navigated, status) => {
          const error = idpErrorPage(navigated, status, callbackUrl);
          if (error) settle(() => reject(error));
        });
        window.on('closed', () => settle(() => reject(new AuthCancelledError())));
        window.loadURL(url).catch(() => undefined); // A cancelled callback load rejects: expected.
      }),
  };
}
