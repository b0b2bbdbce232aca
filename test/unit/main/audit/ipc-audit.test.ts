import { describe, expect, it } from 'vitest';
import { auditEventFor } from '../../../../main/audit/ipc-audit';
import { normaliseEvent } from '../../../../main/audit/audit-record';
import type { IpcResult } from '../../../../preload/contract';

const session = (username: string, provider: 'local' | 'saml' | 'oidc' = 'local') => ({
  user: {
    id: 'u1',
    username,
    displayName: username,
    provider,
    providerId: provider === 'local' ? null : 'entra',
    providerName: null,
    email: null,
  },
  roles: ['viewer'],
  groups: [],
  permissions: ['data.read'],
  expiresAt: 0,
  idleExpiresAt: 0,
  recentSignInUntil: 0,
});
const ok = (value: unknown): IpcResult<unknown> => ({ ok: true, value });
const fail = (code: string): IpcResult<unknown> => ({ ok: false, code, message: 'x' }) as IpcResult<unknown>;
const PASSWORD = 'correct horse battery staple';

describe('auditEventFor', () => {
  it('records a refused first-run setup where SSO decides who administers, without the password', () => {
    const input = { username: 'mallory', displayName: 'M', password: PASSWORD };
    const event = auditEventFor({ channel: 'setup:create-admin', input, result: fail('SETUP_NOT_ALLOWED'), actor: null });
    expect(event).toEqual({
      actor: null,
      action: 'access.denied',
      outcome: 'denied',
      target: 'setup:create-admin',
      details: { channel: 'setup:create-admin', reason: 'SETUP_NOT_ALLOWED' },
    });
    expect(JSON.stringify(event)).not.toContain(PASSWORD);
    // A race lost to another window is not an attack.
    expect(auditEventFor({ channel: 'setup:create-admin', input, result: fail('SETUP_ALREADY_DONE'), actor: null })).toBeNull();
  });

  it('records local sign-ins and failures without the password', () => {
    const success = auditEventFor({
      channel: 'auth:sign-in-local',
      input: { username: 'ada', password: PASSWORD },
      result: ok(session('ada')),
      actor: null,
    });
    expect(success).toEqual({ actor: 'ada', action: 'auth.sign-in', outcome: 'success', details: { method: 'local' } });
    const knownUsername = (typed: string) => (typed.toLowerCase() === 'ada' ? 'ada' : null);
    const failure = auditEventFor({
      channel: 'auth:sign-in-local',
      input: { username: 'Ada', password: PASSWORD },
      result: fail('INVALID_CREDENTIALS'),
      actor: null,
      knownUsername,
    });
    expect(failure).toMatchObject({
      action: 'auth.sign-in-failed',
      outcome: 'failure',
      target: 'ada',
      details: { reason: 'INVALID_CREDENTIALS' },
    });
    // A name no account has is not kept: it is often the password, typed in the wrong field.
    const mistyped = auditEventFor({
      channel: 'auth:sign-in-local',
      input: { username: 'Tr0ub4dor.3', password: 'x' },
      result: fail('INVALID_CREDENTIALS'),
      actor: null,
      knownUsername,
    });
    expect(mistyped).toMatchObject({ action: 'auth.sign-in-failed', target: '(unknown user)' });
    expect(JSON.stringify([success, failure, mistyped])).not.toContain(PASSWORD);
    expect(JSON.stringify(mistyped)).not.toContain('Tr0ub4dor');
    // Every event the map produces is one the log accepts (no secret-looking detail keys).
    for (const event of [success, failure, mistyped]) expect(() => normaliseEvent(event!)).not.toThrow();
  });

  it('records SSO sign-ins and failures, but not a cancelled window', () => {
    expect(
      auditEventFor({
        channel: 'auth:start-sso',
        input: { providerId: 'entra' },
        result: ok(session('bo', 'saml')),
        actor: null,
      }),
    ).toMatchObject({
      actor: 'bo',
      action: 'auth.sign-in',
      details: { method: 'saml', provider: 'entra' },
    });
    expect(
      auditEventFor({ channel: 'auth:start-sso', input: { providerId: 'entra' }, result: fail('SSO_REFUSED'), actor: null }),
    ).toMatchObject({
      action: 'auth.sign-in-failed',
      target: 'entra',
    });
    expect(
      auditEventFor({ channel: 'auth:start-sso', input: { providerId: 'entra' }, result: fail('SSO_CANCELLED'), actor: null }),
    ).toBeNull();
  });

  it('records sign-out as the user who was signed in, and nothing when nobody was', () => {
    expect(auditEventFor({ channel: 'auth:sign-out', input: {}, result: ok(null), actor: 'ada' })).toMatchObject({
      actor: 'ada',
      action: 'auth.sign-out',
    });
    expect(auditEventFor({ channel: 'auth:sign-out', input: {}, result: ok(null), actor: null })).toBeNull();
  });

  it('records user admin actions with the admin as actor and the user as target', () => {
    const user = {
      id: 'x',
      username: 'vic',
      displayName: 'Vic',
      roles: ['viewer'],
      groups: ['Sales-EMEA'],
      disabled: true,
      locked: false,
      createdAt: 0,
      lastSignInAt: null,
    };
    expect(auditEventFor({ channel: 'users:set-disabled', input: {}, result: ok(user), actor: 'ada' })).toMatchObject({
      actor: 'ada',
      action: 'users.disable',
      target: 'vic',
    });
    expect(
      auditEventFor({ channel: 'users:create', input: { password: PASSWORD }, result: ok(user), actor: 'ada' }),
    ).toMatchObject({
      action: 'users.create',
      details: { roles: 'viewer', groups: 'Sales-EMEA' },
    });
    expect(
      auditEventFor({ channel: 'users:reset-password', input: { password: PASSWORD }, result: ok(user), actor: 'ada' }),
    ).toMatchObject({
      action: 'users.reset-password',
    });
    expect(auditEventFor({ channel: 'users:set-access', input: {}, result: ok(user), actor: 'ada' })).toMatchObject({
      action: 'users.access-changed',
      target: 'vic',
      details: { roles: 'viewer', groups: 'Sales-EMEA' },
    });
  });

  it('records exports (rows, not values) and refused calls; a cancelled save dialog is not an export', () => {
    const input = { datasetId: 'orders', filters: [{ column: 'region', op: 'eq', value: 'EMEA' }], search: 'acme' };
    expect(auditEventFor({ channel: 'data:export', input, result: ok({ rows: 12, fileName: 'o.csv' }), actor: 'ann' })).toEqual({
      actor: 'ann',
      action: 'data.export',
      outcome: 'success',
      target: 'orders',
      details: { rows: 12, filters: 1, search: true },
    });
    expect(auditEventFor({ channel: 'data:export', input, result: ok(null), actor: 'ann' })).toBeNull();
    expect(auditEventFor({ channel: 'data:export', input, result: fail('PERMISSION_DENIED'), actor: 'vic' })).toMatchObject({
      action: 'data.export-denied',
      outcome: 'denied',
      actor: 'vic',
    });
    expect(auditEventFor({ channel: 'users:list', input: {}, result: fail('PERMISSION_DENIED'), actor: 'vic' })).toMatchObject({
      action: 'access.denied',
      target: 'users:list',
    });
  });

  it('records role mapping changes and ignores reads', () => {
    expect(
      auditEventFor({
        channel: 'admin:set-role-mapping',
        input: { providerId: 'entra', mapping: { a: ['viewer'], b: ['admin'] } },
        result: ok({}),
        actor: 'ada',
      }),
    ).toMatchObject({ action: 'roles.mapping-changed', target: 'entra', details: { groups: 2 } });
    expect(auditEventFor({ channel: 'data:query', input: {}, result: ok({}), actor: 'ada' })).toBeNull();
    expect(auditEventFor({ channel: 'users:list', input: {}, result: ok([]), actor: 'ada' })).toBeNull();
  });

  it('records a refused password confirmation as the signed-in user, without the password', () => {
    for (const code of ['INVALID_CREDENTIALS', 'THROTTLED', 'ACCOUNT_DISABLED']) {
      const event = auditEventFor({
        channel: 'auth:confirm-password',
        input: { password: PASSWORD },
        result: fail(code),
        actor: 'ada',
      });
      expect(event).toEqual({
        actor: 'ada',
        action: 'auth.confirm-password-failed',
        outcome: 'failure',
        details: { method: 'local', reason: code },
      });
      expect(JSON.stringify(event)).not.toContain(PASSWORD);
      expect(normaliseEvent(event!)).toEqual(event);
    }
    // A success is the sign-in being confirmed, not an attempt to log; with no session nothing was checked.
    expect(
      auditEventFor({
        channel: 'auth:confirm-password',
        input: { password: PASSWORD },
        result: ok(session('ada')),
        actor: 'ada',
      }),
    ).toBeNull();
    for (const code of ['NOT_SIGNED_IN', 'SESSION_EXPIRED']) {
      expect(auditEventFor({ channel: 'auth:confirm-password', input: {}, result: fail(code), actor: null })).toBeNull();
    }
    // An SSO user asked to confirm a password is a refused call like any other.
    expect(
      auditEventFor({ channel: 'auth:confirm-password', input: {}, result: fail('PERMISSION_DENIED'), actor: 'sam' }),
    ).toMatchObject({ action: 'access.denied', target: 'auth:confirm-password' });
  });

  it('records an admin call refused for want of a recent sign-in, on any channel', () => {
    for (const channel of ['users:create', 'users:reset-password', 'admin:set-role-mapping', 'admin:preview-access'] as const) {
      const event = auditEventFor({
        channel,
        input: { password: PASSWORD },
        result: fail('RECENT_SIGN_IN_REQUIRED'),
        actor: 'ada',
      });
      expect(event).toEqual({
        actor: 'ada',
        action: 'access.recent-sign-in-required',
        outcome: 'denied',
        target: channel,
        details: { channel },
      });
      expect(JSON.stringify(event)).not.toContain(PASSWORD);
      expect(normaliseEvent(event!)).toEqual(event);
    }
  });
});

describe('auditEventFor: two-step verification and passwords', () => {
  const CODE = '492039';
  const RECOVERY = 'abcd-efgh-jkmn';
  /** Every outcome of the sign-in steps and account channels, as main answers them. */
  const cases = [
    { channel: 'auth:sign-in-local', input: { username: 'ada', password: PASSWORD }, result: fail('SECOND_FACTOR_REQUIRED') },
    { channel: 'auth:verify-second-factor', input: { code: CODE }, result: ok(session('ada')) },
    { channel: 'auth:verify-second-factor', input: { code: RECOVERY }, result: fail('PASSWORD_CHANGE_REQUIRED') },
    { channel: 'auth:verify-second-factor', input: { code: CODE }, result: fail('SECOND_FACTOR_INVALID') },
    { channel: 'auth:verify-second-factor', input: { code: CODE }, result: fail('ACCOUNT_LOCKED') },
    { channel: 'auth:set-new-password', input: { newPassword: PASSWORD }, result: ok(session('ada')) },
    { channel: 'auth:set-new-password', input: { newPassword: PASSWORD }, result: fail('SECOND_FACTOR_ENROLMENT_REQUIRED') },
    {
      channel: 'auth:confirm-second-factor-enrolment',
      input: { code: CODE },
      result: ok({ recoveryCodes: [RECOVERY], session: session('ada') }),
    },
    {
      channel: 'account:change-password',
      input: { currentPassword: PASSWORD, newPassword: PASSWORD },
      result: ok(session('ada')),
    },
    {
      channel: 'account:change-password',
      input: { currentPassword: PASSWORD, newPassword: PASSWORD },
      result: fail('INVALID_CREDENTIALS'),
    },
    { channel: 'account:confirm-second-factor-enrolment', input: { code: CODE }, result: ok({ recoveryCodes: [RECOVERY] }) },
    { channel: 'account:remove-second-factor', input: {}, result: ok({}) },
    { channel: 'account:new-recovery-codes', input: {}, result: ok([RECOVERY]) },
    {
      channel: 'users:reset-second-factor',
      input: { userId: 'u2' },
      result: ok({ username: 'vera', roles: ['viewer'], groups: [], passwordChangeRequired: false }),
    },
    {
      channel: 'users:reset-password',
      input: { userId: 'u2', password: PASSWORD },
      result: ok({ username: 'vera', roles: ['viewer'], groups: [], passwordChangeRequired: true }),
    },
  ] as const;

  it.each(cases)('$channel → $result: a record the audit log accepts, with no password or code in it', (c) => {
    const event = auditEventFor({ ...c, actor: 'ada', pendingUsername: 'ada', knownUsername: () => 'ada' });
    expect(event).not.toBeNull();
    // normaliseEvent is what the log runs before writing: it refuses secret-looking keys and values.
    const written = normaliseEvent(event!);
    const text = JSON.stringify(written);
    for (const secret of [PASSWORD, CODE, RECOVERY]) expect(text).not.toContain(secret);
  });

  it('names the pending account and what comes next, and which kind of code was used', () => {
    expect(
      auditEventFor({
        channel: 'auth:verify-second-factor',
        input: { code: RECOVERY },
        result: fail('SECOND_FACTOR_INVALID'),
        actor: null,
        pendingUsername: 'ada',
      }),
    ).toEqual({
      actor: null,
      action: 'auth.sign-in-failed',
      outcome: 'failure',
      target: 'ada',
      details: { method: 'local', reason: 'SECOND_FACTOR_INVALID', secondFactor: 'recovery-code' },
    });
    expect(
      auditEventFor({
        channel: 'auth:sign-in-local',
        input: { username: 'ada', password: PASSWORD },
        result: fail('PASSWORD_CHANGE_REQUIRED'),
        actor: null,
        pendingUsername: 'ada',
      }),
    ).toMatchObject({
      action: 'auth.sign-in-pending',
      outcome: 'success',
      target: 'ada',
      details: { next: 'PASSWORD_CHANGE_REQUIRED' },
    });
  });

  it('records nothing for what attempts nothing: a set-up started, a mistyped set-up code, a weak new password', () => {
    const none = [
      { channel: 'auth:begin-second-factor-enrolment', input: {}, result: ok({}) },
      { channel: 'account:begin-second-factor-enrolment', input: {}, result: ok({}) },
      { channel: 'auth:confirm-second-factor-enrolment', input: { code: CODE }, result: fail('SECOND_FACTOR_INVALID') },
      { channel: 'auth:set-new-password', input: { newPassword: 'short' }, result: fail('WEAK_PASSWORD') },
      {
        channel: 'account:change-password',
        input: { currentPassword: PASSWORD, newPassword: 'x' },
        result: fail('WEAK_PASSWORD'),
      },
      { channel: 'auth:verify-second-factor', input: { code: CODE }, result: fail('NOT_SIGNED_IN') },
      { channel: 'session:unlock', input: { password: PASSWORD }, result: fail('SECOND_FACTOR_REQUIRED') },
      { channel: 'auth:cancel-sign-in', input: {}, result: ok(null) },
    ] as const;
    for (const c of none) expect(auditEventFor({ ...c, actor: 'ada' }), c.channel).toBeNull();
  });
});
