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
    /** An email the IdP vouches for (row scopes by email use only this); null for local accounts. */
    email: string | null;
  };
  roles: string[];
  /** IdP groups or a local account's groups (row scopes match these). */
  groups: string[];
  permissions: Permission[];
  /** Epoch ms: the absolute expiry. */
  expiresAt: number;
  /** Epoch ms: when the session ends if idle from now on. */
  idleExpiresAt: number;
  /** Epoch ms: until when admin actions need no password confirmation. */
  recentSignInUntil: number;
  /** Locked (idle): only unlocking as this same user, or signing out, is possible. */
  locked: boolean;
  /** Epoch ms: when the window locks if idle from now on; null when policy never locks first. */
  lockAt: number | null;
  /** Main's clock when this summary was made: the window counts down in main's time, not its own. */
  now: number;
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
  /**
   * How someone last signed in on this computer, for the sign-in screen to fill in (a username or
   * a provider, never a password); null when none is kept or policy `session.rememberLastSignIn` is off.
   */
  lastSignIn: LastSignIn | null;
}

export type LastSignIn = { method: 'local'; username: string } | { method: 'sso'; providerId: string };

export interface UserRecordSummary {
  id: string;
  username: string;
  displayName: string;
  roles: LocalRole[];
  groups: string[];
  disabled: boolean;
  locked: boolean;
  createdAt: number;
  lastSignInAt: number | null;
  /** Two-step verification is set up (an authenticator app). */
  secondFactor: boolean;
  /** The password was set by an administrator and must be changed at the next sign-in. */
  passwordChangeRequired: boolean;
}

/** The signed-in local account's own sign-in settings (the Account dialog). */
export interface AccountSecurity {
  /** Two-step verification, when set up: since when, and how many recovery codes still work. */
  secondFactor: { enrolledAt: number; recoveryCodesLeft: number } | null;
  /** IT's policy (`localAccounts.mfa`) requires a second factor for this account: it cannot be turned off. */
  secondFactorRequired: boolean;
  passwordPolicy: { minLength: number };
}

/** Setting up an authenticator app: shown once, while the person sets it up. */
export interface SecondFactorEnrolment {
  /** The shared secret in base32, for apps that cannot scan (typed in by hand). */
  secret: string;
  /** The otpauth:// URI the QR code holds. */
  uri: string;
  /** The QR code's modules, row by row: '1' dark, '0' light (drawn by the window, nothing fetched). */
  qr: string[];
}

/** Two-step verification set up: the recovery codes, shown this once, and the session as it is now. */
export interface SecondFactorEnrolled {
  recoveryCodes: string[];
  session: SessionSummary;
}

/** Someone who signed in through single sign-on on this computer (the Users screen lists them). */
export interface SsoPersonSummary {
  /** `<provider id>:<the IdP's stable id>`: how Portico tells people apart (never by email). */
  id: string;
  username: string;
  displayName: string;
  providerId: string;
  providerName: string;
  protocol: 'saml' | 'oidc';
  firstSignInAt: number;
  lastSignInAt: number;
  /** As the IdP's groups gave them at their last sign-in (or refresh). */
  roles: LocalRole[];
  groups: string[];
  /**
   * What this computer keeps for their next sign-in: an OIDC refresh token in the vault, and the
   * IdP's cookies in the sign-in window's storage (they were the last to sign in there).
   */
  keptSignIn: { refreshToken: boolean; idpCookies: boolean };
}

// --- Data view -------------------------------------------------------------

export type ColumnType = 'text' | 'integer' | 'decimal' | 'date';

export interface DatasetColumn {
  name: string;
  label: string;
  type: ColumnType;
  /** Values are masked for this user (e.g. `j***@example.com`): the UI marks them. */
  masked: boolean;
}

export interface DatasetSummary {
  id: string;
  name: string;
  description: string;
  /** Only the columns this user may see, in display order. */
  columns: DatasetColumn[];
  /** How rows are limited for this user, in words (e.g. "region is EMEA"); null: every row. */
  rowScope: string | null;
  /** Export is allowed for this user on this dataset (permission and policy). */
  canExport: boolean;
  /** Columns the chart may count by (visible, few distinct values). */
  chartColumns: string[];
  /** `failed`: the dataset did not open (no columns, nothing to query); `error` says why. */
  status: 'ready' | 'failed';
  error: string | null;
  /**
   * `local`: a file on this computer (anyone who can read the person's files can read it;
   * Portico's rules shape the window). `team`: a PostgreSQL database that decides per person.
   * Always set by main.
   */
  kind?: 'local' | 'team';
  /** Team datasets: where this person stands with the database (never a password). */
  connection?: TeamConnection | null;
}

export interface TeamConnection {
  method: 'password' | 'entra-token';
  state: 'connected' | 'needs-credential' | 'credential-rejected' | 'unreachable' | 'access-denied';
  /** The database user: the kept one, or the policy's prefill. */
  username: string | null;
  message: string | null;
}

export type CellValue = string | number | null;

export interface DataPage {
  datasetId: string;
  /** Column names, in the order of each row's cells. */
  columns: string[];
  rows: CellValue[][];
  offset: number;
  /** Rows matching the filters and search within this user's scope. */
  total: number;
  /** `total` is the database planner's estimate (the exact count is not known yet): shown as "about". */
  totalIsEstimate?: boolean;
}

export interface CountBucket {
  value: string | null;
  count: number;
}

export interface ExportResult {
  rows: number;
  /** The file's name only (not its folder): for the confirmation message. */
  fileName: string;
}

// --- Admin: audit log, role mapping, preview ------------------------------

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEntryView {
  seq: number;
  /** ISO 8601, UTC. */
  at: string;
  actor: string | null;
  action: string;
  outcome: AuditOutcome;
  target: string | null;
  details: Record<string, string | number | boolean | null>;
  /** False at and after the first break in the hash chain: this record cannot be trusted. */
  verified: boolean;
}

export interface AuditQueryResult {
  entries: AuditEntryView[];
  /** Whether the whole log's hash chain verifies, and where it breaks if not. */
  integrity: { ok: true; count: number } | { ok: false; count: number; brokenAtLine: number; reason: string };
}

export interface ProviderRoleMapping {
  providerId: string;
  displayName: string;
  protocol: 'saml' | 'oidc';
  /** IdP group (name or id) -> Portico roles. */
  mapping: Record<string, LocalRole[]>;
  /** Set by the machine policy: shown read-only, and changes are refused. */
  locked: boolean;
}

export interface RoleMappingView {
  providers: ProviderRoleMapping[];
  rolePermissions: Record<LocalRole, Permission[]>;
}

export interface DiagnosticsView {
  /** What needs attention, most severe first. */
  findings: { severity: 'error' | 'warning' | 'info'; code: string; message: string }[];
  /** The whole report as formatted JSON (no secrets: checked before it leaves main). */
  report: string;
  /** Configuration keys set by the machine policy (shown as "Set by your administrator"). */
  lockedKeys: string[];
}

export interface AccessPreview {
  roles: LocalRole[];
  permissions: Permission[];
  /**
   * What those roles and groups would see: each dataset's scope and first rows, within the
   * caller's own access (`rowsHidden`: the caller's rows are scoped, so only scope and count).
   */
  datasets: { dataset: DatasetSummary; page: DataPage; rowsHidden: boolean }[];
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
/** Group names as IdPs send them (names or GUIDs); row scopes match these. */
const groups = z
  .array(
    z
      .string()
      .trim()
      .min(1)
      .max(256)
      .regex(/^\P{Cc}+$/u, 'Group names cannot contain control characters.'),
  )
  .max(50, 'At most 50 groups.')
  .default([]);
const empty = z.strictObject({});
const providerId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Unknown provider.');

// Data queries: names are checked against each dataset's allow-list in main; values are
// only ever bound as parameters, never put into SQL text.
const datasetId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'Unknown dataset.');
const columnName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'Unknown column.');
const dataFilter = z.strictObject({
  column: columnName,
  op: z.enum(['contains', 'eq', 'gte', 'lte']),
  value: z.union([z.string().max(200, 'Filter values are at most 200 characters.'), z.number().finite()]),
});
const dataSort = z.array(z.strictObject({ column: columnName, direction: z.enum(['asc', 'desc']) })).max(3);
const dataView = {
  datasetId,
  filters: z.array(dataFilter).max(20, 'At most 20 filters.').default([]),
  search: z.string().trim().max(200, 'Searches are at most 200 characters.').default(''),
};
export const MAX_PAGE_ROWS = 500;

export const schemas = {
  empty,
  createAdmin: z.strictObject({ username, displayName, password }),
  signIn: z.strictObject({ username, password }),
  createUser: z.strictObject({ username, displayName, password, roles, groups }),
  setDisabled: z.strictObject({ userId: z.uuid(), disabled: z.boolean() }),
  userId: z.strictObject({ userId: z.uuid() }),
  setAccess: z.strictObject({ userId: z.uuid(), roles, groups }),
  resetPassword: z.strictObject({ userId: z.uuid(), password }),
  confirmPassword: z.strictObject({ password }),
  /** A code from the authenticator app (6 digits) or a recovery code: told apart in main. */
  secondFactorCode: z.strictObject({
    code: z.string().trim().min(1, 'Enter the code.').max(32, 'Codes are at most 32 characters.'),
  }),
  /** Replacing a temporary password during sign-in (the pending sign-in says whose). */
  newPassword: z.strictObject({ newPassword: password }),
  changePassword: z.strictObject({ currentPassword: password, newPassword: password }),
  discover: z.strictObject({ email: z.string().trim().max(320) }),
  provider: z.strictObject({ providerId }),
  dataQuery: z.strictObject({
    ...dataView,
    sort: dataSort.default([]),
    offset: z.number().int().min(0).max(100_000_000),
    limit: z.number().int().min(1).max(MAX_PAGE_ROWS),
  }),
  dataExport: z.strictObject({ ...dataView, sort: dataSort.default([]) }),
  dataCounts: z.strictObject({ ...dataView, column: columnName }),
  /** A person's own database login for a team dataset: tested at once, kept in the vault. */
  dataConnect: z.strictObject({
    datasetId,
    username: z
      .string()
      .trim()
      .min(1, 'Enter your database username.')
      .max(128)
      // eslint-disable-next-line no-control-regex -- refusing control characters is the point
      .regex(/^[^\u0000-\u001f]+$/, 'Usernames cannot contain control characters.'),
    password: z.string().min(1, 'Enter your database password.').max(1024),
  }),
  dataset: z.strictObject({ datasetId }),
  auditQuery: z.strictObject({
    actor: z.string().trim().max(320).optional(),
    action: z.string().trim().max(64).optional(),
    /** Epoch ms, inclusive. */
    from: z.number().int().min(0).optional(),
    to: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  }),
  setRoleMapping: z.strictObject({
    providerId,
    mapping: z
      .record(
        z.string().trim().min(1).max(256),
        z.array(z.enum(LOCAL_ROLES)).min(1, 'Give each group at least one role.').max(LOCAL_ROLES.length),
      )
      .refine((m) => Object.keys(m).length <= 200, 'At most 200 mapped groups.'),
  }),
  previewAccess: z.strictObject({
    /** Map these groups with this provider's mapping (or use `roles` directly). */
    providerId: providerId.optional(),
    groups,
    roles: z.array(z.enum(LOCAL_ROLES)).max(LOCAL_ROLES.length).default([]),
  }),
  startSso: z.strictObject({
    providerId,
    /** The email typed on the sign-in screen, passed to the IdP as login_hint. */
    loginHint: z.string().trim().max(320).optional(),
    /**
     * "Use another account": the IdP asks who is signing in even when its session is valid (SAML
     * ForceAuthn, OIDC prompt=select_account or login).
     */
    switchAccount: z.boolean().optional(),
  }),
  /**
   * Unlocking a locked session as its own user: the password, and with two-step verification set
   * up, a code (without one the answer is SECOND_FACTOR_REQUIRED and nothing opens).
   */
  unlock: z.strictObject({ password, code: z.string().trim().min(1).max(32).optional() }),
  ssoPerson: z.strictObject({ personId: z.string().min(3).max(600) }),
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
  /**
   * A right password answers the session, or the next step as an error code (SECOND_FACTOR_REQUIRED,
   * PASSWORD_CHANGE_REQUIRED, SECOND_FACTOR_ENROLMENT_REQUIRED): main then holds a short-lived
   * pending sign-in for that account, and no session exists until its steps are done.
   */
  'auth:sign-in-local': channel<SessionSummary>()(schemas.signIn, 'public'),
  /** The pending sign-in's second factor: the session, or the next step. */
  'auth:verify-second-factor': channel<SessionSummary>()(schemas.secondFactorCode, 'public'),
  /** The pending sign-in's temporary password replaced: the session, or the next step. */
  'auth:set-new-password': channel<SessionSummary>()(schemas.newPassword, 'public'),
  /** Two-step verification that policy requires, set up during the pending sign-in. */
  'auth:begin-second-factor-enrolment': channel<SecondFactorEnrolment>()(empty, 'public'),
  'auth:confirm-second-factor-enrolment': channel<SecondFactorEnrolled>()(schemas.secondFactorCode, 'public'),
  /** Drops the pending sign-in (back to the password form). */
  'auth:cancel-sign-in': channel<null>()(empty, 'public'),
  /** The signed-in local account's password and two-step verification. */
  'account:get-security': channel<AccountSecurity>()(empty, 'session'),
  'account:change-password': channel<SessionSummary>()(schemas.changePassword, 'session'),
  'account:begin-second-factor-enrolment': channel<SecondFactorEnrolment>()(empty, 'session', sensitive),
  'account:confirm-second-factor-enrolment': channel<SecondFactorEnrolled>()(schemas.secondFactorCode, 'session'),
  'account:remove-second-factor': channel<AccountSecurity>()(empty, 'session', sensitive),
  'account:new-recovery-codes': channel<string[]>()(empty, 'session', sensitive),
  /** A notice for the sign-in screen when the IdP did not confirm the end of its session, else null. */
  'auth:sign-out': channel<string | null>()(empty, 'public'),
  'session:get-current': channel<SessionSummary | null>()(empty, 'public'),
  /** Keyboard or pointer input in the window (sent at most every 30 s): the idle lock starts again. */
  'session:activity': channel<SessionSummary>()(empty, 'session'),
  /** Opens a locked session with its own user's password. Public: a locked session answers nothing else. */
  'session:unlock': channel<SessionSummary>()(schemas.unlock, 'public'),
  /** Opens a locked SSO session after a new sign-in at its IdP that must return the same user. */
  'session:unlock-sso': channel<SessionSummary>()(empty, 'public'),
  'users:list': channel<UserRecordSummary[]>()(empty, 'admin.users'),
  /** People who signed in through SSO on this computer. */
  'users:list-sso': channel<SsoPersonSummary[]>()(empty, 'admin.users'),
  /** Revokes and deletes what this computer keeps for someone's next SSO sign-in. */
  'users:end-kept-sign-in': channel<SsoPersonSummary>()(schemas.ssoPerson, 'admin.users', sensitive),
  'users:create': channel<UserRecordSummary>()(schemas.createUser, 'admin.users', sensitive),
  'users:set-disabled': channel<UserRecordSummary>()(schemas.setDisabled, 'admin.users', sensitive),
  /** A temporary password: the user changes it at their next sign-in. */
  'users:reset-password': channel<UserRecordSummary>()(schemas.resetPassword, 'admin.users', sensitive),
  /** Removes a user's two-step verification (a lost phone); policy may have them set it up again. */
  'users:reset-second-factor': channel<UserRecordSummary>()(schemas.userId, 'admin.users', sensitive),
  /** A user's roles and groups: what they may do and which rows they see. */
  'users:set-access': channel<UserRecordSummary>()(schemas.setAccess, 'admin.users', sensitive),
  'auth:confirm-password': channel<SessionSummary>()(schemas.confirmPassword, 'session'),
  'auth:discover-provider': channel<ProviderSummary | null>()(schemas.discover, 'public'),
  'auth:start-sso': channel<SessionSummary>()(schemas.startSso, 'public'),
  /** Proves again, at the session's own IdP, that the same user is here (recent sign-in). */
  'auth:reauthenticate-sso': channel<SessionSummary>()(empty, 'session'),
  'auth:cancel-sso': channel<null>()(empty, 'public'),
  'admin:get-sp-metadata': channel<string>()(schemas.provider, 'admin.settings'),
  'data:list-datasets': channel<DatasetSummary[]>()(empty, 'data.read'),
  'data:query': channel<DataPage>()(schemas.dataQuery, 'data.read'),
  'data:counts': channel<CountBucket[]>()(schemas.dataCounts, 'data.read'),
  /** Asks where to save (a dialog in main), then streams CSV there; null when the user cancels. */
  'data:export': channel<ExportResult | null>()(schemas.dataExport, 'data.export'),
  /** Tests and keeps the person's own login for a team dataset; the dataset as they now see it. */
  'data:connect': channel<DatasetSummary>()(schemas.dataConnect, 'data.read'),
  /** Forgets that login and closes the person's connections to the dataset. */
  'data:forget-login': channel<DatasetSummary>()(schemas.dataset, 'data.read'),
  'audit:query': channel<AuditQueryResult>()(schemas.auditQuery, 'admin.audit'),
  'admin:get-role-mapping': channel<RoleMappingView>()(empty, 'admin.roles'),
  'admin:set-role-mapping': channel<RoleMappingView>()(schemas.setRoleMapping, 'admin.roles', sensitive),
  'admin:preview-access': channel<AccessPreview>()(schemas.previewAccess, 'admin.roles', sensitive),
  'admin:get-diagnostics': channel<DiagnosticsView>()(empty, 'admin.settings'),
  /** Asks where to save, then writes the support bundle (no secrets); null when the user cancels. */
  'admin:export-support-bundle': channel<{ fileName: string } | null>()(empty, 'admin.settings'),
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
