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
}

/** The parts of a session a principal is built from (see session/session-manager.ts). */
export interface SessionLike {
  user: { username: string; email: string | null };
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
  };
}
