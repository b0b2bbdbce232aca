import { describe, expect, it } from 'vitest';
import { clockSkew, describeSkew } from '../../../../main/diagnostics/clock-skew';
import { bypassesProxy, proxyCredentials, proxyForUrl, proxyVariables } from '../../../../main/diagnostics/proxy';
import {
  assertNoSecrets,
  redactUrl,
  scrubSecrets,
  scrubValue,
  secretValuesIn,
  urlCredentials,
} from '../../../../main/diagnostics/redact';

describe('clockSkew', () => {
  const at = Date.parse('2026-03-01T12:00:00.000Z');

  it('is about zero when the server agrees with the local clock', () => {
    expect(clockSkew('Sun, 01 Mar 2026 12:00:00 GMT', at, at + 200)).toEqual({
      serverTime: '2026-03-01T12:00:00.000Z',
      skewSeconds: 0,
      tooLarge: false,
    });
  });

  it('is positive when this computer is behind, negative when ahead', () => {
    expect(clockSkew('Sun, 01 Mar 2026 12:07:00 GMT', at, at)?.skewSeconds).toBe(420);
    expect(clockSkew('Sun, 01 Mar 2026 11:53:00 GMT', at, at)?.skewSeconds).toBe(-420);
  });

  it('flags more than five minutes either way, not five minutes or less', () => {
    expect(clockSkew('Sun, 01 Mar 2026 12:06:00 GMT', at, at)?.tooLarge).toBe(true);
    expect(clockSkew('Sun, 01 Mar 2026 11:54:00 GMT', at, at)?.tooLarge).toBe(true);
    expect(clockSkew('Sun, 01 Mar 2026 12:04:30 GMT', at, at)?.tooLarge).toBe(false);
    expect(clockSkew('Sun, 01 Mar 2026 11:55:30 GMT', at, at)?.tooLarge).toBe(false);
  });

  it('compares with the middle of the round trip', () => {
    // Sent at 12:00:00, answered at 12:00:20: the server's 12:00:10 is in step.
    expect(clockSkew('Sun, 01 Mar 2026 12:00:10 GMT', at, at + 20_000)?.skewSeconds).toBe(0);
    expect(clockSkew('Sun, 01 Mar 2026 12:00:10 GMT', at, at)?.skewSeconds).toBe(10);
  });

  it('is null without a usable Date header', () => {
    expect(clockSkew(null, at, at)).toBeNull();
    expect(clockSkew('', at, at)).toBeNull();
    expect(clockSkew('yesterday', at, at)).toBeNull();
  });

  it('describes the skew in words', () => {
    expect(describeSkew(0)).toBe('in step with');
    expect(describeSkew(421)).toBe('7 min 1 s behind');
    expect(describeSkew(-3600)).toBe('1 h ahead of');
  });
});

describe('proxy settings', () => {
  const env = {
    HTTPS_PROXY: 'http://alice:Pr0xy%21Pass@proxy.corp.example:8080',
    http_proxy: 'bob:hunter2hunter2@plain-proxy:3128',
    NO_PROXY: 'localhost,127.0.0.1,.intranet.example, login.corp.example:8443',
    PATH: '/usr/bin',
  };

  it('lists the proxy variables with credentials removed, and nothing else', () => {
    expect(proxyVariables(env)).toEqual([
      { name: 'HTTPS_PROXY', value: 'http://[redacted]@proxy.corp.example:8080', credentialsRemoved: true },
      { name: 'http_proxy', value: '[redacted]@plain-proxy:3128', credentialsRemoved: true },
      { name: 'NO_PROXY', value: env.NO_PROXY, credentialsRemoved: false },
    ]);
    expect(JSON.stringify(proxyVariables(env))).not.toMatch(/alice|Pr0xy|bob|hunter2/);
  });

  it('knows the credentials, encoded and decoded, to keep them out of reports', () => {
    expect(proxyCredentials(env)).toEqual(
      expect.arrayContaining(['alice', 'Pr0xy%21Pass', 'Pr0xy!Pass', 'bob', 'hunter2hunter2']),
    );
  });

  it('names the proxy a URL would use, honouring NO_PROXY', () => {
    expect(proxyForUrl('https://login.microsoftonline.com/x', env)).toBe('http://[redacted]@proxy.corp.example:8080');
    expect(proxyForUrl('http://idp.example.com/', env)).toBe('[redacted]@plain-proxy:3128');
    expect(proxyForUrl('https://sso.intranet.example/', env)).toBeNull();
    expect(proxyForUrl('https://intranet.example/', env)).toBeNull();
    expect(proxyForUrl('http://127.0.0.1:5556/', env)).toBeNull();
    expect(proxyForUrl('https://login.corp.example:8443/', env)).toBeNull();
    expect(proxyForUrl('https://login.corp.example/', env)).not.toBeNull();
    expect(proxyForUrl('https://example.com/', {})).toBeNull();
  });

  it('matches NO_PROXY by whole labels, with * for all and IPv6 in brackets', () => {
    const url = (u: string) => new URL(u);
    expect(bypassesProxy(url('https://notintranet.example/'), '.intranet.example')).toBe(false);
    expect(bypassesProxy(url('https://a.b.example/'), '*.b.example')).toBe(true);
    expect(bypassesProxy(url('https://anything/'), '*')).toBe(true);
    expect(bypassesProxy(url('http://[::1]:8080/'), '[::1]:8080')).toBe(true);
    expect(bypassesProxy(url('http://[::1]:8080/'), '::1')).toBe(true);
    expect(bypassesProxy(url('http://[::1]:8080/'), '[::1]:9090')).toBe(false);
  });
});

describe('redaction', () => {
  it('removes credentials, query and fragment from URLs', () => {
    expect(redactUrl('https://u:p@host.example:8443/path?token=abc#x')).toBe('https://[redacted]@host.example:8443/path');
    expect(redactUrl('http://proxy:3128')).toBe('http://proxy:3128');
    expect(redactUrl('http://proxy:3128/')).toBe('http://proxy:3128/');
    expect(redactUrl('user:pw@proxy:1')).toBe('[redacted]@proxy:1');
    expect(redactUrl('http://us er:p w@[bad')).toBe('http://[redacted]@[bad');
  });

  it('reads URL credentials as written and decoded', () => {
    expect(urlCredentials('http://a%40b:c%3Ad@h')).toEqual(expect.arrayContaining(['a%40b', 'a@b', 'c%3Ad', 'c:d']));
    expect(urlCredentials('http://h:1/')).toEqual([]);
  });

  it('finds the values under secret-looking keys, at any depth', () => {
    const values = secretValuesIn({
      providers: { oidc: [{ id: 'x', clientSecret: 'cs-1' }], saml: [{ signing: { privateKey: 'pk-1', certificate: 'c' } }] },
      data: { sources: [{ password: 'pw-1', connectionString: 'Server=db;Pwd=pw-2' }] },
      session: { idleMinutes: 5 },
      refresh_token: 'rt-1',
    });
    expect(values.sort()).toEqual(['Server=db;Pwd=pw-2', 'cs-1', 'pk-1', 'pw-1', 'rt-1']);
  });

  it('scrubs secrets from text and values (keys too); the assertion catches what is left', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const secrets = ['s3cret-value', pem];
    expect(scrubSecrets('a s3cret-value b', secrets)).toBe('a [redacted] b');
    expect(scrubValue({ 's3cret-value': ['x s3cret-value', pem] }, secrets)).toEqual({
      '[redacted]': ['x [redacted]', '[redacted]'],
    });
    expect(() => assertNoSecrets(JSON.stringify({ key: pem }), secrets)).toThrow(/contains/);
    expect(() => assertNoSecrets('part: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', secrets)).toThrow(/contains/);
    expect(() => assertNoSecrets('clean', secrets)).not.toThrow();
    expect(() => assertNoSecrets('abc', ['abc'])).not.toThrow(); // too short to scan for
  });
});
