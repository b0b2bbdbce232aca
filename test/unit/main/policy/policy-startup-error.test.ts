import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type ConfigLayer } from '../../../../main/policy/load-config';
import { describeStartupError } from '../../../../main/startup-errors';

function errorScreen(layers: ConfigLayer[]) {
  try {
    parseConfig(layers);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return describeStartupError(error);
  }
  throw new Error('Expected the configuration to be refused.');
}

describe('the error screen for an invalid configuration', () => {
  it('says an invalid policy is the administrator’s, names the file and keys, and tells the user what to do', () => {
    const screen = errorScreen([
      { source: '/etc/portico/policy.json', kind: 'policy', value: { session: { persistSession: 'no' }, sesion: {} } },
    ]);
    expect(screen.code).toBe('POLICY_INVALID');
    expect(screen.title).toMatch(/administrator/);
    expect(screen.message).toContain('/etc/portico/policy.json');
    expect(screen.message).toContain('session.persistSession');
    expect(screen.message).toContain('sesion');
    expect(screen.message).toMatch(/IT department/);
    expect(screen.detail).toContain('Policy file: /etc/portico/policy.json');
    expect(screen.detail).toContain('session.persistSession:');
  });

  it('keeps CONFIG_INVALID for the user’s own settings', () => {
    const screen = errorScreen([{ source: 'config.json', kind: 'user', value: { session: { idleMinutes: 'x' } } }]);
    expect(screen.code).toBe('CONFIG_INVALID');
    expect(screen.message).toContain('config.json');
    expect(screen.message).toContain('session.idleMinutes');
  });

  it('says a key only IT may set is IT’s, naming the person’s file in the details too', () => {
    const file = '/home/vera/.config/Portico/config.json';
    const screen = errorScreen([
      { source: file, kind: 'user', value: { access: { rolePermissions: { viewer: ['admin.users'] } } } },
    ]);
    expect(screen.code).toBe('CONFIG_INVALID');
    expect(screen.message).toContain('access.rolePermissions.viewer');
    expect(screen.message).toContain('only IT can set');
    expect(screen.detail).toBe(
      `Configuration file: ${file}\naccess.rolePermissions.viewer: only the machine policy may set this key; remove it from this file`,
    );
  });
});
