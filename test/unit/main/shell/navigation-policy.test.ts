import { describe, expect, it } from 'vitest';
import {
  appWindowWebPreferences,
  isAllowedExternalUrl,
  isAllowedNavigation,
  isAllowedSignInPageUrl,
} from '../../../../main/shell/navigation-policy';

const ALLOW = ['https://intranet.example.com/help/', 'https://docs.example.com'];

describe('isAllowedExternalUrl', () => {
  it.each([
    'https://intranet.example.com/help/',
    'https://intranet.example.com/help/page?x=1#top',
    'https://docs.example.com/anything',
  ])('opens allow-listed https URLs: %s', (url) => {
    expect(isAllowedExternalUrl(url, ALLOW)).toBe(true);
  });

  it.each([
    'file:///etc/passwd',
    'smb://attacker.test/share',
    'javascript:alert(1)',
    'http://intranet.example.com/help/',
    'https://intranet.example.com/helpdesk',
    'https://intranet.example.com/',
    'https://intranet.example.com.evil.test/help/',
    'https://evil.test/https://intranet.example.com/help/',
    'https://user:pass@intranet.example.com/help/',
    'https://docs.example.com:8443/x',
    'not a url',
    '',
  ])('refuses everything else: %s', (url) => {
    expect(isAllowedExternalUrl(url, ALLOW)).toBe(false);
  });

  it('refuses everything with an empty allow-list', () => {
    expect(isAllowedExternalUrl('https://docs.example.com/', [])).toBe(false);
  });
});

describe('isAllowedNavigation', () => {
  it('allows our own origin only, compared after parsing', () => {
    expect(isAllowedNavigation('app://portico/index.html', 'app://portico')).toBe(true);
    expect(isAllowedNavigation('app://portico.evil/index.html', 'app://portico')).toBe(false);
    expect(isAllowedNavigation('https://portico/index.html', 'app://portico')).toBe(false);
    expect(isAllowedNavigation('https://app.example.com.evil.test/', 'https://app.example.com')).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', 'app://portico')).toBe(false);
    expect(isAllowedNavigation('', 'app://portico')).toBe(false);
  });
});

describe('appWindowWebPreferences', () => {
  it('hardens the window (Electron security checklist)', () => {
    const prefs = appWindowWebPreferences('/app/preload.js', { packaged: true });
    expect(prefs).toMatchObject({
      preload: '/app/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it('keeps developer tools for an unpackaged (developer) build only', () => {
    expect(appWindowWebPreferences('/app/preload.js', { packaged: false }).devTools).toBe(true);
  });
});

describe('isAllowedSignInPageUrl (system-browser sign-in)', () => {
  it.each([
    'https://login.example.com/authorize?client_id=x',
    'http://127.0.0.1:8080/auth',
    'http://localhost:3000/auth',
    'http://[::1]:9000/auth',
  ])('opens %s', (url) => {
    expect(isAllowedSignInPageUrl(url)).toBe(true);
  });

  it.each([
    'http://login.example.com/authorize',
    'http://127.0.0.1.evil.test/auth',
    'http://localhost.evil.test/auth',
    'https://user:pass@login.example.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://server/share',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isAllowedSignInPageUrl(url)).toBe(false);
  });
});
