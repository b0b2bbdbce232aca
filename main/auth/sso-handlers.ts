import { AppError } from '../errors';
import type { IpcRegistry } from '../ipc/registry';
import type { Session, SessionManager } from '../session/session-manager';
import type { SsoService } from './sso-service';

export function setupSsoHandlers(
  registry: IpcRegistry<Session>,
  { sso, sessions }: { sso: SsoService; sessions: SessionManager },
): void {
  registry.handle('auth:discover-provider', function handleDiscoverProvider(input) {
    return sso.discover(input.email);
  });

  registry.handle('auth:start-sso', async function handleStartSso(input) {
    const identity = await sso.signIn(input.providerId);
    // A new session only once the IdP's answer is verified; any earlier one ends first.
    sessions.end();
    const session = sessions.start(
      {
        id: `${identity.providerId}:${identity.subject}`,
        username: identity.email ?? identity.nameId,
        displayName: identity.displayName,
        provider: 'saml',
        providerId: identity.providerId,
        providerName: identity.providerName,
      },
      identity.roles,
      {
        endsAt: identity.idpSessionEndsAt,
        sso: {
          providerId: identity.providerId,
          nameId: identity.nameId,
          nameIdFormat: identity.nameIdFormat,
          sessionIndex: identity.sessionIndex,
        },
      },
    );
    return sessions.summary(session);
  });

  // Keeps the session; only refreshes when the user last proved who they are. Whoever signs
  // in at the IdP must be the session's own user: anyone else changes nothing.
  registry.handle('auth:reauthenticate-sso', async function handleReauthenticateSso(_input, { session }) {
    const current = session!;
    if (current.user.provider === 'local' || !current.user.providerId) {
      throw new AppError('PERMISSION_DENIED', 'You signed in with a Portico account: confirm your password instead.');
    }
    const identity = await sso.signIn(current.user.providerId);
    if (`${identity.providerId}:${identity.subject}` !== current.user.id) {
      throw new AppError(
        'SSO_DIFFERENT_USER',
        `You signed in at ${identity.providerName} as ${identity.email ?? identity.displayName}, not as ${current.user.username}. ` +
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
