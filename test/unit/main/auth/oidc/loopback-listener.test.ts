import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { AuthCancelledError, AuthTimeoutError } from '../../../../../main/platform';
import { listenForCallback } from '../../../../../main/auth/oidc/loopback-listener';

describe('listenForCallback (real loopback HTTP)', () => {
  it('listens on 127.0.0.1 on an OS-chosen port, takes the first callback, then closes', async () => {
    const listener = await listenForCallback({ path: '/callback', timeoutMs: 5000 });
    const url = new URL(listener.redirectUri);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);

    const foreign = await fetch(`${listener.redirectUri.replace('/callback', '/other')}?code=x`);
    expect(foreign.status).toBe(404);
    const first = await fetch(`${listener.redirectUri}?code=abc&state=s1`);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('You can close this tab');
    const answer = await listener.result;
    expect(answer).toMatchObject({ method: 'GET' });
    expect(new URL(answer.url).searchParams.get('code')).toBe('abc');
    // A second callback finds nobody listening.
    await expect(fetch(`${listener.redirectUri}?code=second`)).rejects.toThrow();
  });

  it('refuses POST and foreign Host headers without taking them as the callback', async () => {
    const listener = await listenForCallback({ path: '/callback', timeoutMs: 5000 });
    expect((await fetch(listener.redirectUri, { method: 'POST', body: 'code=x' })).status).toBe(404);
    // DNS rebinding: a page on another name pointed at 127.0.0.1 sends its own Host header.
    const port = Number(new URL(listener.redirectUri).port);
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.get(
        { host: '127.0.0.1', port, path: '/callback?code=x', headers: { Host: `evil.test:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      request.on('error', reject);
    });
    expect(status).toBe(404);
    listener.close();
    await expect(listener.result).rejects.toBeInstanceOf(AuthCancelledError);
  });

  it('times out and closes', async () => {
    const listener = await listenForCallback({ path: '/callback', timeoutMs: 50 });
    await expect(listener.result).rejects.toBeInstanceOf(AuthTimeoutError);
    await expect(fetch(listener.redirectUri)).rejects.toThrow();
  });

  it('closes when the attempt is aborted', async () => {
    const abort = new AbortController();
    const listener = await listenForCallback({ path: '/callback', timeoutMs: 5000, signal: abort.signal });
    abort.abort();
    await expect(listener.result).rejects.toBeInstanceOf(AuthCancelledError);
  });
});
