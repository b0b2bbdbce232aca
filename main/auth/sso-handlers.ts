import { AppError } from '../errors';
import type { IpcRegistry } from '../ipc/registry';
import type { Session, SessionManager } from '../session/session-manager';
import type { SsoService } from './sso-service';
import type { SsoIdentity } from './sso-identity';

/** The session user id of someone an IdP vouched for: the provider and its stable subject. */
export function ssoUserId(identity: Pick<SsoIdentity, 'providerId' | 'subject'>): string {
  return `${identity.providerId}:${identity.subject}`;
}

/** A session for someone the IdP vouched for (a sign-in, or a kept sign-in restored at launch). */
export function startSsoSession(sessions: SessionManager, identity: SsoIdentity): Session {
  return sessions.start(
    {
      id: ssoUserId(identity),
      username: identity.username,
      displayName: identity.displayName,
      provider: identity.protocol,
      providerId: identity.providerId,
      providerName: identity.providerName,
      email: identity.verifiedEmail,
    },
    identity.roles,
    { endsAt: identity.idpSessionEndsAt, sso: identity.logout, groups: identity.groups },
  );
}

export function setupSsoHandlers(
  registry: IpcRegistry<Session>,
  { sso, sessions }: { sso: SsoService; sessions: SessionManager },
): void {
  registry.handle('auth:discover-provider', function handleDiscoverProvider(input) {
    return sso.discover(input.email);
  });

  registry.handle('auth:start-sso', async function handleStartSso(input) {
    const identity = await sso.signIn(input.providerId, input.loginHint);
    // A new session only once the IdP's answer is verified; any earlier one ends first.
    sessions.end();
    return sessions.summary(startSsoSession(sessions, identity));
  });

  // Keeps the session; only refreshes when the user last proved who they are. Whoever signs
  // in at the IdP must be the session's own user: anyone else changes nothing.
  registry.handle('auth:reauthenticate-sso', async function handleReauthenticateSso(_input, { session }) {
    const current = session!;
    if (current.user.provider === 'local' || !current.user.providerId) {
      throw new AppError('PERMISSION_DENIED', 'You signed in with a Portico account: confirm your password instead.');
    }
    const identity = await sso.signIn(current.user.providerId);
    if (ssoUserId(identity) !== current.user.id) {
      throw new AppError(
        'SSO_DIFFERENT_USER',
        `You signed in at ${identity.providerName} as ${identity.username}, not as ${current.user.username}. ` +
          'Nothing was changed; sign in again as yourself to continue.',
      );
    }
    sessions.markAuthenticated();
    sessions.touch();
    return sessions.summary(current);
  });

  registry.handle('auth:cancel-sso', function handleCancelSso() {
    sso.cancel();
    return null;
  });

  registry.handle('admin:get-sp-metadata', function handleGetSpMetadata(input) {
    return sso.metadata(input.providerId);
  });
}
