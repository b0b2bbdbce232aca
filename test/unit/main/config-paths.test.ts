import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSources, machinePolicyPath, readConfigLayers } from '../../../main/config-paths';
import { ConfigError, parseConfig } from '../../../main/policy/load-config';
import { lockedKeys } from '../../../main/policy/locked-keys';
import { tempDir } from '../helpers';
import { makeFifo } from './policy/special-files';

/**
 * The machine policy folder is made real and writable by using the Windows layout, whose root
 * comes from %ProgramData%: `<ProgramData>/Portico/policy.json` under a temp folder.
 */
async function machine() {
  const root = await tempDir();
  const userData = path.join(root, 'userData');
  const programData = path.join(root, 'ProgramData');
  await fs.mkdir(userData, { recursive: true });
  const policyFile = path.join(programData, 'Portico', 'policy.json');
  const write = async (file: string, value: unknown) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, JSON.stringify(value));
    return file;
  };
  return { root, userData, programData, policyFile, write, env: { ProgramData: programData } as NodeJS.ProcessEnv };
}

async function configErrorOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('machinePolicyPath', () => {
  it('is the documented path on each platform', () => {
    expect(machinePolicyPath('linux', {})).toBe('/etc/portico/policy.json');
    expect(machinePolicyPath('darwin', {})).toBe('/Library/Application Support/Portico/policy.json');
    expect(machinePolicyPath('win32', { ProgramData: 'D:/PD' })).toBe(path.join('D:/PD', 'Portico', 'policy.json'));
  });
});

describe('configSources', () => {
  it('lists user settings, then PORTICO_CONFIG, then the policy, with their kinds', () => {
    const sources = configSources('/u', 'linux', { PORTICO_CONFIG: '/x/settings.json' });
    expect(sources).toEqual([
      { file: path.join('/u', 'config.json'), kind: 'user', required: false, origin: 'user-data' },
      { file: '/x/settings.json', kind: 'user', required: true, origin: 'PORTICO_CONFIG' },
      { file: '/etc/portico/policy.json', kind: 'policy', required: false, origin: 'machine' },
    ]);
  });

  it('puts PORTICO_POLICY in place of the machine path, as a required policy', () => {
    const sources = configSources('/u', 'linux', { PORTICO_POLICY: '/tmp/p.json' });
    expect(sources.at(-1)).toEqual({ file: '/tmp/p.json', kind: 'policy', required: true, origin: 'PORTICO_POLICY' });
    expect(sources.map((s) => s.file)).not.toContain('/etc/portico/policy.json');
  });
});

describe('readConfigLayers', () => {
  it('reads nothing when no file exists (no policy on this machine is fine)', async () => {
    const m = await machine();
    expect(await readConfigLayers(m.userData, 'win32', m.env)).toEqual([]);
  });

  it('reads user settings and the machine policy, policy last, with their kinds', async () => {
    const m = await machine();
    const userFile = await m.write(path.join(m.userData, 'config.json'), { session: { idleMinutes: 5, absoluteHours: 8 } });
    await m.write(m.policyFile, { session: { idleMinutes: 10 }, localAccounts: { enabled: false } });
    const layers = await readConfigLayers(m.userData, 'win32', m.env);
    expect(layers.map((l) => [l.source, l.kind])).toEqual([
      [userFile, 'user'],
      [m.policyFile, 'policy'],
    ]);
    const config = parseConfig(layers);
    // The person's settings may only tighten: a shorter idle time than the policy's applies.
    expect(config.session).toMatchObject({ idleMinutes: 5, absoluteHours: 8 });
    expect(config.localAccounts.enabled).toBe(false);
    expect(lockedKeys(layers)).toEqual(['localAccounts.enabled', 'session.idleMinutes']);
  });

  it('reads PORTICO_CONFIG as user settings between config.json and the policy; it must exist', async () => {
    const m = await machine();
    await m.write(path.join(m.userData, 'config.json'), { session: { idleMinutes: 10 } });
    const extra = await m.write(path.join(m.root, 'extra.json'), { session: { idleMinutes: 12, absoluteHours: 2 } });
    await m.write(m.policyFile, { session: { absoluteHours: 4 } });
    const layers = await readConfigLayers(m.userData, 'win32', { ...m.env, PORTICO_CONFIG: extra });
    expect(layers.map((l) => l.kind)).toEqual(['user', 'user', 'policy']);
    // The strictest value of each key applies.
    expect(parseConfig(layers).session).toMatchObject({ idleMinutes: 10, absoluteHours: 2 });

    const missing = path.join(m.root, 'nope.json');
    const error = await configErrorOf(readConfigLayers(m.userData, 'win32', { ...m.env, PORTICO_CONFIG: missing }));
    expect(error.origin).toBe('user');
    expect(error.message).toContain(missing);
  });

  it('uses the file PORTICO_POLICY names in place of the machine policy', async () => {
    const m = await machine();
    const file = await m.write(path.join(m.root, 'test-policy.json'), { session: { persistSession: true } });
    const layers = await readConfigLayers(m.userData, 'win32', { ...m.env, PORTICO_POLICY: file });
    expect(layers).toEqual([{ source: file, kind: 'policy', value: { session: { persistSession: true } } }]);
    expect(lockedKeys(layers)).toEqual(['session.persistSession']);
  });

  it('refuses to start when PORTICO_POLICY names a missing file (no fallback to no policy)', async () => {
    const m = await machine();
    const file = path.join(m.root, 'missing-policy.json');
    const error = await configErrorOf(readConfigLayers(m.userData, 'win32', { ...m.env, PORTICO_POLICY: file }));
    expect(error.origin).toBe('policy');
    expect(error.source).toBe(file);
    expect(error.message).toContain(file);
    expect(error.message).toContain('does not exist');
  });

  it('refuses PORTICO_POLICY on a machine where IT installed a policy (an environment variable cannot unlock it)', async () => {
    const m = await machine();
    await m.write(m.policyFile, { localAccounts: { enabled: false } });
    const mine = await m.write(path.join(m.root, 'mine.json'), { localAccounts: { enabled: true } });
    const error = await configErrorOf(readConfigLayers(m.userData, 'win32', { ...m.env, PORTICO_POLICY: mine }));
    expect(error.origin).toBe('policy');
    expect(error.message).toContain(m.policyFile);
    expect(error.message).toContain('PORTICO_POLICY');
    // Naming the installed file itself is allowed.
    const layers = await readConfigLayers(m.userData, 'win32', { ...m.env, PORTICO_POLICY: m.policyFile });
    expect(layers.map((l) => l.source)).toEqual([m.policyFile]);
  });

  it('refuses an unreadable machine policy rather than skipping it (a folder in its place)', async () => {
    const m = await machine();
    await fs.mkdir(m.policyFile, { recursive: true });
    const error = await configErrorOf(readConfigLayers(m.userData, 'win32', m.env));
    expect(error.origin).toBe('policy');
    expect(error.message).toContain(m.policyFile);
  });

  it('attributes a JSON syntax error in the machine policy to the policy file', async () => {
    const m = await machine();
    await fs.mkdir(path.dirname(m.policyFile), { recursive: true });
    await fs.writeFile(m.policyFile, '{ "session": { "idleMinutes": 5, } }');
    const error = await configErrorOf(readConfigLayers(m.userData, 'win32', m.env));
    expect(error.origin).toBe('policy');
    expect(error.source).toBe(m.policyFile);
    expect(error.message).toContain(`${m.policyFile} is not valid JSON`);
    expect(error.issues[0]).toMatch(/^line 1, column \d+:/);
  });

  it('holds PORTICO_CONFIG to the same rules as config.json: only tightening, nothing only IT may set', async () => {
    const m = await machine();
    await m.write(m.policyFile, { localAccounts: { maxFailures: 5 } });
    const extra = await m.write(path.join(m.root, 'extra.json'), {
      access: { rolePermissions: { viewer: ['data.read', 'admin.users'] } },
    });
    const env = { ...m.env, PORTICO_CONFIG: extra };
    const refused = await configErrorOf(readConfigLayers(m.userData, 'win32', env).then(parseConfig));
    expect(refused.origin).toBe('user');
    expect(refused.source).toBe(extra);
    expect(refused.keys).toEqual(['access.rolePermissions.viewer']);

    await m.write(extra, { localAccounts: { maxFailures: 50 } });
    const looser = await configErrorOf(readConfigLayers(m.userData, 'win32', env).then(parseConfig));
    expect(looser.source).toBe(extra);
    expect(looser.keys).toEqual(['localAccounts.maxFailures']);
    expect(looser.issues[0]).toContain('your administrator’s machine policy');

    await m.write(extra, { localAccounts: { maxFailures: 2 } });
    expect(parseConfig(await readConfigLayers(m.userData, 'win32', env)).localAccounts.maxFailures).toBe(2);
  });

  it('does not stall on a named pipe (FIFO) in place of config.json: refused at once, naming the file', async () => {
    const m = await machine();
    const fifo = path.join(m.userData, 'config.json');
    await makeFifo(fifo);
    const error = await configErrorOf(readConfigLayers(m.userData, 'win32', m.env));
    expect(error.origin).toBe('user');
    expect(error.source).toBe(fifo);
    expect(error.message).toBe(`The configuration file ${fifo} could not be read: it is a named pipe (FIFO), not a file.`);
  }, 30_000);

  it('reads a machine policy written by PowerShell (UTF-16LE with a byte order mark)', async () => {
    const m = await machine();
    await fs.mkdir(path.dirname(m.policyFile), { recursive: true });
    const json = JSON.stringify({ localAccounts: { enabled: false } }, null, 2).replace(/\n/g, '\r\n');
    await fs.writeFile(m.policyFile, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]));
    const layers = await readConfigLayers(m.userData, 'win32', m.env);
    expect(parseConfig(layers).localAccounts.enabled).toBe(false);
  });
});
