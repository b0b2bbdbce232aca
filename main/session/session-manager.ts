/**
 * The signed-in session, held only in main. Idle and absolute timeouts are enforced here on
 * every check, against an injected clock; the renderer only ever sees a SessionSummary.
 */
import { randomUUID } from 'node:crypto';
import type { SessionSummary } from '../../preload/contract';
import type { Clock } from '../platform';
import { permissionsFor } from '../auth/roles';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  provider: 'local' | 'saml';
  providerId: string | null;
  providerName: string | null;
}

/** What single logout needs to name the IdP session (SSO sessions only). */
export interface SsoSessionRef {
  providerId: string;
  nameId: string;
  nameIdFormat: string | null;
  sessionIndex: string | null;
}

export interface Session {
  id: string;
  user: SessionUser;
  roles: string[];
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
}

export type SessionState =
  { state: 'none' } | { state: 'active'; session: Session } | { state: 'expired'; reason: 'idle' | 'absolute' };

export class SessionManager {
  private session: Session | null = null;
  private expiredReason: 'idle' | 'absolute' | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
  ) {}

  /** Always a new session (new id) on sign-in: nothing carries over from an earlier one. */
  start(user: SessionUser, roles: string[], options: { endsAt?: number | null; sso?: SsoSessionRef } = {}): Session {
    const now = this.clock.now();
    // The IdP's SessionNotOnOrAfter shortens the session; policy's absolute limit caps it.
    const cap = now + this.policy.absoluteMs;
    const expiresAt = options.endsAt && options.endsAt > now ? Math.min(cap, options.endsAt) : cap;
    this.session = {
      id: randomUUID(),
      user,
      roles: [...roles],
      createdAt: now,
      authenticatedAt: now,
      lastActivityAt: now,
      expiresAt,
      sso: options.sso ?? null,
    };
    this.expiredReason = null;
    return this.session;
  }

  /**
   * Checks the timeouts. An expired session is ended, and reported as expired (with why)
   * until the next sign-in or sign-out, so every screen can say why the user was signed out.
   */
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
      return { state: 'expired', reason };
    }
    return { state: 'active', session };
  }

  /** Records activity (an IPC call made by the user) for the idle timeout. */
  touch(): void {
    if (this.session) this.session.lastActivityAt = this.clock.now();
  }

  /** Whether the user proved their identity recently enough for an admin action. */
  isRecentSignIn(session: Session): boolean {
    return this.clock.now() - session.authenticatedAt < this.policy.recentSignInMs;
  }

  /** After a successful password confirmation. */
  markAuthenticated(): void {
    if (this.session) this.session.authenticatedAt = this.clock.now();
  }

  updateRoles(roles: string[]): void {
    if (this.session) this.session.roles = [...roles];
  }

  end(): void {
    this.session = null;
    this.expiredReason = null;
  }

  summary(session: Session): SessionSummary {
    return {
      user: { ...session.user },
      roles: [...session.roles],
      permissions: permissionsFor(session.roles),
      expiresAt: session.expiresAt,
      idleExpiresAt: Math.min(session.expiresAt, session.lastActivityAt + this.policy.idleMs),
      recentSignInUntil: session.authenticatedAt + this.policy.recentSignInMs,
    };
  }
}
