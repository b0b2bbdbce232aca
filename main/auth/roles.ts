/** App roles and what each may do. Every check against these happens in main. */
import type { LocalRole, Permission } from '../../preload/contract';

export const ROLE_PERMISSIONS: Record<LocalRole, readonly Permission[]> = {
  admin: ['users:manage', 'audit:read', 'data:read', 'data:export'],
  analyst: ['data:read', 'data:export'],
  viewer: ['data:read'],
};

export function permissionsFor(roles: readonly string[]): Permission[] {
  const granted = new Set<Permission>();
  for (const role of roles) {
    // Own keys only: a role named "constructor" or "__proto__" (e.g. from an IdP claim) grants nothing.
    if (!Object.hasOwn(ROLE_PERMISSIONS, role)) continue;
    for (const permission of ROLE_PERMISSIONS[role as LocalRole]) granted.add(permission);
  }
  return [...granted].sort();
}
