/**
 * The typed IPC contract: the only code shared by main, preload and renderer.
 *
 * Each channel names its payload schema (validated in main as `unknown`), the permission
 * it needs, and (as a phantom type) the value it resolves to. It imports nothing from
 * electron or node, so the renderer can import its types and main its schemas.
 */
import { z } from 'zod';
import { LOCAL_ROLES, type ErrorCode, type LocalRole, type Permission } from './constants';

export * from './constants';

/** `public`: no session needed. `session`: any signed-in user. Otherwise a permission. */
export type Access = 'public' | 'session' | Permission;

// ---------------------------------------------------------------------------
// Value types sent to the renderer. Never tokens, hashes or keys.
// ---------------------------------------------------------------------------

export interface ProviderSummary {
  id: string;
  displayName: string;
  protocol: 'saml' | 'oidc';
}

export interface SessionSummary {
  user: {
    id: string;
    username: string;
    displayName: string;
    /** `local` or the SSO protocol; `providerName` names the IdP for SSO users. */
    provider: 'local' | 'saml' | 'oidc';
    providerId: string | null;
    providerName: string | null;
  };
  roles: string[];
  permissions: Permission[];
  /** Epoch ms: the absolute expiry. */
  expiresAt: number;
  /** Epoch ms: when the session ends if idle from now on. */
  idleExpiresAt: number;
  /** Epoch ms: until when admin actions need no password confirmation. */
  recentSignInUntil: number;
}

export type AppStatus =
  | { state: 'needs-setup' }
  | { state: 'ready' }
  | { state: 'error'; code: string; title: string; message: string; detail?: string };

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
  status: AppStatus;
  keyStorage: string;
  passwordPolicy: { minLength: number };
  localAccountsEnabled: boolean;
  /** Configured SSO providers, in configuration order. */
  providers: ProviderSummary[];
  /** Why the user must sign in again (a kept sign-in ended), for the sign-in screen; else null. */
  signInNotice: string | null;
}

export interface UserRecordSummary {
  id: string;
  username: string;
  displayName: string;
  roles: LocalRole[];
  disabled: boolean;
  locked: boolean;
  createdAt: number;
  lastSignInAt: number | null;
}

// ---------------------------------------------------------------------------
// Payload schemas. Strict objects: unknown keys (including `__proto__`) are refused.
// ---------------------------------------------------------------------------

/** Usernames: what an employee types. Case-insensitive, normalised in main. */
const username = z
  .string()
  .trim()
  .min(1, 'Enter a username.')
  .max(64, 'Usernames are at most 64 characters.')
  .regex(/^[\p{L}\p{N}._@-]+$/u, 'Usernames may contain letters, digits and . _ @ - only.');

/**
 * Passwords are never trimmed or truncated; the upper bound only stops absurd inputs
 * from costing argon2 time (OWASP: allow at least 64 characters).
 */
const password = z.string().min(1, 'Enter a password.').max(1024, 'Passwords are at most 1024 characters.');
const displayName = z.string().trim().min(1, 'Enter a display name.').max(120);
const roles = z.array(z.enum(LOCAL_ROLES)).min(1, 'Pick at least one role.').max(LOCAL_ROLES.length);
const empty = z.strictObject({});

export const schemas = {
  empty,
  createAdmin: z.strictObject({ username, displayName, password }),
  signIn: z.strictObject({ username, password }),
  createUser: z.strictObject({ username, displayName, password, roles }),
  setDisabled: z.strictObject({ userId: z.uuid(), disabled: z.boolean() }),
  resetPassword: z.strictObject({ userId: z.uuid(), password }),
  confirmPassword: z.strictObject({ password }),
  discover: z.strictObject({ email: z.string().trim().max(320) }),
  provider: z.strictObject({ providerId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Unknown provider.') }),
  startSso: z.strictObject({
    providerId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Unknown provider.'),
    /** The email typed on the sign-in screen, passed to the IdP as login_hint. */
    loginHint: z.string().trim().max(320).optional(),
  }),
};

// ---------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------

interface ChannelDef<S extends z.ZodType, V> {
  schema: S;
  access: Access;
  /** Needs a recent sign-in (password confirmed within `session.recentSignInMinutes`). */
  recentSignIn: boolean;
  /** Phantom: the value type the channel resolves to. Never read at run time. */
  value?: V;
}

function channel<V>() {
  return <S extends z.ZodType>(schema: S, access: Access, options: { recentSignIn?: boolean } = {}): ChannelDef<S, V> => ({
    schema,
    access,
    recentSignIn: options.recentSignIn ?? false,
  });
}

const sensitive = { recentSignIn: true };

export const channels = {
  'app:get-info': channel<AppInfo>()(empty, 'public'),
  'setup:create-admin': channel<SessionSummary>()(schemas.createAdmin, 'public'),
  'auth:sign-in-local': channel<SessionSummary>()(schemas.signIn, 'public'),
  'auth:sign-out': channel<null>()(empty, 'public'),
  'session:get-current': channel<SessionSummary | null>()(empty, 'public'),
  'users:list': channel<UserRecordSummary[]>()(empty, 'users:manage'),
  'users:create': channel<UserRecordSummary>()(schemas.createUser, 'users:manage', sensitive),
  'users:set-disabled': channel<UserRecordSummary>()(schemas.setDisabled, 'users:manage', sensitive),
  'users:reset-password': channel<UserRecordSummary>()(schemas.resetPassword, 'users:manage', sensitive),
  'auth:confirm-password': channel<SessionSummary>()(schemas.confirmPassword, 'session'),
  'auth:discover-provider': channel<ProviderSummary | null>()(schemas.discover, 'public'),
  'auth:start-sso': channel<SessionSummary>()(schemas.startSso, 'public'),
  /** Proves again, at the session's own IdP, that the same user is here (recent sign-in). */
  'auth:reauthenticate-sso': channel<SessionSummary>()(empty, 'session'),
  'auth:cancel-sso': channel<null>()(empty, 'public'),
  'admin:get-sp-metadata': channel<string>()(schemas.provider, 'users:manage'),
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelPayload<C extends ChannelName> = z.input<Channels[C]['schema']>;
export type ChannelInput<C extends ChannelName> = z.output<Channels[C]['schema']>;
export type ChannelValue<C extends ChannelName> = Exclude<Channels[C]['value'], undefined>;

// ---------------------------------------------------------------------------
// Results: errors are values across IPC.
// ---------------------------------------------------------------------------

export interface IpcError {
  ok: false;
  code: ErrorCode;
  /** Says what happened and what to do; safe to show to the user. */
  message: string;
  /** Field-level messages for forms (from payload validation). */
  fields?: Record<string, string>;
  /** For THROTTLED / ACCOUNT_LOCKED: epoch ms when a new attempt is allowed. */
  retryAt?: number;
}
export type IpcResult<V> = { ok: true; value: V } | IpcError;
