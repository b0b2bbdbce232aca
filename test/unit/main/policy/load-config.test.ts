import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWASP_ARGON2ID } from '../../../../main/policy/config-schema';
import { ConfigError, parseConfig, readConfigLayer, type ConfigLayer } from '../../../../main/policy/load-config';
import { valueAt } from '../../../../main/policy/json-value';
import { USER_SETTABLE } from '../../../../main/policy/user-settable';
import { describeStartupError } from '../../../../main/startup-errors';
import { PERMISSIONS } from '../../../../preload/constants';
import { tempDir } from '../../helpers';

const layer = (value: unknown, source = 'test.json'): ConfigLayer => ({ source, value });
const policyLayer = (value: unknown, source = '/etc/portico/policy.json'): ConfigLayer => ({ source, value, kind: 'policy' });

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
    expect(config.session).toMatchObject({ lockAfterMinutes: 15, idleMinutes: 60, absoluteHours: 12, persistSession: false });
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

  it('merges policy layers key by key, later layers winning; arrays are replaced', () => {
    const earlier = policyLayer(
      {
        session: { idleMinutes: 30, absoluteHours: 8 },
        security: { externalUrlAllowList: ['https://a.test/', 'https://b.test/'] },
      },
      'earlier.json',
    );
    const later = policyLayer(
      { session: { idleMinutes: 10 }, security: { externalUrlAllowList: ['https://c.test/'] } },
      'policy.json',
    );
    const config = parseConfig([earlier, later]);
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

  it('accepts a $schema key in the policy and in the person’s settings', () => {
    expect(parseConfig([policyLayer({ $schema: './portico.schema.json' })]).$schema).toBe('./portico.schema.json');
    expect(() => parseConfig([layer({ $schema: './portico.schema.json', session: { idleMinutes: 5 } })])).not.toThrow();
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

  it('sets the floor; the user settings only tighten it; objects merge key by key', () => {
    const config = parseConfig([
      user({ session: { idleMinutes: 10, absoluteHours: 8 }, localAccounts: { enabled: false, maxFailures: 3 } }),
      policy({ session: { idleMinutes: 30, persistSession: true }, localAccounts: { enabled: true } }),
    ]);
    expect(config.session).toMatchObject({ idleMinutes: 10, absoluteHours: 8, persistSession: true, recentSignInMinutes: 15 });
    expect(config.localAccounts).toMatchObject({ enabled: false, maxFailures: 3, lockoutMinutes: 15 });
  });

  it('takes the provider list from the policy only', () => {
    const oidc = (id: string) => ({ id, displayName: id, issuer: `https://${id}.example.com`, clientId: 'portico' });
    expect(parseConfig([policy({ providers: { oidc: [oidc('corp')] } })]).providers.oidc.map((p) => p.id)).toEqual(['corp']);
    const error = configErrorOf([
      user({ providers: { oidc: [oidc('personal')] } }),
      policy({ providers: { oidc: [oidc('corp')] } }),
    ]);
    expect(error.origin).toBe('user');
    expect(error.keys).toEqual(['providers.oidc']);
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

describe('the person’s own settings (config.json, PORTICO_CONFIG)', () => {
  const CONFIG = '/home/vera/.config/Portico/config.json';
  const user = (value: unknown, source = CONFIG): ConfigLayer => ({ source, value, kind: 'user' });
  const policy = (value: unknown): ConfigLayer => ({ source: '/etc/portico/policy.json', value, kind: 'policy' });

  it.each([
    [
      'a viewer granting themselves every permission',
      { access: { rolePermissions: { viewer: [...PERMISSIONS] } } },
      'access.rolePermissions.viewer',
    ],
    ['an identity provider (even an empty list)', { providers: { saml: [] } }, 'providers.saml'],
    ['a dataset', { data: { datasets: [] } }, 'data.datasets'],
    ['the sample size', { data: { sample: { rows: 100 } } }, 'data.sample.rows'],
    ['the export switch (even turned off)', { data: { exportAllowed: false } }, 'data.exportAllowed'],
    ['the audit retention', { audit: { retentionDays: 1 } }, 'audit.retentionDays'],
    ['updates', { updates: { enabled: true, url: 'https://updates.evil.example/' } }, 'updates.enabled'],
    [
      'a link allow-list entry (it widens)',
      { security: { externalUrlAllowList: ['https://evil.example/'] } },
      'security.externalUrlAllowList',
    ],
    ['argon2 parallelism', { localAccounts: { argon2: { parallelism: 1 } } }, 'localAccounts.argon2.parallelism'],
  ])('refuses %s: only IT may set it, whatever the value', (_label, value, key) => {
    const error = configErrorOf([user(value)]);
    expect(error.origin).toBe('user');
    expect(error.source).toBe(CONFIG);
    expect(error.keys).toContain(key);
    expect(error.message).toContain(CONFIG);
    expect(error.message).toContain(key);
    expect(error.message).toMatch(/only IT can set \(in the machine policy\)/);
    expect(error.issues).toContain(`${key}: only the machine policy may set this key; remove it from this file`);
    expect(describeStartupError(error).code).toBe('CONFIG_INVALID');
  });

  it('names every key only IT may set, and never quotes their values (a client secret)', () => {
    const error = configErrorOf([
      user({
        access: { rolePermissions: { viewer: ['data.read', 'admin.users'] } },
        providers: {
          oidc: [{ id: 'x', displayName: 'X', issuer: 'https://x.example', clientId: 'c', clientSecret: 'pl3ase-no' }],
        },
        session: { idleMinutes: 5 },
      }),
    ]);
    expect(error.keys).toEqual(['access.rolePermissions.viewer', 'providers.oidc']);
    expect(`${error.message}\n${error.issues.join('\n')}`).not.toContain('pl3ase-no');
  });

  it('refuses a looser lockout (guessing a colleague’s password cheaply), naming each key and the value it may not pass', () => {
    const error = configErrorOf([user({ localAccounts: { maxFailures: 100, lockoutMinutes: 0.01, backoffBaseMs: 0 } })]);
    expect(error.origin).toBe('user');
    expect(error.keys).toEqual(['localAccounts.backoffBaseMs', 'localAccounts.lockoutMinutes', 'localAccounts.maxFailures']);
    expect(error.message).toBe(
      `The configuration file ${CONFIG} loosens localAccounts.backoffBaseMs, localAccounts.lockoutMinutes, ` +
        'localAccounts.maxFailures, which only IT can loosen (your own settings may only make them stricter).',
    );
    expect(error.issues).toContain(
      'localAccounts.maxFailures: 100 is less strict than 5 (Portico’s default); this file may change it only lower. ' +
        'Remove the key, or ask IT to change the machine policy',
    );
  });

  /** [key, IT's policy value (undefined: the default), a stricter value, a looser value] */
  const STRICTER: Array<[string, unknown, unknown, unknown]> = [
    ['session.lockAfterMinutes', undefined, 5, 30],
    ['session.idleMinutes', undefined, 5, 90],
    ['session.absoluteHours', 8, 1, 24],
    ['session.persistSession', undefined, false, true],
    ['session.recentSignInMinutes', undefined, 5, 60],
    ['session.rememberLastSignIn', false, false, true],
    ['session.keepIdpSignIn', false, false, true],
    ['localAccounts.enabled', false, false, true],
    ['localAccounts.minPasswordLength', 14, 16, 12],
    ['localAccounts.maxFailures', 10, 3, 11],
    ['localAccounts.lockoutMinutes', undefined, 60, 1],
    ['localAccounts.backoffBaseMs', 500, 2000, 0],
    ['localAccounts.argon2.memoryKiB', 65536, 131072, 32768],
    ['localAccounts.argon2.timeCost', 4, 5, 3],
    ['security.allowWeakKeyStorage', undefined, false, true],
  ];
  const nest = (key: string, value: unknown) =>
    key
      .split('.')
      .reverse()
      .reduce<unknown>((inner, segment) => ({ [segment]: inner }), value) as Record<string, unknown>;

  it('has a case here for every key a person may set (a new one needs its own)', () => {
    expect(STRICTER.map(([key]) => key).sort()).toEqual(Object.keys(USER_SETTABLE).sort());
  });

  it.each(STRICTER)(
    '%s: a stricter value applies, an equal one is accepted, a looser one is refused',
    (key, floor, stricter, looser) => {
      const floorLayers = floor === undefined ? [] : [policy(nest(key, floor))];
      const base = valueAt(parseConfig(floorLayers), key);
      expect(valueAt(parseConfig([user(nest(key, stricter)), ...floorLayers]), key)).toBe(stricter);
      expect(valueAt(parseConfig([user(nest(key, base)), ...floorLayers]), key)).toBe(base);
      const error = configErrorOf([user(nest(key, looser)), ...floorLayers]);
      expect(error.origin).toBe('user');
      expect(error.keys).toEqual([key]);
      expect(error.issues[0]).toContain(`${key}: ${JSON.stringify(looser)} is less strict than ${JSON.stringify(base)}`);
      expect(error.issues[0]).toContain(floor === undefined ? 'Portico’s default' : 'your administrator’s machine policy');
    },
  );

  it('may switch off what the policy switches on (persisted sessions, weak key storage, local accounts)', () => {
    const config = parseConfig([
      user({ session: { persistSession: false }, security: { allowWeakKeyStorage: false }, localAccounts: { enabled: false } }),
      policy({ session: { persistSession: true }, security: { allowWeakKeyStorage: true }, localAccounts: { enabled: true } }),
    ]);
    expect([config.session.persistSession, config.security.allowWeakKeyStorage, config.localAccounts.enabled]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('a tightening wins over a looser policy value; the policy’s other keys stay', () => {
    const config = parseConfig([
      user({ localAccounts: { maxFailures: 3 } }),
      policy({ localAccounts: { maxFailures: 10, lockoutMinutes: 30 } }),
    ]);
    expect(config.localAccounts).toMatchObject({ maxFailures: 3, lockoutMinutes: 30 });
  });

  it('takes the strictest of several user files, in any order (config.json, then PORTICO_CONFIG)', () => {
    const a = user({ session: { idleMinutes: 10 }, localAccounts: { lockoutMinutes: 20 } });
    const b = user({ session: { idleMinutes: 12 }, localAccounts: { lockoutMinutes: 60 } }, '/opt/extra.json');
    for (const layers of [
      [a, b],
      [b, a],
    ]) {
      const config = parseConfig(layers);
      expect(config.session.idleMinutes).toBe(10);
      expect(config.localAccounts.lockoutMinutes).toBe(60);
    }
  });

  it('names the file that loosens, not another user file', () => {
    const error = configErrorOf([
      user({ session: { idleMinutes: 10 } }),
      user({ session: { idleMinutes: 90 } }, '/opt/extra.json'),
    ]);
    expect(error.source).toBe('/opt/extra.json');
    expect(error.message).not.toContain(CONFIG);
  });

  it('treats a layer of no stated kind as the person’s (fail closed)', () => {
    const error = configErrorOf([
      { source: 'unlabelled.json', value: { access: { rolePermissions: { viewer: ['admin.users'] } } } },
    ]);
    expect(error.origin).toBe('user');
    expect(error.keys).toEqual(['access.rolePermissions.viewer']);
  });

  it('accepts an empty section (it sets nothing)', () => {
    expect(parseConfig([user({ access: {}, providers: {} })]).providers.oidc).toEqual([]);
  });
});
