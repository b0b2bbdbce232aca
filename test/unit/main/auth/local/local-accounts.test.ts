import { promises as fs } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LocalAccounts, normaliseUsername, type LocalAccountsPolicy } from '../../../../../main/auth/local/local-accounts';
import { throttleKey } from '../../../../../main/auth/local/throttle-state';
import { readHashParams, verifyPassword } from '../../../../../main/auth/local/password-hashing';
import { AppError } from '../../../../../main/errors';
import { OWASP_ARGON2ID } from '../../../../../main/policy/config-schema';
import { Vault } from '../../../../../main/vault/vault';
import { decodeVault } from '../../../../../main/vault/vault-format';
import { expectAppError, FakeClock, GOOD_PASSWORD, OTHER_GOOD_PASSWORD, openTestVault, snapshotDir } from '../../../helpers';
import { DEFAULT_ROLE_PERMISSIONS } from '../../../../../main/auth/roles';
import type { Permission } from '../../../../../preload/constants';

const policy: LocalAccountsPolicy = {
  minPasswordLength: 12,
  argon2: { ...OWASP_ARGON2ID },
  maxFailures: 5,
  lockoutMs: 15 * 60_000,
  backoffBaseMs: 1000,
};
const WRONG = 'not-the-right-password';

async function setup(overrides: Partial<LocalAccountsPolicy> = {}) {
  const opened = await openTestVault();
  const clock = new FakeClock();
  const accounts = new LocalAccounts(opened.vault, { ...policy, ...overrides }, clock);
  // Failure counters are written just after each answer: let the last one land before clean-up.
  onTestFinished(() => accounts.close());
  const admin = await accounts.createFirstAdmin({ username: 'Admin', displayName: 'The Admin', password: GOOD_PASSWORD });
  return { ...opened, clock, accounts, admin };
}

/** The code (and retryAt) an attempt ends with, or 'OK'. */
async function attempt(
  accounts: LocalAccounts,
  username: string,
  password: string,
): Promise<{ code: string; message?: string; retryAt?: number }> {
  try {
    await accounts.signIn(username, password);
    return { code: 'OK' };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { code: error.code, message: error.message, retryAt: error.extra.retryAt };
  }
}

/** Fails `n` times, each as soon as the previous backoff has ended; the clock stays at the last failure. */
async function failTimes({ accounts, clock }: { accounts: LocalAccounts; clock: FakeClock }, username: string, n: number) {
  const outcomes: Awaited<ReturnType<typeof attempt>>[] = [];
  for (let i = 0; i < n; i++) {
    const blockedUntil = accounts.throttleRecord(username)?.blockedUntil;
    if (blockedUntil !== undefined) clock.t = Math.max(clock.t, blockedUntil);
    outcomes.push(await attempt(accounts, username, WRONG));
  }
  return outcomes;
}

describe('LocalAccounts (real vault)', () => {
  it('creates the first admin once; a second setup is refused and stores nothing', async () => {
    const { accounts, admin, vault } = await setup();
    expect(admin.roles).toEqual(['admin']);
    expect(admin.username).toBe('admin');
    expect(accounts.hasUsers()).toBe(true);

    await expectAppError(
      accounts.createFirstAdmin({ username: 'mallory', displayName: 'M', password: OTHER_GOOD_PASSWORD }),
      'SETUP_ALREADY_DONE',
    );

    expect(Object.keys(vault.read().users)).toEqual([admin.id]);
  });

  it('lets only one of two concurrent first-admin setups through', async () => {
    const { vault } = await openTestVault();
    const accounts = new LocalAccounts(vault, policy, new FakeClock());
    const results = await Promise.allSettled([
      accounts.createFirstAdmin({ username: 'one', displayName: 'One', password: GOOD_PASSWORD }),
      accounts.createFirstAdmin({ username: 'two', displayName: 'Two', password: OTHER_GOOD_PASSWORD }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(Object.keys(vault.read().users)).toHaveLength(1);
  });

  it('signs in with the right password, case-insensitively by username, and records the time', async () => {
    const { accounts, admin, clock } = await setup();
    clock.advance(5000);
    const user = await accounts.signIn('  ADMIN ', GOOD_PASSWORD);
    expect(user.id).toBe(admin.id);
    expect(user.lastSignInAt).toBe(clock.t);
  });

  it('gives a wrong password and an unknown user the same code and message', async () => {
    const { accounts } = await setup();
    const wrong = await attempt(accounts, 'admin', WRONG);
    const unknown = await attempt(accounts, 'nobody', WRONG);
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(unknown).toEqual(wrong);
  });

  it('backs off after a failure: THROTTLED with retryAt, even for the right password, until then', async () => {
    const { accounts, clock } = await setup();
    const t0 = clock.t;
    expect((await attempt(accounts, 'admin', WRONG)).code).toBe('INVALID_CREDENTIALS');

    const early = await attempt(accounts, 'admin', GOOD_PASSWORD);
    expect(early.code).toBe('THROTTLED');
    expect(early.retryAt).toBe(t0 + 1000);
    expect(early.message).toMatch(/Wait 1 second/);

    clock.t = t0 + 1000;
    expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('OK');
  });

  it('clears the failure count after a successful sign-in', async () => {
    const { accounts, clock, vault } = await setup();
    await failTimes({ accounts, clock }, 'admin', 4);
    await accounts.flush();
    expect(vault.read().throttle[throttleKey('admin')]?.failures).toBe(4);
    clock.t = accounts.throttleRecord('admin')!.blockedUntil;
    await accounts.signIn('admin', GOOD_PASSWORD);
    expect(accounts.throttleRecord('admin')).toBeUndefined();
    expect(vault.read().throttle[throttleKey('admin')]).toBeUndefined();
    const outcomes = await failTimes({ accounts, clock }, 'admin', 4);
    expect(outcomes.map((o) => o.code)).toEqual(Array(4).fill('INVALID_CREDENTIALS'));
  });

  it('locks after maxFailures: ACCOUNT_LOCKED even with the right password', async () => {
    const { accounts, clock } = await setup();
    const outcomes = await failTimes({ accounts, clock }, 'admin', 5);
    expect(outcomes.map((o) => o.code)).toEqual([...Array(4).fill('INVALID_CREDENTIALS'), 'ACCOUNT_LOCKED']);
    const lockedUntil = outcomes[4]!.retryAt!;

    const right = await attempt(accounts, 'admin', GOOD_PASSWORD);
    expect(right.code).toBe('ACCOUNT_LOCKED');
    expect(right.retryAt).toBe(lockedUntil);
    expect(right.message).toMatch(/locked for 15 minutes/);
    expect(accounts.list().find((u) => u.username === 'admin')?.locked).toBe(true);

    clock.t = lockedUntil - 1;
    expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('ACCOUNT_LOCKED');
    clock.t = lockedUntil;
    expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('OK');
  });

  it('keeps the lock across a restart (new Vault + new LocalAccounts), without a quit', async () => {
    const { accounts, clock, dir, protector } = await setup();
    await failTimes({ accounts, clock }, 'admin', 5);
    // The writes that follow each answer have landed: no close() (a killed app).
    await accounts.flush();

    const reopened = new LocalAccounts(await Vault.open({ dir, protector }), policy, clock);

    expect((await attempt(reopened, 'admin', GOOD_PASSWORD)).code).toBe('ACCOUNT_LOCKED');
    expect(reopened.list()[0]?.locked).toBe(true);
  });

  it('throttles unknown usernames exactly like known ones', async () => {
    const { accounts, clock } = await setup();
    const start = clock.t;
    const known = await failTimes({ accounts, clock }, 'admin', 6);
    clock.t = start;
    const unknown = await failTimes({ accounts, clock }, 'ghost', 6);
    expect(unknown).toEqual(known);
    expect(known.map((o) => o.code)).toContain('ACCOUNT_LOCKED');
  });

  it('counts the username after normalisation (case and width do not reset the counter)', async () => {
    const { accounts, clock } = await setup();
    await failTimes({ accounts, clock }, 'admin', 5);
    expect((await attempt(accounts, 'ADMIN', GOOD_PASSWORD)).code).toBe('ACCOUNT_LOCKED');
    expect((await attempt(accounts, 'ａｄｍｉｎ', GOOD_PASSWORD)).code).toBe('ACCOUNT_LOCKED');
    expect(normaliseUsername('ａｄｍｉｎ')).toBe('admin');
  });

  it.each(['constructor', '__proto__'])('lets a user named %s sign in and be throttled like anyone', async (name) => {
    const { accounts, vault, clock } = await setup();
    await accounts.create({ username: name, displayName: name, password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
    expect((await attempt(accounts, name, OTHER_GOOD_PASSWORD)).code).toBe('OK');

    const outcomes = await failTimes({ accounts, clock }, name, 5);

    expect(outcomes.map((o) => o.code)).toEqual([...Array(4).fill('INVALID_CREDENTIALS'), 'ACCOUNT_LOCKED']);
    const right = await attempt(accounts, name, OTHER_GOOD_PASSWORD);
    expect(right.code).toBe('ACCOUNT_LOCKED');
    expect(right.message).not.toMatch(/NaN/);
    await accounts.flush();
    expect(Object.hasOwn(vault.read().throttle, throttleKey(name))).toBe(true);
    expect(Object.getPrototypeOf(vault.read().throttle)).toBe(Object.prototype);
  });

  it.each(['constructor', '__proto__'])('keeps the lock of a user named %s across a restart', async (name) => {
    const { accounts, clock, dir, protector } = await setup();
    await accounts.create({ username: name, displayName: name, password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
    await failTimes({ accounts, clock }, name, 5);
    await accounts.flush();

    const reopened = new LocalAccounts(await Vault.open({ dir, protector }), policy, clock);

    expect((await attempt(reopened, name, OTHER_GOOD_PASSWORD)).code).toBe('ACCOUNT_LOCKED');
  });

  it.each(['constructor', '__proto__', 'hasownproperty'])('throttles the unknown name %s like any unknown name', async (name) => {
    const { accounts, clock } = await setup();
    const start = clock.t;
    const ghost = await failTimes({ accounts, clock }, 'ghost', 6);
    clock.t = start;
    expect(await failTimes({ accounts, clock }, name, 6)).toEqual(ghost);
  });

  it('writes nothing to disk for a failed sign-in with an unknown name', async () => {
    const { accounts, clock, dir } = await setup();
    const before = await snapshotDir(dir);
    for (let i = 0; i < 50; i++) {
      clock.advance(3000); // within the cap on attempts per minute
      expect((await attempt(accounts, `ghost-${i}`, WRONG)).code).toBe('INVALID_CREDENTIALS');
    }
    await accounts.flush();
    expect(await snapshotDir(dir)).toEqual(before);
    // Still counted: the next attempt with that name waits.
    expect((await attempt(accounts, 'ghost-49', WRONG)).code).toBe('THROTTLED');
  });

  it("answers a known account's failure before its vault write, which follows and lands", async () => {
    const { accounts, vault, dir } = await setup();
    const before = await snapshotDir(dir);

    expect((await attempt(accounts, 'admin', WRONG)).code).toBe('INVALID_CREDENTIALS');

    // Answered, and already counted, but not yet written.
    expect(vault.read().throttle[throttleKey('admin')]).toBeUndefined();
    expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('THROTTLED');
    await accounts.flush();
    expect(vault.read().throttle[throttleKey('admin')]).toMatchObject({ failures: 1 });
    expect(await snapshotDir(dir)).not.toEqual(before);
  });

  it("keeps unknown names' counters across a quit and restart, so a restart does not tell them from accounts", async () => {
    const { accounts, clock, dir, protector } = await setup();
    const start = clock.t;
    await failTimes({ accounts, clock }, 'admin', 3);
    clock.t = start;
    await failTimes({ accounts, clock }, 'ghost', 3);
    await accounts.close();

    const reopened = new LocalAccounts(await Vault.open({ dir, protector }), policy, clock);

    const known = await attempt(reopened, 'admin', GOOD_PASSWORD);
    const unknown = await attempt(reopened, 'ghost', GOOD_PASSWORD);
    expect(known.code).toBe('THROTTLED');
    expect(unknown).toEqual(known);
    expect(reopened.throttleRecord('ghost')).toEqual(reopened.throttleRecord('admin'));
  });

  it('keeps counting in memory when the vault cannot be written, and writes the counter later', async () => {
    const { accounts, clock, vault, dir, protector } = await setup();
    await accounts.create({ username: 'vera', displayName: 'Vera', password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
    // Every write in the folder fails (ENOTDIR), whoever runs the tests (see vault.test.ts).
    const moved = `${dir}.moved`;
    await fs.rename(dir, moved);
    await fs.writeFile(dir, 'not a folder');
    try {
      const outcomes = await failTimes({ accounts, clock }, 'admin', 5);
      await accounts.flush();
      expect(outcomes.map((o) => o.code)).toEqual([...Array(4).fill('INVALID_CREDENTIALS'), 'ACCOUNT_LOCKED']);
      expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('ACCOUNT_LOCKED');
      expect(vault.read().throttle[throttleKey('admin')]).toBeUndefined();
    } finally {
      await fs.rm(dir, { force: true });
      await fs.rename(moved, dir);
    }
    // The folder is back: the next failure's write (another account's) carries the lock too.
    expect((await attempt(accounts, 'vera', WRONG)).code).toBe('INVALID_CREDENTIALS');
    await accounts.flush();
    const reopened = new LocalAccounts(await Vault.open({ dir, protector }), policy, clock);
    expect(reopened.throttleRecord('admin')).toMatchObject({ failures: 5, locked: true });
    expect(reopened.throttleRecord('vera')).toMatchObject({ failures: 1 });
  });

  it('caps sign-in attempts across all names (maxAttemptsPerMinute), whatever name is typed', async () => {
    const { accounts, clock } = await setup({ maxAttemptsPerMinute: 3 });
    const t0 = clock.t;
    expect((await attempt(accounts, 'ghost-1', WRONG)).code).toBe('INVALID_CREDENTIALS');
    clock.advance(10_000);
    expect((await attempt(accounts, 'ghost-2', WRONG)).code).toBe('INVALID_CREDENTIALS');
    clock.advance(10_000);
    expect((await attempt(accounts, 'admin', WRONG)).code).toBe('INVALID_CREDENTIALS');
    clock.advance(10_000);

    // The fourth in a minute is refused before any password check, even the right one.
    const refused = await attempt(accounts, 'admin', GOOD_PASSWORD);
    const unknown = await attempt(accounts, 'ghost-3', WRONG);
    expect(refused).toEqual({
      code: 'THROTTLED',
      message: 'Too many sign-in attempts on this computer. Wait 30 seconds and try again.',
      retryAt: t0 + 60_000,
    });
    expect(unknown).toEqual(refused);
    // Refused attempts do not count against the name.
    expect(accounts.throttleRecord('ghost-3')).toBeUndefined();

    clock.t = t0 + 60_000;
    expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('OK');
  });

  it("does not spend the cap on attempts a name's own backoff refuses", async () => {
    const { accounts, clock } = await setup({ maxAttemptsPerMinute: 2 });
    expect((await attempt(accounts, 'admin', WRONG)).code).toBe('INVALID_CREDENTIALS');
    for (let i = 0; i < 5; i++) expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('THROTTLED');
    clock.advance(1000);
    expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('OK');
  });

  it('clears the lock when the password is reset; the old password no longer works', async () => {
    const { accounts, clock, admin } = await setup();
    await failTimes({ accounts, clock }, 'admin', 5);

    const summary = await accounts.resetPassword(admin.id, OTHER_GOOD_PASSWORD);

    expect(summary.locked).toBe(false);
    expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('INVALID_CREDENTIALS');
    clock.advance(1000);
    expect((await attempt(accounts, 'admin', OTHER_GOOD_PASSWORD)).code).toBe('OK');
  });

  it('refuses a disabled user: ACCOUNT_DISABLED with the right password, INVALID_CREDENTIALS with a wrong one', async () => {
    const { accounts, admin, clock } = await setup();
    const viewer = await accounts.create({
      username: 'vera',
      displayName: 'Vera',
      password: OTHER_GOOD_PASSWORD,
      roles: ['viewer'],
    });
    await accounts.setDisabled(admin.id, viewer.id, true);

    expect((await attempt(accounts, 'vera', OTHER_GOOD_PASSWORD)).code).toBe('ACCOUNT_DISABLED');
    const wrong = await attempt(accounts, 'vera', WRONG);
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(wrong).toEqual(await attempt(accounts, 'nobody-at-all', WRONG));

    await accounts.setDisabled(admin.id, viewer.id, false);
    clock.advance(1000);
    expect((await attempt(accounts, 'vera', OTHER_GOOD_PASSWORD)).code).toBe('OK');
  });

  it('upgrades a hash when the argon2 parameters rise, at the next successful sign-in only', async () => {
    const { vault, accounts, admin, clock } = await setup();
    expect(readHashParams(vault.read().users[admin.id]!.passwordHash)).toMatchObject({ memoryKiB: 19456, timeCost: 2 });
    const stronger = new LocalAccounts(vault, { ...policy, argon2: { memoryKiB: 24576, timeCost: 3, parallelism: 1 } }, clock);

    expect((await attempt(stronger, 'admin', WRONG)).code).toBe('INVALID_CREDENTIALS');
    expect(readHashParams(vault.read().users[admin.id]!.passwordHash)).toMatchObject({ memoryKiB: 19456, timeCost: 2 });

    clock.advance(1000);
    await stronger.signIn('admin', GOOD_PASSWORD);

    const upgraded = vault.read().users[admin.id]!.passwordHash;
    expect(readHashParams(upgraded)).toEqual({ algorithm: 'argon2id', memoryKiB: 24576, timeCost: 3, parallelism: 1 });
    expect(await verifyPassword(upgraded, GOOD_PASSWORD)).toBe(true);
    // And the old parameters do not downgrade it again.
    const before = vault.read().users[admin.id]!.passwordHash;
    await accounts.signIn('admin', GOOD_PASSWORD);
    expect(vault.read().users[admin.id]!.passwordHash).toBe(before);
  });

  it('refuses a duplicate username, case- and width-insensitively', async () => {
    const { accounts, vault } = await setup();
    await accounts.create({ username: 'Alice', displayName: 'Alice', password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
    for (const username of ['alice', 'ALICE', ' Alice ', 'ａｌｉｃｅ']) {
      const error = await expectAppError(
        accounts.create({ username, displayName: 'Imposter', password: OTHER_GOOD_PASSWORD, roles: ['admin'] }),
        'USERNAME_TAKEN',
      );
      expect(error.extra.fields).toEqual({ username: 'Already in use.' });
    }
    expect(
      Object.values(vault.read().users)
        .map((u) => u.username)
        .sort(),
    ).toEqual(['admin', 'alice']);
  });

  it('refuses a new username that looks like an existing one (UTS #39 skeleton), and stores nothing', async () => {
    const { accounts, dir } = await setup();
    for (const username of ['google', 'ape']) {
      await accounts.create({ username, displayName: 'G', password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
    }
    const before = await snapshotDir(dir);
    for (const [username, existing] of [
      ['аре', 'ape'], // all Cyrillic: one script, yet it reads "ape"
      ['adrnin', 'admin'],
      ['g00gle', 'google'],
      ['GOOGLE'.replace('O', '0'), 'google'],
    ] as const) {
      const error = await expectAppError(
        accounts.create({ username, displayName: 'Imposter', password: OTHER_GOOD_PASSWORD, roles: ['admin'] }),
        'USERNAME_TAKEN',
      );
      expect(error.message).toContain(`can be mistaken for the existing username "${existing}"`);
      expect(error.extra.fields).toEqual({ username: `Looks like the existing username "${existing}".` });
    }
    expect(accounts.list().map((u) => u.username)).toEqual(['admin', 'ape', 'google']);
    expect(await snapshotDir(dir)).toEqual(before);
    // A name that only shares letters is fine.
    expect(
      (await accounts.create({ username: 'adam', displayName: 'A', password: OTHER_GOOD_PASSWORD, roles: ['viewer'] })).username,
    ).toBe('adam');
  });

  it('refuses mixed-script usernames and characters normalisation brings in, naming the field', async () => {
    const { accounts, dir } = await setup();
    const before = await snapshotDir(dir);
    for (const [username, problem] of [
      ['pаypal', /one alphabet/],
      ['ⅰvan'.replace('ⅰ', 'і') + 'a', /one alphabet/], // Cyrillic і in a Latin name
      ['⑴', /letters, digits/],
      ['½', /letters, digits/],
    ] as const) {
      const error = await expectAppError(
        accounts.create({ username, displayName: 'X', password: OTHER_GOOD_PASSWORD, roles: ['viewer'] }),
        'INVALID_PAYLOAD',
      );
      expect(error.extra.fields?.username).toMatch(problem);
      expect(error.message).toMatch(/^Check the form: /);
    }
    expect(await snapshotDir(dir)).toEqual(before);
    // Single-script names of other alphabets are welcome.
    for (const username of ['иван', 'たなか', 'müller']) {
      await accounts.create({ username, displayName: username, password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
    }
  });

  it('refuses control and invisible characters in display and group names, on create and on set-access', async () => {
    const { accounts, admin, dir } = await setup();
    const before = await snapshotDir(dir);
    const create = (displayName: string, groups: string[]) =>
      accounts.create({ username: 'vera', displayName, password: OTHER_GOOD_PASSWORD, roles: ['viewer'], groups });
    for (const bad of ['Vera\u202e', 'Ve\u200bra', 'Vera\u2028', 'Vera\u2029', 'Vera\u0000', 'Vera\u00ad']) {
      const error = await expectAppError(create(bad, []), 'INVALID_PAYLOAD');
      expect(error.extra.fields?.displayName).toMatch(/^Display names cannot contain control or invisible formatting characters/);
      const group = await expectAppError(create('Vera', ['Sales-EMEA', `Sales${bad}`]), 'INVALID_PAYLOAD');
      expect(group.extra.fields?.groups).toMatch(/^Group names cannot contain/);
      await expectAppError(accounts.setAccess(admin.id, ['admin'], [bad]), 'INVALID_PAYLOAD');
    }
    expect(await snapshotDir(dir)).toEqual(before);
    expect(accounts.get(admin.id)?.groups).toEqual([]);
  });

  it('refuses a weak password on create and stores nothing', async () => {
    const { accounts, dir } = await setup();
    const before = await snapshotDir(dir);
    for (const password of ['short', 'Password1234!', 'violet-bobby-canal', 'zzzzzzzzzzzzzz']) {
      const error = await expectAppError(
        accounts.create({ username: 'bobby', displayName: 'B', password, roles: ['viewer'] }),
        'WEAK_PASSWORD',
      );
      expect(error.extra.fields?.password).toBe(error.message);
    }
    expect(accounts.list().map((u) => u.username)).toEqual(['admin']);
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('refuses a weak password on reset and keeps the old hash', async () => {
    const { accounts, admin, vault } = await setup();
    const hash = vault.read().users[admin.id]!.passwordHash;
    await expectAppError(accounts.resetPassword(admin.id, 'qwerty123456'), 'WEAK_PASSWORD');
    await expectAppError(accounts.resetPassword(admin.id, 'my-admin-secret-words'), 'WEAK_PASSWORD');
    expect(vault.read().users[admin.id]!.passwordHash).toBe(hash);
  });

  it('reports NOT_FOUND for resetting or disabling an unknown user', async () => {
    const { accounts, admin } = await setup();
    const missing = '00000000-0000-4000-8000-000000000000';
    await expectAppError(accounts.resetPassword(missing, OTHER_GOOD_PASSWORD), 'NOT_FOUND');
    await expectAppError(accounts.setDisabled(admin.id, missing, true), 'NOT_FOUND');
  });

  it('does not let a user disable themselves', async () => {
    const { accounts, admin } = await setup();
    await accounts.create({ username: 'second', displayName: 'Second', password: OTHER_GOOD_PASSWORD, roles: ['admin'] });
    await expectAppError(accounts.setDisabled(admin.id, admin.id, true), 'CANNOT_DISABLE_SELF');
    expect(accounts.get(admin.id)?.disabled).toBe(false);
  });

  it('does not let the last active admin be disabled', async () => {
    const { accounts, admin } = await setup();
    const second = await accounts.create({
      username: 'second',
      displayName: 'Second',
      password: OTHER_GOOD_PASSWORD,
      roles: ['admin'],
    });
    const viewer = await accounts.create({
      username: 'vera',
      displayName: 'Vera',
      password: OTHER_GOOD_PASSWORD,
      roles: ['viewer'],
    });

    await accounts.setDisabled(admin.id, second.id, true);
    const error = await expectAppError(accounts.setDisabled(viewer.id, admin.id, true), 'LAST_ADMIN');
    expect(error.message).toMatch(/last active administrator/);
    expect(accounts.get(admin.id)?.disabled).toBe(false);

    // With a second active admin again, it is allowed.
    await accounts.setDisabled(admin.id, second.id, false);
    expect((await accounts.setDisabled(second.id, admin.id, true)).disabled).toBe(true);
  });

  it('changes roles and groups, but never takes admin from the last active administrator', async () => {
    const { accounts, admin } = await setup();
    const viewer = await accounts.create({
      username: 'vera',
      displayName: 'Vera',
      password: OTHER_GOOD_PASSWORD,
      roles: ['viewer'],
    });
    const changed = await accounts.setAccess(viewer.id, ['manager', 'viewer', 'manager'], ['Sales-EMEA', 'Sales-EMEA']);
    expect(changed).toMatchObject({ roles: ['manager', 'viewer'], groups: ['Sales-EMEA'] });
    expect(accounts.get(viewer.id)).toMatchObject({ roles: ['manager', 'viewer'], groups: ['Sales-EMEA'] });

    await expectAppError(accounts.setAccess(admin.id, ['viewer'], []), 'LAST_ADMIN');
    expect(accounts.get(admin.id)?.roles).toEqual(['admin']);
    // With another admin, the first may step down.
    await accounts.setAccess(viewer.id, ['admin'], []);
    expect((await accounts.setAccess(admin.id, ['analyst'], [])).roles).toEqual(['analyst']);
    await expectAppError(accounts.setAccess('00000000-0000-4000-8000-000000000000', ['viewer'], []), 'NOT_FOUND');
  });

  it('counts administrators by permission: with custom role permissions, the last holder of admin.users stays', async () => {
    const rolePermissions = { ...DEFAULT_ROLE_PERMISSIONS, manager: ['data.read', 'admin.users'] as Permission[] };
    const { accounts, admin } = await setup({ rolePermissions });
    const manager = await accounts.create({
      username: 'max',
      displayName: 'Max',
      password: OTHER_GOOD_PASSWORD,
      roles: ['manager'],
    });
    // Two holders of admin.users: the admin may step down to viewer.
    expect((await accounts.setAccess(admin.id, ['viewer'], [])).roles).toEqual(['viewer']);
    // Now the manager is the last one: neither demoted nor disabled.
    await expectAppError(accounts.setAccess(manager.id, ['analyst'], []), 'LAST_ADMIN');
    await expectAppError(accounts.setDisabled(admin.id, manager.id, true), 'LAST_ADMIN');
  });

  it('counts every one of 5 concurrent wrong attempts', async () => {
    const { accounts, vault } = await setup({ backoffBaseMs: 0 });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => attempt(accounts, 'admin', WRONG)));
    expect(outcomes.map((o) => o.code).sort()).toEqual(['ACCOUNT_LOCKED', ...Array(4).fill('INVALID_CREDENTIALS')]);
    await accounts.flush();
    expect(vault.read().throttle[throttleKey('admin')]).toMatchObject({ failures: 5, locked: true });
    expect((await attempt(accounts, 'admin', GOOD_PASSWORD)).code).toBe('ACCOUNT_LOCKED');
  });

  it('lets only the first of concurrent attempts be checked while a backoff is pending', async () => {
    const { accounts } = await setup();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => attempt(accounts, 'admin', WRONG)));
    expect(outcomes.map((o) => o.code)).toEqual(['INVALID_CREDENTIALS', ...Array(4).fill('THROTTLED')]);
    expect(accounts.throttleRecord('admin')?.failures).toBe(1);
  });

  it('never puts the password hash in list()', async () => {
    const { accounts } = await setup();
    await accounts.create({ username: 'vera', displayName: 'Vera', password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
    const listed = accounts.list();
    expect(listed.map((u) => u.username)).toEqual(['admin', 'vera']);
    for (const user of listed) expect(Object.keys(user)).not.toContain('passwordHash');
    const text = JSON.stringify(listed);
    expect(text).not.toContain('passwordHash');
    expect(text).not.toContain('$argon2');
  });

  it('never stores a plaintext password, right or wrong, in the vault file or its JSON', async () => {
    const { accounts, vault, protector, admin, clock } = await setup();
    await accounts.create({ username: 'vera', displayName: 'Vera', password: OTHER_GOOD_PASSWORD, roles: ['viewer'] });
    await accounts.signIn('vera', OTHER_GOOD_PASSWORD);
    await attempt(accounts, 'admin', WRONG);
    clock.advance(1000);
    await accounts.resetPassword(admin.id, 'brand-new-heron-kettle');

    const bytes = await fs.readFile(vault.file);
    const json = decodeVault(bytes, (await protector.loadKey())!).plaintext.toString('utf8');
    expect(json).toContain('$argon2id$');
    for (const secret of [GOOD_PASSWORD, OTHER_GOOD_PASSWORD, WRONG, 'brand-new-heron-kettle']) {
      expect(json).not.toContain(secret);
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
    }
  });
});
