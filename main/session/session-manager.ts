/**
 * The signed-in session, held only in main. Idle and absolute timeouts and the idle lock are
 * enforced here on every check, against an injected clock; the renderer only ever sees a
 * SessionSummary.
 *
 * Idle first locks (policy `lockMs`): the session stays, but the access check refuses every
 * channel that needs it until the same person proves who they are again (unlock). Longer idle
 * (`idleMs`, locked or not) and the absolute limit end it.
 */
import { randomUUID } from 'node:crypto';
import type { Permission, SessionSummary } from '../../preload/contract';
import type { Clock } from '../platform';
import { permissionsFor, type RolePermissions } from '../auth/roles';
import type { SsoSessionRef } from '../auth/sso-identity';

export type { SsoSessionRef };

/** The signed-in user exactly as the renderer sees it (one definition, in the contract). */
export type SessionUser = SessionSummary['user'];

export interface Session {
  id: string;
  user: SessionUser;
  roles: string[];
  /** IdP groups, or a local account's groups: what row scopes such as `Sales-EMEA` match. */
  groups: string[];
  createdAt: number;
  /** When the user last proved who they are (sign-in or password confirmation). */
  authenticatedAt: number;
  lastActivityAt: number;
  expiresAt: number;
  sso: SsoSessionRef | null;
  /** When the session locked (idle, or locked at launch); null while it is open. */
  lockedAt: number | null;
}

export interface SessionPolicy {
  /** Sign out after this long without activity, locked or not. */
  idleMs: number;
  /** Lock after this long without activity; absent, or not shorter than idleMs: never locks. */
  lockMs?: number;
  absoluteMs: number;
  /** Admin actions need a sign-in or password confirmation at most this old. */
  recentSignInMs: number;
  /** Which permissions each role grants (configuration `access.rolePermissions`). */
  rolePermissions?: RolePermissions;
}

export type SessionState =
  | { state: 'none' }
  | { state: 'active'; session: Session }
  /** Signed in, but nothing that needs the session answers until the same person unlocks it. */
  | { state: 'locked'; session: Session }
  | { state: 'expired'; reason: 'idle' | 'absolute' };

/** Where a session is kept across restarts (policy `persistSession`): the encrypted vault. */
export interface SessionStore {
  save(session: Session | null): Promise<void>;
}

/** Activity is written through at most this often (the idle timeout survives a restart). */
const ACTIVITY_WRITE_MS = 60_000;

export class SessionManager {
  private session: Session | null = null;
  private expiredReason: 'idle' | 'absolute' | null = null;
  private store: SessionStore | null = null;
  /** Called whenever a new session starts (e.g. to clear a "sign in again" notice). */
  onStart: (session: Session) => void = () => undefined;
  /** Called once when a session times out (idle or absolute), e.g. for the audit log. */
  onExpired: (session: Session, reason: 'idle' | 'absolute') => void = () => undefined;
  /** Called when a session is ended on purpose (sign-out, a kept sign-in lost), not by a timeout. */
  onEnd: (session: Session) => void = () => undefined;
  /** Called once when a session locks (idle or at launch), e.g. for the audit log. */
  onLock: (session: Session) => void = () => undefined;
  /** Called when the same person unlocked the session. */
  onUnlock: (session: Session) => void = () => undefined;
  private lastSavedActivity = 0;

  constructor(
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
  ) {}

  /**
   * Keeps sessions across restarts through `store`, starting from `saved` when it is still
   * valid (both timeouts checked against the saved times). Without a store nothing is kept.
   */
  async persistWith(store: SessionStore, saved: Session | null): Promise<void> {
    this.store = store;
    if (saved) {
      this.session = saved;
      this.lastSavedActivity = saved.lastActivityAt;
      if (this.check().state !== 'active') {
        this.expiredReason = null; // A stale saved session is not news to the user.
        await this.save();
      }
    }
  }

  /** Always a new session (new id) on sign-in: nothing carries over from an earlier one. */
  start(
    user: SessionUser,
    roles: string[],
    options: { endsAt?: number | null; sso?: SsoSessionRef; groups?: string[] } = {},
  ): Session {
    const now = this.clock.now();
    // The IdP's SessionNotOnOrAfter shortens the session; policy's absolute limit caps it.
    const cap = now + this.policy.absoluteMs;
    const expiresAt = options.endsAt && options.endsAt > now ? Math.min(cap, options.endsAt) : cap;
    this.session = {
      id: randomUUID(),
      user,
      roles: [...roles],
      groups: [...(options.groups ?? [])],
      createdAt: now,
      authenticatedAt: now,
      lastActivityAt: now,
      expiresAt,
      sso: options.sso ?? null,
      lockedAt: null,
    };
    this.expiredReason = null;
    this.lastSavedActivity = now;
    void this.save();
    this.onStart(this.session);
    return this.session;
  }

  /** The signed-in user, if a session is active now (timeouts checked; not while locked). */
  activeUser(): SessionUser | null {
    const state = this.check();
    return state.state === 'active' ? state.session.user : null;
  }

  /**
   * Checks the timeouts. An expired session is ended, and reported as expired (with why)
   * until the next sign-in or sign-out, so every screen can say why the user was signed out.
   * An idle one past the lock time locks, and stays locked until unlock() (timeouts still run).
   */
  check(): SessionState {
    const session = this.session;
    if (!session) {
      if (this.expiredReason) return { state: 'expired', reason: this.expiredReason };
      return { state: 'none' };
    }
    const now = this.clock.now();
    const idleFor = now - session.lastActivityAt;
    const reason = now >= session.expiresAt ? 'absolute' : idleFor >= this.policy.idleMs ? 'idle' : null;
    if (reason) {
      this.session = null;
      this.expiredReason = reason;
      void this.save();
      this.onExpired(session, reason);
      return { state: 'expired', reason };
    }
    const lockMs = this.lockMs();
    if (session.lockedAt === null && lockMs !== null && idleFor >= lockMs) {
      this.setLocked(session, session.lastActivityAt + lockMs);
    }
    return session.lockedAt === null ? { state: 'active', session } : { state: 'locked', session };
  }

  /**
   * Locks the session now, whatever its idle time (a kept sign-in restored at launch for someone
   * whose session was locked: quitting and starting again must not open it).
   */
  lock(): void {
    const session = this.session;
    if (session && session.lockedAt === null) this.setLocked(session, this.clock.now());
  }

  /**
   * After the session's own user proved who they are again (password, second factor or IdP): the
   * session opens where it was, counts as active from now, and as a recent sign-in.
   */
  unlock(refreshed?: { roles: string[]; groups: string[]; sso: SsoSessionRef | null }): void {
    const session = this.session;
    if (!session || session.lockedAt === null) return;
    const now = this.clock.now();
    // An IdP sign-in to unlock says who the person is now: its roles, and the IdP session to end at sign-out.
    if (refreshed) {
      session.roles = [...refreshed.roles];
      session.groups = [...refreshed.groups];
      session.sso = refreshed.sso;
    }
    session.lockedAt = null;
    session.lastActivityAt = now;
    session.authenticatedAt = now;
    this.lastSavedActivity = now;
    void this.save();
    this.onUnlock(session);
  }

  private setLocked(session: Session, at: number): void {
    session.lockedAt = at;
    void this.save();
    this.onLock(session);
  }

  /** The lock applies only when it comes before the idle sign-out. */
  private lockMs(): number | null {
    const lockMs = this.policy.lockMs;
    return lockMs !== undefined && lockMs < this.policy.idleMs ? lockMs : null;
  }

  /**
   * Records activity (an IPC call made by the user, input in the window) for the idle timeout
   * and the lock. A locked session is not opened by activity: only unlock() does that.
   */
  touch(): void {
    if (!this.session || this.session.lockedAt !== null) return;
    this.session.lastActivityAt = this.clock.now();
    if (this.session.lastActivityAt - this.lastSavedActivity >= ACTIVITY_WRITE_MS) {
      this.lastSavedActivity = this.session.lastActivityAt;
      void this.save();
    }
  }

  /** Whether the user proved their identity recently enough for an admin action. */
  isRecentSignIn(session: Session): boolean {
    return this.clock.now() - session.authenticatedAt < this.policy.recentSignInMs;
  }

  /** After a successful password confirmation. */
  markAuthenticated(): void {
    if (!this.session) return;
    this.session.authenticatedAt = this.clock.now();
    void this.save();
  }

  /** Local accounts: roles and groups as the vault has them now. */
  updateRoles(roles: string[], groups: string[] = this.session?.groups ?? []): void {
    if (this.session) {
      this.session.roles = [...roles];
      this.session.groups = [...groups];
    }
  }

  end(): void {
    const ended = this.session;
    this.session = null;
    if (ended) this.onEnd(ended);
    this.expiredReason = null;
    void this.save();
  }

  /** Waits until the store has the current state (tests, quit). */
  async flush(): Promise<void> {
    await this.saving;
  }

  private saving: Promise<void> = Promise.resolve();

  /** Writes are queued; a failed write is reported by the store and never stops the app. */
  private save(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    const snapshot = this.session ? structuredClone(this.session) : null;
    this.saving = this.saving.then(() => store.save(snapshot)).catch(() => undefined);
    return this.saving;
  }

  /** What the session's roles allow now (roles are re-read for local users on each call). */
  permissions(session: Session): Permission[] {
    return permissionsFor(session.roles, this.policy.rolePermissions);
  }

  summary(session: Session): SessionSummary {
    const lockMs = this.lockMs();
    const now = this.clock.now();
    return {
      user: { ...session.user },
      roles: [...session.roles],
      groups: [...session.groups],
      permissions: this.permissions(session),
      expiresAt: session.expiresAt,
      idleExpiresAt: Math.min(session.expiresAt, session.lastActivityAt + this.policy.idleMs),
      recentSignInUntil: session.authenticatedAt + this.policy.recentSignInMs,
      locked: session.lockedAt !== null,
      lockAt: lockMs === null ? null : session.lastActivityAt + lockMs,
      now,
    };
  }
}
