import { describe, expect, it } from 'vitest';
import { permissionsFor } from '../../../../main/auth/roles';

describe('roles', () => {
  it('grants users:manage to admin only', () => {
    expect(permissionsFor(['admin'])).toContain('users:manage');
    expect(permissionsFor(['analyst'])).toEqual(['data:export', 'data:read']);
    expect(permissionsFor(['viewer'])).toEqual(['data:read']);
  });

  it('unions roles and ignores unknown or inherited names', () => {
    expect(permissionsFor(['viewer', 'analyst', 'viewer'])).toEqual(['data:export', 'data:read']);
    expect(permissionsFor(['superuser', 'constructor', '__proto__', 'toString'])).toEqual([]);
  });
});
