import { describe, expect, it } from 'vitest';
import { accessConfig, DEFAULT_ROLE_PERMISSIONS, permissionsFor } from '../../../../main/auth/roles';
import { PERMISSIONS } from '../../../../preload/constants';

describe('roles', () => {
  it('ships viewer < analyst < manager < admin, each with exactly its permissions', () => {
    expect(permissionsFor(['viewer'])).toEqual(['data.read']);
    expect(permissionsFor(['analyst'])).toEqual(['data.export', 'data.read']);
    expect(permissionsFor(['manager'])).toEqual(['data.export', 'data.read', 'data.read.pii']);
    expect(permissionsFor(['admin'])).toEqual([...PERMISSIONS].sort());
    for (const role of ['viewer', 'analyst', 'manager'] as const) {
      expect(permissionsFor([role]).some((p) => p.startsWith('admin.'))).toBe(false);
    }
  });

  it('unions roles and ignores unknown or inherited names', () => {
    expect(permissionsFor(['viewer', 'analyst', 'viewer'])).toEqual(['data.export', 'data.read']);
    expect(permissionsFor(['superuser', 'constructor', '__proto__', 'toString'])).toEqual([]);
  });

  it('takes role permissions from configuration; roles left out keep their defaults', () => {
    const table = accessConfig.parse({ rolePermissions: { viewer: ['data.read', 'data.export', 'data.read'] } }).rolePermissions;
    expect(permissionsFor(['viewer'], table)).toEqual(['data.export', 'data.read']);
    expect(table.admin).toEqual(DEFAULT_ROLE_PERMISSIONS.admin);
  });

  it('refuses unknown roles and permissions in configuration', () => {
    expect(accessConfig.safeParse({ rolePermissions: { superuser: ['data.read'] } }).success).toBe(false);
    expect(accessConfig.safeParse({ rolePermissions: { viewer: ['data.delete'] } }).success).toBe(false);
  });
});
