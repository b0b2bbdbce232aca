import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../main/policy/load-config';
import { decideUpdateCheck, updatesConfig } from '../../../../main/policy/updates-config';

const on = (extra: object = {}) => updatesConfig.parse({ enabled: true, ...extra });

describe('updates configuration', () => {
  it('is off by default, in the whole configuration too', () => {
    expect(updatesConfig.parse(undefined)).toEqual({ enabled: false });
    expect(parseConfig([]).updates).toEqual({ enabled: false });
  });

  it('accepts only an https server URL and a simple channel name, and no unknown key', () => {
    expect(() => updatesConfig.parse({ enabled: true, url: 'http://updates.corp.example/portico/' })).toThrow(/https/);
    expect(() => updatesConfig.parse({ channel: 'Beta 1' })).toThrow();
    expect(() => updatesConfig.parse({ enabled: true, autoInstall: true })).toThrow();
    expect(updatesConfig.parse({ enabled: true, url: 'https://updates.corp.example/portico/', channel: 'beta' })).toEqual({
      enabled: true,
      url: 'https://updates.corp.example/portico/',
      channel: 'beta',
    });
  });
});

describe('decideUpdateCheck', () => {
  const url = 'https://updates.corp.example/portico/';

  it('never checks when updates are off, even with a server in the environment', () => {
    expect(decideUpdateCheck(updatesConfig.parse({}), { PORTICO_UPDATE_URL: url }, true)).toMatchObject({ check: false });
    expect(decideUpdateCheck(undefined, { PORTICO_UPDATE_URL: url }, true)).toMatchObject({ check: false });
  });

  it('never checks from a development run', () => {
    expect(decideUpdateCheck(on({ url }), {}, false)).toMatchObject({ check: false, reason: expect.stringMatching(/installed/) });
  });

  it('checks the configured server on the latest channel by default', () => {
    expect(decideUpdateCheck(on({ url }), {}, true)).toEqual({
      check: true,
      feed: { provider: 'generic', url, channel: 'latest' },
    });
  });

  it('prefers the configured URL to PORTICO_UPDATE_URL, and uses the channel given', () => {
    const decision = decideUpdateCheck(on({ url, channel: 'beta' }), { PORTICO_UPDATE_URL: 'https://other.example/' }, true);
    expect(decision).toEqual({ check: true, feed: { provider: 'generic', url, channel: 'beta' } });
  });

  it('falls back to an https PORTICO_UPDATE_URL, and refuses a non-https one', () => {
    expect(decideUpdateCheck(on(), { PORTICO_UPDATE_URL: ` ${url} ` }, true)).toEqual({
      check: true,
      feed: { provider: 'generic', url, channel: 'latest' },
    });
    expect(decideUpdateCheck(on(), { PORTICO_UPDATE_URL: 'http://updates.corp.example/' }, true)).toMatchObject({
      check: false,
      reason: expect.stringMatching(/https/),
    });
  });

  it('says what to set when updates are on but no server is known', () => {
    expect(decideUpdateCheck(on(), {}, true)).toEqual({
      check: false,
      reason: expect.stringMatching(/updates\.url or PORTICO_UPDATE_URL/),
    });
  });
});
