/**
 * Who is asking: what row and column rules are decided on. Built in main from the session,
 * never from anything the renderer sends.
 */
import type { Permission } from '../../preload/constants';

export interface Principal {
  username: string;
  /** For `{ attribute: 'email' }` row scopes; null when the session carries no email. */
  email: string | null;
  roles: readonly string[];
  groups: readonly string[];
  permissions: readonly Permission[];
  /**
   * The signed-in Portico user and session this principal stands for: a team (postgres)
   * dataset connects as that person, with the login kept under `userId`, on connections that
   * end with `sessionId`. Absent for a principal made up for "preview as": it cannot connect.
   */
  session?: { userId: string; sessionId: string };
}

/** The parts of a session a principal is built from (see session/session-manager.ts). */
export interface SessionLike {
  id?: string;
  user: { id?: string; username: string; email: string | null };
  roles: readonly string[];
  groups: readonly string[];
}

/**
 * The session's user as a principal. The email is only one the IdP vouches for (see
 * SsoIdentity.verifiedEmail), never a username that looks like one.
 */
export function principalFromSession(session: SessionLike, permissions: readonly Permission[]): Principal {
  const username = session.user.username;
  return {
    username,
    email: session.user.email,
    roles: [...session.roles],
    groups: [...session.groups],
    permissions: [...permissions],
    ...(session.id && session.user.id ? { session: { userId: session.user.id, sessionId: session.id } } : {}),
  };
}
