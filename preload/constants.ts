/**
 * The contract's plain constants, with no zod: the renderer may import these as values
 * without pulling the schemas into its bundle. `contract.ts` re-exports them.
 */

/**
 * What a role may do. `data.read.pii` shows personal data unmasked; `admin.*` open the admin
 * screens. Roles get permissions from configuration (`access.rolePermissions`).
 */
export const PERMISSIONS = [
  'data.read',
  'data.read.pii',
  'data.export',
  'admin.users',
  'admin.roles',
  'admin.audit',
  'admin.settings',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Portico's roles, for local accounts and SSO mappings alike. */
export const LOCAL_ROLES = ['admin', 'manager', 'analyst', 'viewer'] as const;
export type LocalRole = (typeof LOCAL_ROLES)[number];

export const ERROR_CODES = [
  'FORBIDDEN_SENDER',
  'UNKNOWN_CHANNEL',
  'INVALID_PAYLOAD',
  'NOT_SIGNED_IN',
  'SESSION_EXPIRED',
  'SESSION_LOCKED',
  'RECENT_SIGN_IN_REQUIRED',
  'PERMISSION_DENIED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'THROTTLED',
  'WEAK_PASSWORD',
  // Sign-in steps after a right password (sign-in-flow.ts): answered instead of a session.
  'SECOND_FACTOR_REQUIRED',
  'PASSWORD_CHANGE_REQUIRED',
  'SECOND_FACTOR_ENROLMENT_REQUIRED',
  'SECOND_FACTOR_INVALID',
  'SECOND_FACTOR_SETUP_EXPIRED',
  'USERNAME_TAKEN',
  'NOT_FOUND',
  'SETUP_ALREADY_DONE',
  'SETUP_REQUIRED',
  'SETUP_NOT_ALLOWED',
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
  'SSO_IDP_ERROR',
  'UNKNOWN_DATASET',
  'UNKNOWN_COLUMN',
  'DATA_UNAVAILABLE',
  'DATA_LOADING',
  'EXPORT_FAILED',
  'DATA_CONNECT_REQUIRED',
  'DATA_CREDENTIAL_REJECTED',
  'DATA_SOURCE_UNREACHABLE',
  'DATA_ACCESS_DENIED',
  'SETTING_LOCKED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
