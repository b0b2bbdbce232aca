import { describe, expect, it } from 'vitest';
import { isTrustedSender, originOf, type IpcSender } from '../../../../main/ipc/sender';
import { APP_ORIGIN, trustedSender } from '../../helpers';

const from = (url: string | null, overrides: Partial<IpcSender> = {}): IpcSender => ({ ...trustedSender, url, ...overrides });

describe('isTrustedSender', () => {
  it('trusts the app window top frame at the app origin, any path', () => {
    expect(isTrustedSender(trustedSender, APP_ORIGIN)).toBe(true);
    expect(isTrustedSender(from(`${APP_ORIGIN}/admin/users?x=1#top`), APP_ORIGIN)).toBe(true);
    expect(isTrustedSender(from('https://PORTICO.test:443/'), APP_ORIGIN)).toBe(true);
  });

  it.each([
    ['another origin', 'https://evil.test/'],
    ['a lookalike suffix', 'https://portico.test.evil.test/index.html'],
    ['userinfo trick', 'https://portico.test@evil.test/'],
    ['another scheme', 'http://portico.test/'],
    ['another port', 'https://portico.test:8443/'],
    ['a subdomain', 'https://app.portico.test/'],
    ['a file URL', 'file:///work/index.html'],
    ['about:blank', 'about:blank'],
    ['a data URL', 'data:text/html,<script>1</script>'],
    ['not a URL', 'portico.test'],
    ['an empty string', ''],
  ])('refuses %s', (_label, url) => {
    expect(isTrustedSender(from(url), APP_ORIGIN)).toBe(false);
  });

  it('refuses a frame that is gone (null URL), a child frame, and another window', () => {
    expect(isTrustedSender(from(null), APP_ORIGIN)).toBe(false);
    expect(isTrustedSender(from(`${APP_ORIGIN}/`, { isMainFrame: false }), APP_ORIGIN)).toBe(false);
    expect(isTrustedSender(from(`${APP_ORIGIN}/`, { isAppWindow: false }), APP_ORIGIN)).toBe(false);
  });

  it('works with the custom app:// scheme used in Electron', () => {
    expect(originOf('app://portico/index.html')).toBe('app://portico');
    expect(isTrustedSender(from('app://portico/index.html'), 'app://portico')).toBe(true);
    expect(isTrustedSender(from('app://portico.evil/index.html'), 'app://portico')).toBe(false);
    expect(isTrustedSender(from('app://evil/index.html'), 'app://portico')).toBe(false);
  });
});
