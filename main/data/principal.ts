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
  user: { username: string };
  roles: readonly string[];
  groups: readonly string[];
}

/**
 * The session's user as a principal. Sessions keep no separate email: SSO usernames are the
 * IdP's email or UPN, so a username that looks like an email is used as one.
 */
export function principalFromSession(session: SessionLike, permissions: readonly Permission[]): Principal {
  const username = session.user.username;
  return {
    username,
    email: /^[^@\s]+@[^@\s]+$/.test(username) ? username : null,
    roles: [...session.roles],
    groups: [...session.groups],
    permissions: [...permissions],
  };
}
