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

  registry.handle('auth:cancel-sso', function handleCancelSso() {
    sso.cancel();
    return null;
  });

  registry.handle('admin:get-sp-metadata', function handleGetSpMetadata(input) {
    return sso.metadata(input.providerId);
  });
}
