/**
 * Local accounts kept in the vault: first-run admin, sign-in with throttling and lockout,
 * and the admin's user management. Passwords exist here only long enough to hash them.
 */
import { randomUUID } from 'node:crypto';
import type { LocalRole, UserRecordSummary } from '../../../preload/contract';
import { AppError } from '../../errors';
import type { Clock } from '../../platform';
import type { LocalUserRecord, ThrottleRecord, VaultDocument } from '../../vault/vault-document';
import type { Vault } from '../../vault/vault';
import { hashPassword, needsRehash, verifyPassword, type Argon2Params } from './password-hashing';
import { checkNewPassword } from './password-rules';
import { checkThrottle, type ThrottlePolicy } from './throttle';
import { ThrottleState } from './throttle-state';
import { throttledError, tooManyAttemptsError } from './throttle-messages';
import { AttemptRate } from './attempt-rate';
import { KeyedMutex } from '../../util/keyed-mutex';
import { permissionsFor, type RolePermissions } from '../roles';
import { isFirstRun, localSetupAllowed, type FirstRunPolicy } from './first-run';
import { SecondFactors } from './second-factor';
import { changeSecurity, securityOf, totpOf } from './account-security';
import { displayTextProblem, skeleton, usernameProblem } from './name-rules';

export interface LocalAccountsPolicy extends ThrottlePolicy {
  minPasswordLength: number;
  argon2: Argon2Params;
  /** Which roles grant what (configuration `access.rolePermissions`): who counts as an administrator. */
  rolePermissions?: RolePermissions;
  /** Whether a first-run administrator may be created at all (default: local accounts only, no SSO). */
  firstRun?: FirstRunPolicy;
  /** Sign-in attempts per minute across all names (default 30). */
  maxAttemptsPerMinute?: number;
}

/** The built-in defaults: local accounts on, no identity provider. */
const LOCAL_ONLY: FirstRunPolicy = { localAccountsEnabled: true, providerCount: 0, allowBootstrapAdmin: false };

const BAD_CREDENTIALS = 'The username or password is incorrect. Check both and try again.';

/** Usernames compare case-insensitively and after Unicode compatibility normalisation. */
export function normaliseUsername(username: string): string {
  return username.trim().normalize('NFKC').toLowerCase();
}

export class LocalAccounts {
  private dummyHash: Promise<string> | null = null;
  private readonly perUser = new KeyedMutex();
  private readonly throttle: ThrottleState;
  private readonly attempts: AttemptRate;
  /** Two-step verification; its wrong codes count in the same failure counter as passwords. */
  readonly secondFactors: SecondFactors;

  constructor(
    private readonly vault: Vault,
    private readonly policy: LocalAccountsPolicy,
    private readonly clock: Clock,
  ) {
    this.throttle = new ThrottleState(vault, policy, clock);
    this.attempts = new AttemptRate(policy.maxAttemptsPerMinute ?? 30);
    this.secondFactors = new SecondFactors(vault, this.throttle, clock);
  }

  /** The failure counter for a typed name, wherever it is kept now (tests, diagnostics). */
  throttleRecord(rawUsername: string): Readonly<ThrottleRecord> | undefined {
    return this.throttle.get(normaliseUsername(rawUsername));
  }

  /** Waits until every counted failure for an account is in the vault. */
  flush(): Promise<void> {
    return this.throttle.flush();
  }

  /** At quit: counters written (see throttle-state.ts); a failed write is not fatal at quit. */
  async close(): Promise<void> {
    await this.throttle.close().catch(() => undefined);
  }

  hasUsers(): boolean {
    return Object.keys(this.vault.read().users).length > 0;
  }

  /** The account's normalised username if one exists under this name, else null (the audit log uses it). */
  knownUsername(rawUsername: string): string | null {
    const username = normaliseUsername(rawUsername);
    return Object.values(this.vault.read().users).some((u) => u.username === username) ? username : null;
  }

  get(id: string): Readonly<LocalUserRecord> | undefined {
    return this.vault.read().users[id];
  }

  list(): UserRecordSummary[] {
    const doc = this.vault.read();
    return Object.values(doc.users)
      .map((u) => this.summarise(u, doc))
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  /** True while anyone may create the first administrator (see first-run.ts). */
  isFirstRun(): boolean {
    return isFirstRun(this.firstRunPolicy, Object.keys(this.vault.read().users).length);
  }

  async createFirstAdmin(input: { username: string; displayName: string; password: string }): Promise<Readonly<LocalUserRecord>> {
    this.assertFirstRun(this.vault.read());
    return this.create({ ...input, roles: ['admin'] }, { firstRun: true });
  }

  private get firstRunPolicy(): FirstRunPolicy {
    return this.policy.firstRun ?? LOCAL_ONLY;
  }

  private assertFirstRun(doc: Readonly<VaultDocument>): void {
    if (!localSetupAllowed(this.firstRunPolicy)) {
      throw new AppError(
        'SETUP_NOT_ALLOWED',
        'Portico has no local setup here: your organization signs in with single sign-on, and administrators come from its groups.',
      );
    }
    if (!isFirstRun(this.firstRunPolicy, Object.keys(doc.users).length)) {
      throw new AppError('SETUP_ALREADY_DONE', 'Portico is already set up. Sign in with an existing account.');
    }
  }

  async create(
    input: { username: string; displayName: string; password: string; roles: LocalRole[]; groups?: string[] },
    options: { firstRun?: boolean } = {},
  ): Promise<Readonly<LocalUserRecord>> {
    const username = normaliseUsername(input.username);
    assertValid('username', usernameProblem(username));
    assertValid('displayName', displayTextProblem(input.displayName, 'Display names'));
    assertGroupsValid(input.groups ?? []);
    this.assertPasswordAllowed(input.password, username);
    const passwordHash = await hashPassword(input.password, this.policy.argon2);
    const now = this.clock.now();
    const record: LocalUserRecord = {
      id: randomUUID(),
      username,
      displayName: input.displayName.trim(),
      roles: [...new Set(input.roles)],
      groups: [...new Set(input.groups ?? [])],
      passwordHash,
      disabled: false,
      createdAt: now,
      updatedAt: now,
      lastSignInAt: null,
    };
    return this.vault.update((doc) => {
      // Checked inside the write so two concurrent creates cannot both pass.
      if (options.firstRun) this.assertFirstRun(doc);
      if (Object.values(doc.users).some((u) => u.username === username)) {
        throw new AppError('USERNAME_TAKEN', `The username "${username}" is already in use. Choose another.`, {
          fields: { username: 'Already in use.' },
        });
      }
      const lookalike = findLookalike(doc, username);
      if (lookalike) {
        throw new AppError(
          'USERNAME_TAKEN',
          `The username "${username}" can be mistaken for the existing username "${lookalike}". Choose one that looks different.`,
          { fields: { username: `Looks like the existing username "${lookalike}".` } },
        );
      }
      doc.users[record.id] = record;
      return record;
    });
  }

  /**
   * Verifies a sign-in. Unknown users are verified against a dummy hash and counted like
   * known ones, so message and timing do not reveal which usernames exist.
   */
  async signIn(rawUsername: string, password: string): Promise<Readonly<LocalUserRecord>> {
    const username = normaliseUsername(rawUsername);
    // One attempt per username at a time: parallel guesses cannot all slip past the counter.
    return this.perUser.run(username, async () => {
      const now = this.clock.now();
      const decision = checkThrottle(this.throttle.get(username), now);
      if (!decision.allowed) throw throttledError(decision.locked, decision.retryAt, now);
      const nextAttemptAt = this.attempts.take(now);
      if (nextAttemptAt !== null) throw tooManyAttemptsError(nextAttemptAt, now);

      const user = Object.values(this.vault.read().users).find((u) => u.username === username);
      const ok = await verifyPassword(user?.passwordHash ?? (await this.getDummyHash()), password);
      if (!user || !ok) {
        // Known and unknown names alike: nothing here waits for a disk write (throttle-state.ts).
        const record = this.throttle.fail(username, user !== undefined);
        if (record.locked) throw throttledError(true, record.blockedUntil, this.clock.now());
        throw new AppError('INVALID_CREDENTIALS', BAD_CREDENTIALS);
      }
      if (user.disabled) {
        // Said only to someone who knows the password.
        throw new AppError('ACCOUNT_DISABLED', 'This account is disabled. Ask your Portico administrator to enable it.');
      }
      const upgraded = needsRehash(user.passwordHash, this.policy.argon2)
        ? await hashPassword(password, this.policy.argon2)
        : null;
      return this.vault.update((doc) => {
        // With two-step verification the password alone is half a sign-in: the failure count
        // stands until the code is through (second-factor.ts), or signing in with the password
        // again would give anyone who knows it endless guesses at the code.
        const complete = totpOf(doc, user.id) === null;
        if (complete) this.throttle.clearIn(doc, username);
        const now = this.clock.now();
        const current = requireUser(doc, user.id);
        const signedIn = complete ? { lastSignInAt: now } : {};
        // Only if the hash is still the one verified: a password reset that landed while we
        // were hashing must not be overwritten with a hash of the old password.
        const next =
          upgraded && current.passwordHash === user.passwordHash
            ? { ...current, ...signedIn, passwordHash: upgraded, updatedAt: now }
            : { ...current, ...signedIn };
        doc.users[user.id] = next;
        return next;
      });
    });
  }

  async setDisabled(actorId: string, userId: string, disabled: boolean): Promise<UserRecordSummary> {
    if (actorId === userId && disabled) {
      throw new AppError('CANNOT_DISABLE_SELF', 'You cannot disable your own account. Ask another administrator.');
    }
    return this.vault.update((doc) => {
      const user = requireUser(doc, userId);
      if (disabled && this.isAdmin(user.roles) && !user.disabled && this.activeAdmins(doc).length <= 1) {
        throw new AppError('LAST_ADMIN', 'This is the last active administrator. Give another user the admin role first.');
      }
      const next = { ...user, disabled, updatedAt: this.clock.now() };
      doc.users[userId] = next;
      return this.summarise(next, doc);
    });
  }

  /**
   * Changes a user's roles and groups (what they may do and which rows they see). The last
   * active administrator keeps the admin role, so Portico always has someone to administer it.
   */
  async setAccess(userId: string, roles: LocalRole[], groups: string[]): Promise<UserRecordSummary> {
    assertGroupsValid(groups);
    return this.vault.update((doc) => {
      const user = requireUser(doc, userId);
      const losesAdmin = this.isAdmin(user.roles) && !this.isAdmin(roles);
      if (losesAdmin && !user.disabled && this.activeAdmins(doc).length <= 1) {
        throw new AppError('LAST_ADMIN', 'This is the last active administrator. Give another user the admin role first.');
      }
      const next = { ...user, roles: [...new Set(roles)], groups: [...new Set(groups)], updatedAt: this.clock.now() };
      doc.users[userId] = next;
      return this.summarise(next, doc);
    });
  }

  /**
   * An administrator is whoever may manage users (admin.users): with custom role permissions
   * that need not be the role named `admin`, and the last of them must stay.
   */
  private isAdmin(roles: readonly string[]): boolean {
    return permissionsFor(roles, this.policy.rolePermissions).includes('admin.users');
  }

  private activeAdmins(doc: VaultDocument): Readonly<LocalUserRecord>[] {
    return Object.values(doc.users).filter((u) => this.isAdmin(u.roles) && !u.disabled);
  }

  /**
   * An administrator's reset: a new password, temporary unless said otherwise (the person
   * chooses their own at the next sign-in, before anything else), and any lockout cleared.
   */
  async resetPassword(userId: string, password: string, options: { temporary?: boolean } = {}): Promise<UserRecordSummary> {
    const existing = this.vault.read().users[userId];
    if (!existing) throw notFound();
    this.assertPasswordAllowed(password, existing.username);
    const passwordHash = await hashPassword(password, this.policy.argon2);
    const temporary = options.temporary ?? true;
    return this.vault.update((doc) => {
      const user = requireUser(doc, userId);
      const next = { ...user, passwordHash, updatedAt: this.clock.now() };
      doc.users[userId] = next;
      changeSecurity(doc, userId, (current) => ({ ...current, passwordChangeRequired: temporary }));
      this.throttle.clearIn(doc, user.username);
      return this.summarise(next, doc);
    });
  }

  /**
   * A person choosing their own password (changing it, or replacing a temporary one): the same
   * rules as every password, and not the one it replaces. The password is no longer temporary.
   */
  async setOwnPassword(userId: string, password: string): Promise<Readonly<LocalUserRecord>> {
    const existing = this.vault.read().users[userId];
    if (!existing) throw notFound();
    const problem = this.newPasswordProblem(existing, password) ?? (await this.samePasswordProblem(existing, password));
    if (problem) throw new AppError('WEAK_PASSWORD', problem, { fields: { newPassword: problem } });
    const passwordHash = await hashPassword(password, this.policy.argon2);
    return this.vault.update((doc) => {
      const user = requireUser(doc, userId);
      const next = { ...user, passwordHash, updatedAt: this.clock.now() };
      doc.users[userId] = next;
      changeSecurity(doc, userId, (current) => ({ ...current, passwordChangeRequired: false }));
      return next;
    });
  }

  /** What is wrong with `password` as this account's next one, or null (the rules of password-rules.ts). */
  newPasswordProblem(user: Pick<LocalUserRecord, 'username'>, password: string): string | null {
    return checkNewPassword(password, this.policy.minPasswordLength, user.username);
  }

  private async samePasswordProblem(user: Readonly<LocalUserRecord>, password: string): Promise<string | null> {
    const temporary = securityOf(this.vault.read(), user.id).passwordChangeRequired;
    if (!(await verifyPassword(user.passwordHash, password))) return null;
    return temporary
      ? 'Choose a password of your own, not the temporary one your administrator gave you.'
      : 'Choose a password different from your current one.';
  }

  /** Whether the account's password was set by an administrator and must be changed at sign-in. */
  passwordChangeRequired(userId: string): boolean {
    return securityOf(this.vault.read(), userId).passwordChangeRequired;
  }

  /**
   * The way back for an administrator who lost their password or locked themselves out, run
   * by whoever controls this OS account (`Portico --reset-admin-password`, see
   * docs/account-recovery.md): a new password, and the lockout cleared. Only for accounts that
   * administer users; everyone else is reset by an administrator in the app.
   */
  async recoverAdministrator(
    rawUsername: string,
    password: string,
  ): Promise<{ user: UserRecordSummary; secondFactorRemoved: boolean }> {
    const username = normaliseUsername(rawUsername);
    const user = Object.values(this.vault.read().users).find((u) => u.username === username);
    if (!user || !this.isAdmin(user.roles)) {
      throw new AppError('NOT_FOUND', `There is no administrator account named "${username}" in this Portico profile.`);
    }
    // The person chose this password at the terminal: it is not temporary. Their second factor
    // goes too (a lost phone and lost recovery codes leave no other way back); they set it up
    // again from their account, or at the next sign-in where policy requires it.
    const summary = await this.resetPassword(user.id, password, { temporary: false });
    if (!summary.secondFactor) return { user: summary, secondFactorRemoved: false };
    await this.secondFactors.remove(user.id);
    return { user: this.summarise(this.vault.read().users[user.id]!), secondFactorRemoved: true };
  }

  summarise(user: Readonly<LocalUserRecord>, doc: Readonly<VaultDocument> = this.vault.read()): UserRecordSummary {
    const throttle = this.throttle.get(user.username, doc);
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      roles: user.roles,
      groups: user.groups,
      disabled: user.disabled,
      locked: Boolean(throttle?.locked && this.clock.now() < throttle.blockedUntil),
      createdAt: user.createdAt,
      lastSignInAt: user.lastSignInAt,
      secondFactor: totpOf(doc, user.id) !== null,
      passwordChangeRequired: securityOf(doc, user.id).passwordChangeRequired,
    };
  }

  private assertPasswordAllowed(password: string, username: string): void {
    const problem = checkNewPassword(password, this.policy.minPasswordLength, username);
    if (problem) throw new AppError('WEAK_PASSWORD', problem, { fields: { password: problem } });
  }

  private getDummyHash(): Promise<string> {
    // Same parameters as real hashes, so verifying it costs the same.
    this.dummyHash ??= hashPassword(`dummy-${randomUUID()}`, this.policy.argon2);
    return this.dummyHash;
  }
}

/** A problem with a form field, named so that the form shows it by the field. */
function assertValid(field: string, problem: string | null): void {
  if (problem) throw new AppError('INVALID_PAYLOAD', `Check the form: ${problem}`, { fields: { [field]: problem } });
}

function assertGroupsValid(groups: readonly string[]): void {
  for (const group of groups) assertValid('groups', displayTextProblem(group, 'Group names'));
}

/** Each record's skeleton, computed once (records are immutable). */
const skeletons = new WeakMap<object, string>();

/** An existing username that a new one could be mistaken for (same UTS #39 skeleton), if any. */
function findLookalike(doc: Readonly<VaultDocument>, username: string): string | null {
  const wanted = skeleton(username);
  for (const user of Object.values(doc.users)) {
    let known = skeletons.get(user);
    if (known === undefined) {
      known = skeleton(user.username);
      skeletons.set(user, known);
    }
    if (known === wanted) return user.username;
  }
  return null;
}

function requireUser(doc: VaultDocument, id: string): Readonly<LocalUserRecord> {
  const user = doc.users[id];
  if (!user) throw notFound();
  return user;
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'That user no longer exists. Refresh the list.');
}
