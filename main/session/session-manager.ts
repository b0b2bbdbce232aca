/**
 * The signed-in session, held only in main. Idle and absolute timeouts are enforced here on
 * every check, against an injected clock; the renderer only ever sees a SessionSummary.
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
}

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
  /** Admin actions need a sign-in or password confirmation at most this old. */
  recentSignInMs: number;
  /** Which permissions each role grants (configuration `access.rolePermissions`). */
  rolePermissions?: RolePermissions;
}

export type SessionState =
  { state: 'none' } | { state: 'active'; session: Session } | { state: 'expired'; reason: 'idle' | 'absolute' };

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
  onStart: () => void = () => undefined;
  /** Called once when a session times out (idle or absolute), e.g. for the audit log. */
  onExpired: (session: Session, reason: 'idle' | 'absolute') => void = () => undefined;
  /** Called when a session is ended on purpose (sign-out, a kept sign-in lost), not by a timeout. */
  onEnd: (session: Session) => void = () => undefined;
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
    };
    this.expiredReason = null;
    this.lastSavedActivity = now;
    void this.save();
    this.onStart();
    return this.session;
  }

  /**
   * Checks the timeouts. An expired session is ended, and reported as expired (with why)
   * until the next sign-in or sign-out, so every screen can say why the user was signed out.
   */
  /** The signed-in user, if a session is active now (timeouts checked). */
  activeUser(): SessionUser | null {
    const state = this.check();
    return state.state === 'active' ? state.session.user : null;
  }

  check(): SessionState {
    const session = this.session;
    if (!session) {
      if (this.expiredReason) return { state: 'expired', reason: this.expiredReason };
      return { state: 'none' };
    }
    const now = this.clock.now();
    const reason = now >= session.expiresAt ? 'absolute' : now - session.lastActivityAt >= this.policy.idleMs ? 'idle' : null;
    if (reason) {
      this.session = null;
      this.expiredReason = reason;
      void this.save();
      this.onExpired(session, reason);
      return { state: 'expired', reason };
    }
    return { state: 'active', session };
  }

  /** Records activity (an IPC call made by the user) for the idle timeout. */
  touch(): void {
    if (!this.session) return;
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
    return {
      user: { ...session.user },
      roles: [...session.roles],
      groups: [...session.groups],
      permissions: this.permissions(session),
      expiresAt: session.expiresAt,
      idleExpiresAt: Math.min(session.expiresAt, session.lastActivityAt + this.policy.idleMs),
      recentSignInUntil: session.authenticatedAt + this.policy.recentSignInMs,
    };
  }
}
