import type { SsoPersonSummary } from '../../preload/contract';
import { AppError } from '../errors';
import type { IpcRegistry } from '../ipc/registry';
import type { Session, SessionManager } from '../session/session-manager';
import type { SsoService } from './sso-service';
import type { SsoIdentity } from './sso-identity';
import { ssoPersonId } from './sso-people';

/** The session user id of someone an IdP vouched for: the provider and its stable subject. */
export const ssoUserId: (identity: Pick<SsoIdentity, 'providerId' | 'subject'>) => string = ssoPersonId;

/**
 * Signs in again at the session's own IdP, which must authenticate the person whatever its own
 * session (a walk-up person must not pass on the IdP's cookies alone), and must return the
 * session's own user: anyone else changes nothing. For unlock and recent sign-in alike.
 */
export async function reauthenticateAtIdp(sso: SsoService, session: Session): Promise<SsoIdentity> {
  if (session.user.provider === 'local' || !session.user.providerId) {
    throw new AppError('PERMISSION_DENIED', 'You signed in with a Portico account: use your password instead.');
  }
  const identity = await sso.signIn(session.user.providerId, { interaction: 'reauthenticate' });
  if (ssoUserId(identity) !== session.user.id) {
    throw new AppError(
      'SSO_DIFFERENT_USER',
      `You signed in at ${identity.providerName} as ${identity.username}, not as ${session.user.username}. ` +
        'Nothing was changed; sign in again as yourself to continue.',
    );
  }
  return identity;
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
    const identity = await sso.signIn(input.providerId, {
      ...(input.loginHint ? { loginHint: input.loginHint } : {}),
      ...(input.switchAccount ? { interaction: 'switch-account' as const } : {}),
    });
    // A new session only once the IdP's answer is verified; any earlier one ends first.
    sessions.end();
    return sessions.summary(startSsoSession(sessions, identity));
  });

  // Keeps the session; only refreshes when the user last proved who they are. Whoever signs
  // in at the IdP must be the session's own user: anyone else changes nothing.
  registry.handle('auth:reauthenticate-sso', async function handleReauthenticateSso(_input, { session }) {
    const current = session!;
    await reauthenticateAtIdp(sso, current);
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

  registry.handle('users:list-sso', async function handleListSsoPeople() {
    await sso.flush();
    return sso.people().map(personSummary);
  });

  registry.handle('users:end-kept-sign-in', async function handleEndKeptSignIn(input) {
    await sso.endPersonsKeptSignIn(input.personId);
    const person = sso.people().find((p) => p.id === input.personId);
    if (!person) throw new AppError('NOT_FOUND', 'Portico has no record of this person signing in here. Refresh the list.');
    return personSummary(person);
  });
}

function personSummary(person: ReturnType<SsoService['people']>[number]): SsoPersonSummary {
  return {
    id: person.id,
    username: person.username,
    displayName: person.displayName,
    providerId: person.providerId,
    providerName: person.providerName,
    protocol: person.protocol,
    firstSignInAt: person.firstSignInAt,
    lastSignInAt: person.lastSignInAt,
    roles: [...person.roles],
    groups: [...person.groups],
    keptSignIn: { refreshToken: person.refreshTokenKept, idpCookies: person.idpCookies },
  };
}
