import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWASP_ARGON2ID } from '../../../../main/policy/config-schema';
import { ConfigError, parseConfig, readConfigLayer, type ConfigLayer } from '../../../../main/policy/load-config';
import { tempDir } from '../../helpers';

const layer = (value: unknown, source = 'test.json'): ConfigLayer => ({ source, value });

function configErrorOf(layers: ConfigLayer[]): ConfigError {
  try {
    parseConfig(layers);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('Expected a ConfigError, but the configuration was accepted.');
}

describe('parseConfig', () => {
  it('applies the defaults with no layers', () => {
    const config = parseConfig([]);
    expect(config.session).toMatchObject({ idleMinutes: 15, absoluteHours: 12, persistSession: false });
    expect(config.localAccounts).toMatchObject({
      enabled: true,
      minPasswordLength: 12,
      maxFailures: 5,
      lockoutMinutes: 15,
      backoffBaseMs: 1000,
    });
    expect(config.localAccounts.argon2).toEqual({ memoryKiB: 19456, timeCost: 2, parallelism: 1 });
    expect(config.localAccounts.argon2).toEqual(OWASP_ARGON2ID);
    expect(config.security).toEqual({ allowWeakKeyStorage: false, externalUrlAllowList: [] });
  });

  it('applies nested defaults beside a partial layer', () => {
    const config = parseConfig([layer({ session: { idleMinutes: 5 } })]);
    expect(config.session.idleMinutes).toBe(5);
    expect(config.session.absoluteHours).toBe(12);
    expect(config.localAccounts.argon2.memoryKiB).toBe(19456);
  });

  it('merges layers key by key, later layers winning; arrays are replaced', () => {
    const user = layer(
      {
        session: { idleMinutes: 30, absoluteHours: 8 },
        security: { externalUrlAllowList: ['https://a.test/', 'https://b.test/'] },
      },
      'user.json',
    );
    const machine = layer(
      { session: { idleMinutes: 10 }, security: { externalUrlAllowList: ['https://c.test/'] } },
      'policy.json',
    );
    const config = parseConfig([user, machine]);
    expect(config.session.idleMinutes).toBe(10);
    expect(config.session.absoluteHours).toBe(8);
    expect(config.security.externalUrlAllowList).toEqual(['https://c.test/']);
  });

  it.each([
    ['argon2 memory below OWASP', { localAccounts: { argon2: { memoryKiB: 19455 } } }, 'localAccounts.argon2.memoryKiB'],
    ['argon2 time cost below OWASP', { localAccounts: { argon2: { timeCost: 1 } } }, 'localAccounts.argon2.timeCost'],
    ['argon2 parallelism other than 1', { localAccounts: { argon2: { parallelism: 4 } } }, 'localAccounts.argon2.parallelism'],
    ['minPasswordLength below 12', { localAccounts: { minPasswordLength: 11 } }, 'localAccounts.minPasswordLength'],
    [
      'an http:// allow-list URL',
      { security: { externalUrlAllowList: ['http://intranet.test/'] } },
      'security.externalUrlAllowList.0',
    ],
    [
      'a javascript: allow-list URL',
      { security: { externalUrlAllowList: ['javascript:alert(1)'] } },
      'security.externalUrlAllowList.0',
    ],
    ['a wrong type', { session: { idleMinutes: 'x' } }, 'session.idleMinutes'],
    ['a non-integer idle time', { session: { idleMinutes: 1.5 } }, 'session.idleMinutes'],
    ['an unknown top-level key', { sesion: { idleMinutes: 5 } }, 'sesion'],
    ['an unknown nested key', { localAccounts: { maxFailure: 100 } }, 'localAccounts.maxFailure'],
    ['weak storage given as a string', { security: { allowWeakKeyStorage: 'yes' } }, 'security.allowWeakKeyStorage'],
  ])('refuses %s, naming the key', (_label, value, where) => {
    const error = configErrorOf([layer(value, '/etc/portico/policy.json')]);
    expect(error.message).toContain('/etc/portico/policy.json');
    expect(error.message).toContain(where);
    expect(error.keys).toContain(where);
    expect(error.issues.join('\n')).toContain(`${where}:`);
  });

  it('refuses an invalid earlier layer even when a later one is valid', () => {
    configErrorOf([
      layer({ session: { idleMinutes: 'x' } }, 'user.json'),
      layer({ session: { absoluteHours: 4 } }, 'policy.json'),
    ]);
  });

  it.each([
    ['a top-level __proto__ key', '{"__proto__":{"security":{"allowWeakKeyStorage":true}}}'],
    ['a nested __proto__ key', '{"security":{"__proto__":{"allowWeakKeyStorage":true}}}'],
    ['a constructor key', '{"constructor":{"prototype":{"x":1}}}'],
  ])('refuses %s', (_label, json) => {
    const error = configErrorOf([layer(JSON.parse(json))]);
    expect(error.message).toMatch(/is not allowed/);
    expect(error.source).toBe('test.json');
    expect(({} as Record<string, unknown>).allowWeakKeyStorage).toBeUndefined();
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['a string', 'idleMinutes=5'],
  ])('refuses a layer that is %s', (_label, value) => {
    expect(configErrorOf([layer(value, 'odd.json')]).message).toBe('The configuration file odd.json must contain a JSON object.');
  });

  it('accepts a $schema key', () => {
    expect(parseConfig([layer({ $schema: './portico.schema.json' })]).$schema).toBe('./portico.schema.json');
  });
});

describe('readConfigLayer', () => {
  it('reads a JSON file as a layer', async () => {
    const file = path.join(await tempDir(), 'settings.json');
    await fs.writeFile(file, JSON.stringify({ session: { idleMinutes: 7 } }));
    expect(await readConfigLayer(file, false)).toEqual({ source: file, value: { session: { idleMinutes: 7 } }, kind: 'user' });
    expect(await readConfigLayer(file, false, 'policy')).toMatchObject({ kind: 'policy' });
  });

  it('yields null for a missing optional file, and an error for a missing required one', async () => {
    const file = path.join(await tempDir(), 'missing.json');
    expect(await readConfigLayer(file, true)).toBeNull();
    await expect(readConfigLayer(file, false)).rejects.toBeInstanceOf(ConfigError);
  });

  it('refuses a file that is not JSON', async () => {
    const file = path.join(await tempDir(), 'policy.json');
    await fs.writeFile(file, '{ "session": { idleMinutes: 5 } }');
    const error = await readConfigLayer(file, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`The configuration file ${file} is not valid JSON.`);
  });

  it('refuses an unreadable optional file rather than skipping it (a folder in its place)', async () => {
    const dir = await tempDir();
    await expect(readConfigLayer(dir, true)).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('the machine policy layer', () => {
  const user = (value: unknown, source = '/home/ann/.config/Portico/config.json'): ConfigLayer => ({
    source,
    value,
    kind: 'user',
  });
  const policy = (value: unknown, source = '/etc/portico/policy.json'): ConfigLayer => ({ source, value, kind: 'policy' });

  it('wins over the user settings, which win over the defaults; objects merge key by key', () => {
    const config = parseConfig([
      user({ session: { idleMinutes: 30, absoluteHours: 8 }, localAccounts: { enabled: true, maxFailures: 3 } }),
      policy({ session: { idleMinutes: 10, persistSession: true }, localAccounts: { enabled: false } }),
    ]);
    expect(config.session).toMatchObject({ idleMinutes: 10, absoluteHours: 8, persistSession: true, recentSignInMinutes: 15 });
    expect(config.localAccounts).toMatchObject({ enabled: false, maxFailures: 3, lockoutMinutes: 15 });
  });

  it('replaces the user’s provider list whole (an array is one value)', () => {
    const oidc = (id: string) => ({ id, displayName: id, issuer: `https://${id}.example.com`, clientId: 'portico' });
    const config = parseConfig([
      user({ providers: { oidc: [oidc('personal')] } }),
      policy({ providers: { oidc: [oidc('corp')] } }),
    ]);
    expect(config.providers.oidc.map((p) => p.id)).toEqual(['corp']);
  });

  it.each([
    ['a wrong type', { session: { persistSession: 'no' } }, 'session.persistSession'],
    ['an unknown key', { localAccounts: { enable: false } }, 'localAccounts.enable'],
    ['an unknown top-level key', { sessions: {} }, 'sessions'],
    [
      'an invalid provider',
      { providers: { oidc: [{ id: 'corp', displayName: 'Corp', issuer: 'http://idp.corp.test', clientId: 'x' }] } },
      'providers.oidc.0.issuer',
    ],
  ])('refuses %s, naming the policy file and the key, attributed to the policy', (_label, value, key) => {
    const error = configErrorOf([user({ session: { idleMinutes: 20 } }), policy(value)]);
    expect(error.origin).toBe('policy');
    expect(error.isPolicy).toBe(true);
    expect(error.source).toBe('/etc/portico/policy.json');
    expect(error.message).toContain('/etc/portico/policy.json');
    expect(error.message).toContain('machine policy');
    expect(error.message).toContain(key);
    expect(error.keys).toEqual([key]);
    expect(error.issues.some((line) => line.startsWith(`${key}:`))).toBe(true);
    expect(error.message).not.toContain('config.json');
  });

  it('names every bad key, not only the first', () => {
    const error = configErrorOf([policy({ session: { idleMinutes: 0, absoluteHours: 'x' }, security: { weak: true } })]);
    expect(error.keys).toEqual(expect.arrayContaining(['session.idleMinutes', 'session.absoluteHours', 'security.weak']));
    for (const key of error.keys) expect(error.message).toContain(key);
  });

  it('attributes an error in the user settings to that file, not to the policy', () => {
    const error = configErrorOf([user({ session: { idleMinutes: 'x' } }), policy({ session: { idleMinutes: 5 } })]);
    expect(error.origin).toBe('user');
    expect(error.source).toBe('/home/ann/.config/Portico/config.json');
    expect(error.message).not.toContain('/etc/portico/policy.json');
  });

  it.each([
    ['top level', '{"__proto__":{"security":{"allowWeakKeyStorage":true}}}', '__proto__'],
    ['nested', '{"session":{"__proto__":{"persistSession":true}}}', 'session.__proto__'],
    ['inside an array', '{"providers":{"oidc":[{"__proto__":{"x":1}}]}}', 'providers.oidc.0.__proto__'],
  ])('refuses __proto__ in the policy (%s)', (_label, json, key) => {
    const error = configErrorOf([policy(JSON.parse(json))]);
    expect(error.origin).toBe('policy');
    expect(error.keys).toEqual([key]);
    expect(error.message).toContain('/etc/portico/policy.json');
    expect(({} as Record<string, unknown>).persistSession).toBeUndefined();
  });

  it('refuses a policy that is not an object', () => {
    const error = configErrorOf([policy([])]);
    expect(error.origin).toBe('policy');
    expect(error.message).toBe(
      'The machine policy set by your administrator /etc/portico/policy.json must contain a JSON object.',
    );
  });

  it('names the policy file, line and column of a JSON syntax error', async () => {
    const file = path.join(await tempDir(), 'policy.json');
    await fs.writeFile(file, '{\n  "session": {\n    idleMinutes: 5 } }');
    const error = (await readConfigLayer(file, true, 'policy').catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.origin).toBe('policy');
    expect(error.source).toBe(file);
    expect(error.message).toBe(`The machine policy set by your administrator ${file} is not valid JSON.`);
    expect(error.issues[0]).toMatch(/^line 3, column 5: /);
  });

  it('does not quote the file’s text in a JSON error (it may hold a secret)', async () => {
    const file = path.join(await tempDir(), 'policy.json');
    await fs.writeFile(file, '{"providers":{"oidc":[{"clientSecret": s3cr3t-value}]}}');
    const error = (await readConfigLayer(file, true, 'policy').catch((e: unknown) => e)) as ConfigError;
    expect(`${error.message}\n${error.issues.join('\n')}`).not.toContain('s3cr3t');
  });
});
