/**
 * The sign-in window's IdP error page (main/shell/idp-error-page.ts): which answers end the wait at
 * once, and the Electron surface's use of it (did-navigate), with a stand-in for Electron's window
 * (the Electron binary cannot run here; the test host's Chromium surface runs in e2e).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { BrowserWindow, Session } from 'electron';
import { AuthCancelledError, AuthIdpErrorPageError } from '../../../../main/platform';
import { idpErrorPage, isIdpErrorStatus } from '../../../../main/shell/idp-error-page';
import { createElectronAuthSurface } from '../../../../main/shell/electron-auth-surface';

const CALLBACK = 'https://portico.invalid/saml/corp/acs';

describe('idpErrorPage', () => {
  it('takes 4xx and 5xx pages for errors, but not 401 and 407 (credentials asked for) nor redirects', () => {
    expect([400, 403, 404, 429, 500, 503].every(isIdpErrorStatus)).toBe(true);
    expect([200, 204, 302, 303, 401, 407].some(isIdpErrorStatus)).toBe(false);
  });

  it('names the page by origin and path only: the query may carry the SAML request or a code', () => {
    const error = idpErrorPage('https://idp.example.com/saml2?SAMLRequest=abc&RelayState=x', 500, CALLBACK);
    expect(error).toBeInstanceOf(AuthIdpErrorPageError);
    expect(error).toMatchObject({ status: 500, page: 'https://idp.example.com/saml2' });
    expect(error!.message).not.toContain('SAMLRequest');
  });

  it('never takes the callback for an IdP page, nor a normal page for an error', () => {
    expect(idpErrorPage(`${CALLBACK}?x=1`, 404, CALLBACK)).toBeNull();
    expect(idpErrorPage('https://idp.example.com/login', 200, CALLBACK)).toBeNull();
  });
});

/** Stand-in for Electron's BrowserWindow: records loads, emits webContents events on demand. */
class StandInElectronWindow extends EventEmitter {
  static last: StandInElectronWindow | null = null;
  readonly webContents = Object.assign(new EventEmitter(), { setWindowOpenHandler: () => undefined });
  destroyed = false;
  loaded: string[] = [];
  constructor() {
    super();
    StandInElectronWindow.last = this;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
    this.emit('closed');
  }
  loadURL(url: string) {
    this.loaded.push(url);
    return Promise.resolve();
  }
}

function surface() {
  const session = {
    setPermissionRequestHandler: () => undefined,
    webRequest: { onBeforeRequest: () => undefined },
    clearStorageData: async () => undefined,
    clearCache: async () => undefined,
  } as unknown as Session;
  return createElectronAuthSurface({
    BrowserWindow: StandInElectronWindow as unknown as typeof BrowserWindow,
    sessionFromPartition: () => session,
    parent: () => null,
    devTools: false,
  });
}

describe('Electron auth window: an IdP error page', () => {
  it('ends the wait with AuthIdpErrorPageError and closes the window', async () => {
    const answer = surface().open({
      url: 'https://idp.example.com/sso',
      callbackUrl: CALLBACK,
      timeoutMs: 60_000,
      partition: 'corp',
    });
    const window = StandInElectronWindow.last!;
    expect(window.loaded).toEqual(['https://idp.example.com/sso']);
    window.webContents.emit('did-navigate', {}, 'https://idp.example.com/sso?SAMLRequest=x', 403);
    await expect(answer).rejects.toMatchObject({
      name: 'AuthIdpErrorPageError',
      status: 403,
      page: 'https://idp.example.com/sso',
    });
    expect(window.destroyed).toBe(true);
  });

  it('keeps waiting on a login page and on a 401 challenge (the user closing the window then cancels)', async () => {
    const answer = surface().open({
      url: 'https://idp.example.com/sso',
      callbackUrl: CALLBACK,
      timeoutMs: 60_000,
      partition: 'corp',
    });
    const window = StandInElectronWindow.last!;
    window.webContents.emit('did-navigate', {}, 'https://idp.example.com/login', 200);
    window.webContents.emit('did-navigate', {}, 'https://adfs.example.com/adfs/ls', 401);
    expect(window.destroyed).toBe(false);
    window.destroy();
    await expect(answer).rejects.toBeInstanceOf(AuthCancelledError);
  });
});
