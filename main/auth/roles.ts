/**
 * App roles and what each may do. Every check against these happens in main. IT may change
 * which permissions a role grants (`access.rolePermissions`); the role names are fixed, so a
 * mapping or a local account can never name a role Portico does not know.
 */
import { z } from 'zod';
import { LOCAL_ROLES, PERMISSIONS, type LocalRole, type Permission } from '../../preload/constants';

export type RolePermissions = Readonly<Record<LocalRole, readonly Permission[]>>;

/** The shipped roles: viewer < analyst (all rows, masked, export) < manager (own scope, PII) < admin. */
export const DEFAULT_ROLE_PERMISSIONS: RolePermissions = {
  viewer: ['data.read'],
  analyst: ['data.read', 'data.export'],
  manager: ['data.read', 'data.read.pii', 'data.export'],
  admin: [...PERMISSIONS],
};

const permissionList = z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length);

export const accessConfig = z
  .strictObject({
    /** Role -> permissions; a role left out keeps its default. */
    rolePermissions: z
      .strictObject(
        Object.fromEntries(LOCAL_ROLES.map((role) => [role, permissionList.optional()])) as Record<
          LocalRole,
          z.ZodOptional<typeof permissionList>
        >,
      )
      .default({})
      .transform((given): RolePermissions => {
        const out = { ...DEFAULT_ROLE_PERMISSIONS };
        for (const role of LOCAL_ROLES) if (given[role]) out[role] = [...new Set(given[role])];
        return out;
      }),
  })
  .prefault({});

export function permissionsFor(roles: readonly string[], table: RolePermissions = DEFAULT_ROLE_PERMISSIONS): Permission[] {
  const granted = new Set<Permission>();
  for (const role of roles) {
    // Own keys only: a role named "constructor" or "__proto__" (e.g. from an IdP claim) grants nothing.
    if (!Object.hasOwn(table, role)) continue;
    for (const permission of table[role as LocalRole]) granted.add(permission);
  }
  return [...granted].sort();
}
