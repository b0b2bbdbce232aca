/**
 * The contract's plain constants, with no zod: the renderer may import these as values
 * without pulling the schemas into its bundle. `contract.ts` re-exports them.
 */

export const PERMISSIONS = ['users:manage', 'audit:read', 'data:read', 'data:export'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const LOCAL_ROLES = ['admin', 'analyst', 'viewer'] as const;
export type LocalRole = (typeof LOCAL_ROLES)[number];

export const ERROR_CODES = [
  'FORBIDDEN_SENDER',
  'UNKNOWN_CHANNEL',
  'INVALID_PAYLOAD',
  'NOT_SIGNED_IN',
  'SESSION_EXPIRED',
  'RECENT_SIGN_IN_REQUIRED',
  'PERMISSION_DENIED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'THROTTLED',
  'WEAK_PASSWORD',
  'USERNAME_TAKEN',
  'NOT_FOUND',
  'SETUP_ALREADY_DONE',
  'SETUP_REQUIRED',
  'CANNOT_DISABLE_SELF',
  'LAST_ADMIN',
  'APP_UNAVAILABLE',
  'UNKNOWN_PROVIDER',
  'SSO_CANCELLED',
  'SSO_TIMEOUT',
  'SSO_REFUSED',
  'SSO_IN_PROGRESS',
  'SSO_NO_ROLES',
  'SSO_GROUP_OVERAGE',
  'SSO_DIFFERENT_USER',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
