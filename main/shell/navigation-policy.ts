/**
 * Decisions for the app window's web contents (Electron security checklist #12-#15), as
 * pure functions so they are unit-tested. Origins are compared after URL parsing.
 */
import { originOf } from '../ipc/sender';

/** In-app navigation: only within our own origin (the SPA never navigates, but reloads do). */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  const origin = originOf(url);
  return origin !== null && origin === originOf(appOrigin);
}

/**
 * `shell.openExternal` only for https URLs whose origin (and path prefix) matches an entry
 * of the allow-list. `file:`, `smb:`, `javascript:` and everything else is refused.
 */
export function isAllowedExternalUrl(url: string, allowList: readonly string[]): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.protocol !== 'https:' || target.username || target.password) return false;
  return allowList.some((entry) => {
    let allowed: URL;
    try {
      allowed = new URL(entry);
    } catch {
      return false;
    }
    if (allowed.protocol !== 'https:' || allowed.origin !== target.origin) return false;
    const prefix = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
    return allowed.pathname === '/' || target.pathname === allowed.pathname || target.pathname.startsWith(prefix);
  });
}

/** Loopback hosts, as the URL parser writes them. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The IdP pages Portico opens in the system browser (OIDC system-browser sign-in and logout,
 * RFC 8252): https, or http on this machine's loopback (as the configuration schema allows for
 * test issuers). Parsed with URL: `http://127.0.0.1.evil.test/` is not loopback.
 */
export function isAllowedSignInPageUrl(url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.username || target.password) return false;
  return target.protocol === 'https:' || (target.protocol === 'http:' && LOOPBACK_HOSTS.has(target.hostname));
}

/**
 * webPreferences for the app window: Electron security checklist #2-#4, #6. A packaged build
 * has no developer tools: they would let whoever sits at the window run script in it.
 */
export function appWindowWebPreferences(preloadPath: string, { packaged }: { packaged: boolean }) {
  return {
    preload: preloadPath,
    devTools: !packaged,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    // Middle-click opens new windows even with window.open denied (Electronegativity AUXCLICK).
    disableBlinkFeatures: 'Auxclick',
  } as const;
}
