/**
 * Which IPC calls the audit log records, and how: a pure map from a call's outcome to an
 * audit event (or null for reads). One place, so every sign-in path, admin action, export
 * and refusal is recorded the same way. Inputs hold passwords: only named, non-secret fields
 * are copied, never the input itself.
 */
import type {
  ChannelName,
  IpcResult,
  SecondFactorEnrolled,
  SessionSummary,
  SsoPersonSummary,
  UserRecordSummary,
} from '../../preload/contract';
import type { AuditEvent } from './audit-record';

export interface AuditedCall {
  channel: ChannelName;
  input: unknown;
  result: IpcResult<unknown>;
  /** Who was signed in when the call was made (before a sign-in or sign-out changed it). */
  actor: string | null;
  /**
   * The account a failed local sign-in named, or null when no account has that name: what an
   * unknown "username" was is not kept, as it is often a password typed in the wrong field.
   */
  knownUsername?: (typed: string) => string | null;
  /** Whose local sign-in is pending after its password (sign-in-flow.ts), once the call is done. */
  pendingUsername?: string | null;
}

/** The answers that ask for the next step of a local sign-in: the password (or step) was right. */
const SIGN_IN_STEPS = new Set(['SECOND_FACTOR_REQUIRED', 'PASSWORD_CHANGE_REQUIRED', 'SECOND_FACTOR_ENROLMENT_REQUIRED']);

/** Refusals of a change to one's own password that are about the account, not the form. */
const PASSWORD_GUESSES = new Set(['INVALID_CREDENTIALS', 'THROTTLED', 'ACCOUNT_LOCKED']);

/** Which second factor a code is, by its form: never the code itself. */
function factorOf(code: string | undefined): 'totp' | 'recovery-code' {
  return /^\d{6}$/.test((code ?? '').replace(/[\s-]/g, '')) ? 'totp' : 'recovery-code';
}

/** Failures of a sign-in that are attempts, not the user changing their mind. */
const CANCELS = new Set(['SSO_CANCELLED', 'SSO_IN_PROGRESS', 'INVALID_PAYLOAD']);

/** A call refused because no one is signed in: nothing was attempted as anyone. */
const NO_SESSION = new Set(['NOT_SIGNED_IN', 'SESSION_EXPIRED']);

/** A person's own account channels and their audit action. */
const ACCOUNT_ACTIONS = {
  'account:confirm-second-factor-enrolment': 'account.second-factor-enrolled',
  'account:remove-second-factor': 'account.second-factor-removed',
  'account:new-recovery-codes': 'account.recovery-codes-renewed',
} as const satisfies Partial<Record<ChannelName, AuditEvent['action']>>;

/** User admin channels and their audit action (set-disabled depends on the answer). */
const USER_ACTIONS: Partial<Record<ChannelName, AuditEvent['action']>> = {
  'users:create': 'users.create',
  'users:reset-password': 'users.reset-password',
  'users:reset-second-factor': 'users.reset-second-factor',
  'users:set-access': 'users.access-changed',
};

export function auditEventFor(call: AuditedCall): AuditEvent | null {
  const { channel, result } = call;
  const input = (call.input ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : undefined);

  if (!result.ok && result.code === 'PERMISSION_DENIED') {
    return {
      actor: call.actor,
      action: channel === 'data:export' ? 'data.export-denied' : 'access.denied',
      outcome: 'denied',
      target: channel === 'data:export' ? text('datasetId') : channel,
      details: { channel },
    };
  }
  if (!result.ok && result.code === 'RECENT_SIGN_IN_REQUIRED') {
    // An admin action refused until the user proves again who they are: a run of these can be
    // someone at an unlocked screen trying admin actions.
    return {
      actor: call.actor,
      action: 'access.recent-sign-in-required',
      outcome: 'denied',
      target: channel,
      details: { channel },
    };
  }
  switch (channel) {
    case 'auth:sign-in-local':
    case 'setup:create-admin':
      if (result.ok) {
        const session = result.value as SessionSummary;
        return channel === 'setup:create-admin'
          ? {
              actor: session.user.username,
              action: 'users.create',
              outcome: 'success',
              target: session.user.username,
              details: { roles: 'admin', firstRun: true },
            }
          : { actor: session.user.username, action: 'auth.sign-in', outcome: 'success', details: { method: 'local' } };
      }
      if (channel === 'auth:sign-in-local' && SIGN_IN_STEPS.has(result.code)) {
        return {
          actor: null,
          action: 'auth.sign-in-pending',
          outcome: 'success',
          target: call.pendingUsername ?? call.knownUsername?.(text('username') ?? '') ?? undefined,
          details: { method: 'local', next: result.code },
        };
      }
      return channel === 'auth:sign-in-local'
        ? {
            actor: null,
            action: 'auth.sign-in-failed',
            outcome: 'failure',
            target: call.knownUsername?.(text('username') ?? '') ?? '(unknown user)',
            details: { method: 'local', reason: result.code },
          }
        : result.code === 'SETUP_NOT_ALLOWED'
          ? // Someone tried to make themselves the first administrator where SSO decides who administers.
            {
              actor: null,
              action: 'access.denied',
              outcome: 'denied',
              target: channel,
              details: { channel, reason: result.code },
            }
          : null;
    case 'auth:start-sso':
    case 'auth:reauthenticate-sso': {
      const reauth = channel === 'auth:reauthenticate-sso';
      if (result.ok) {
        const session = result.value as SessionSummary;
        return {
          actor: session.user.username,
          action: 'auth.sign-in',
          outcome: 'success',
          details: { method: session.user.provider, provider: session.user.providerId, reauthentication: reauth },
        };
      }
      if (CANCELS.has(result.code)) return null;
      return {
        actor: call.actor,
        action: 'auth.sign-in-failed',
        outcome: 'failure',
        target: text('providerId'),
        details: { method: 'sso', reason: result.code, reauthentication: reauth },
      };
    }
    case 'auth:verify-second-factor':
    case 'auth:set-new-password':
    case 'auth:confirm-second-factor-enrolment': {
      // One record per step: the sign-in when it completes the sign-in, else that it went on.
      const step: Record<string, string | boolean> =
        channel === 'auth:verify-second-factor'
          ? { secondFactor: factorOf(text('code')) }
          : channel === 'auth:set-new-password'
            ? { temporaryReplaced: true }
            : { secondFactorEnrolled: true };
      if (result.ok) {
        const value = result.value as SessionSummary | SecondFactorEnrolled;
        const session = 'session' in value ? value.session : value;
        return {
          actor: session.user.username,
          action: 'auth.sign-in',
          outcome: 'success',
          details: { method: 'local', ...step },
        };
      }
      const target = call.pendingUsername ?? undefined;
      if (SIGN_IN_STEPS.has(result.code)) {
        return {
          actor: null,
          action: 'auth.sign-in-pending',
          outcome: 'success',
          target,
          details: { method: 'local', next: result.code, ...step },
        };
      }
      // A wrong or reused code, or an account throttled or locked by them: a guess at the second
      // factor by someone who has the password. A weak new password or a mistyped enrolment code
      // (the person holds the secret) is not an attempt at anything.
      if (channel !== 'auth:verify-second-factor' || NO_SESSION.has(result.code)) return null;
      return {
        actor: null,
        action: 'auth.sign-in-failed',
        outcome: 'failure',
        target,
        details: { method: 'local', reason: result.code, ...step },
      };
    }
    case 'account:change-password':
      if (!result.ok && !PASSWORD_GUESSES.has(result.code)) return null;
      return {
        actor: call.actor,
        action: 'account.password-changed',
        outcome: result.ok ? 'success' : 'failure',
        target: call.actor ?? undefined,
        details: result.ok ? {} : { reason: result.code },
      };
    case 'account:confirm-second-factor-enrolment':
    case 'account:remove-second-factor':
    case 'account:new-recovery-codes': {
      if (!result.ok) return null;
      const action = ACCOUNT_ACTIONS[channel];
      return { actor: call.actor, action, outcome: 'success', target: call.actor ?? undefined };
    }
    case 'session:unlock':
    case 'session:unlock-sso': {
      const method = channel === 'session:unlock' ? 'local' : 'sso';
      if (result.ok) {
        const session = result.value as SessionSummary;
        return {
          actor: session.user.username,
          action: 'auth.unlock',
          outcome: 'success',
          details: { method: session.user.provider, provider: session.user.providerId },
        };
      }
      // Nothing to unlock (signed out, expired) or the person changed their mind: nothing was tried.
      // Nor when the password was right and the answer asks for the second factor next.
      if (NO_SESSION.has(result.code) || CANCELS.has(result.code) || result.code === 'SECOND_FACTOR_REQUIRED') return null;
      // Counted with sign-in failures: a wrong unlock password is a guess at the account's password.
      return {
        actor: call.actor,
        action: 'auth.sign-in-failed',
        outcome: 'failure',
        target: call.actor ?? undefined,
        details: { method, reason: result.code, unlock: true },
      };
    }
    case 'users:end-kept-sign-in': {
      if (!result.ok) return null;
      const person = result.value as SsoPersonSummary;
      return {
        actor: call.actor,
        action: 'users.end-kept-sign-in',
        outcome: 'success',
        target: person.username,
        details: { provider: person.providerId, person: person.id },
      };
    }
    case 'auth:confirm-password':
      // A password that was checked and refused, or an account throttled, locked or disabled;
      // not a call made with no one signed in, where no password was checked.
      if (result.ok || NO_SESSION.has(result.code)) return null;
      return {
        actor: call.actor,
        action: 'auth.confirm-password-failed',
        outcome: 'failure',
        details: { method: 'local', reason: result.code },
      };
    case 'auth:sign-out':
      return call.actor ? { actor: call.actor, action: 'auth.sign-out', outcome: result.ok ? 'success' : 'failure' } : null;
    case 'users:create':
    case 'users:set-disabled':
    case 'users:reset-password':
    case 'users:reset-second-factor':
    case 'users:set-access': {
      if (!result.ok) return null;
      const user = result.value as UserRecordSummary;
      const action = USER_ACTIONS[channel] ?? (user.disabled ? 'users.disable' : 'users.enable');
      const access = channel === 'users:create' || channel === 'users:set-access';
      const details: AuditEvent['details'] = access
        ? { roles: user.roles.join(','), groups: user.groups.join(',') }
        : channel === 'users:reset-password'
          ? { temporary: user.passwordChangeRequired }
          : undefined;
      return { actor: call.actor, action, outcome: 'success', target: user.username, details };
    }
    case 'admin:set-role-mapping':
      if (!result.ok) return null;
      return {
        actor: call.actor,
        action: 'roles.mapping-changed',
        outcome: 'success',
        target: text('providerId'),
        details: { groups: Object.keys((input.mapping as Record<string, unknown> | undefined) ?? {}).length },
      };
    case 'admin:preview-access': {
      if (!result.ok) return null;
      const groups = Array.isArray(input.groups) ? input.groups.length : 0;
      const roles = (result.value as { roles: string[] }).roles.join(',');
      return {
        actor: call.actor,
        action: 'access.previewed',
        outcome: 'success',
        target: text('providerId'),
        details: { roles, groups },
      };
    }
    case 'data:export': {
      if (result.ok && result.value === null) return null; // The user cancelled the save dialog.
      const rows = result.ok ? (result.value as { rows: number }).rows : null;
      return {
        actor: call.actor,
        action: 'data.export',
        outcome: result.ok ? 'success' : 'failure',
        target: text('datasetId'),
        details: {
          rows,
          filters: Array.isArray(input.filters) ? input.filters.length : 0,
          search: Boolean(text('search')),
          ...(result.ok ? {} : { reason: result.code }),
        },
      };
    }
    case 'data:connect':
    case 'data:forget-login':
      // The database login's name and password are never recorded: only that it happened.
      return {
        actor: call.actor,
        action: channel === 'data:connect' ? 'data.connect' : 'data.forget-login',
        outcome: result.ok ? 'success' : 'failure',
        target: text('datasetId'),
        details: result.ok ? {} : { reason: result.code },
      };
    // Reads and cancels: not audited (a refusal of any of them is, above). Listed, not defaulted,
    // so that a new channel is a decision here.
    // Nothing changes until a code confirms a second factor's set-up; a cancel only forgets the
    // pending sign-in.
    case 'auth:begin-second-factor-enrolment':
    case 'auth:cancel-sign-in':
    case 'account:get-security':
    case 'account:begin-second-factor-enrolment':
    case 'app:get-info':
    case 'session:get-current':
    case 'session:activity':
    case 'users:list-sso':
    case 'auth:discover-provider':
    case 'auth:cancel-sso':
    case 'users:list':
    case 'data:list-datasets':
    case 'data:query':
    case 'data:counts':
    case 'audit:query':
    case 'admin:get-role-mapping':
    case 'admin:get-sp-metadata':
    case 'admin:get-diagnostics':
    case 'admin:export-support-bundle':
      return null;
  }
}
