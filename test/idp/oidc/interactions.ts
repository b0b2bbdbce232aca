/**
 * The provider's interaction endpoints (oidc-provider's devInteractions are off): a login form, and
 * consent granted silently for the one client. Native clients always go through the consent prompt
 * in oidc-provider, so without the silent grant every sign-in (even single sign-on) would stop at a
 * consent page no real enterprise IdP shows for a pre-approved app.
 *
 *   GET  /interaction/:uid         login form, or (consent prompt) grant and redirect at once
 *   POST /interaction/:uid/login   check the password; wrong: the form again with an error
 *   GET  /interaction/:uid/abort   the user cancels: access_denied back to the client
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { readBody, sendHtml, sendText } from './http-util';
import { loginPage, LOGIN_FIELD, PASSWORD_FIELD } from './pages';
import type { OidcTestUser } from './users';

export const INTERACTION_PREFIX = '/interaction/';

export interface InteractionHooks {
  provider: Provider;
  issuer: string;
  /** Looked up at every sign-in, so a test may change the users while the provider runs. */
  users: () => OidcTestUser[];
  /** Called once a grant is saved in the consent step (e.g. to remember Google's access_type=offline). */
  onConsent?: (details: InteractionDetails, grantId: string) => void;
}

export function createInteractionHandler(hooks: InteractionHooks) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const match = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) return sendText(res, 404, 'not found');
    const [, uid, action] = match;
    try {
      const details = await hooks.provider.interactionDetails(req, res);
      // The cookie names the interaction; the URL must agree (a stale tab must not act on another).
      if (details.uid !== uid) return sendText(res, 400, 'interaction mismatch');
      if (action === '/abort') return await abort(hooks, req, res);
      if (action === '/login' && req.method === 'POST') return await submitLogin(hooks, details, req, res);
      if (details.prompt.name === 'consent') return await grantConsent(hooks, details, req, res);
      return sendHtml(res, 200, loginForm(hooks, uid));
    } catch (error) {
      // SessionNotFound and the like: the interaction cookie is missing or expired.
      sendText(res, 400, `interaction failed: ${(error as Error).message}`);
    }
  };
}

function loginForm(hooks: InteractionHooks, uid: string, login?: string, error = false): string {
  return loginPage({
    issuer: hooks.issuer,
    action: `${INTERACTION_PREFIX}${uid}/login`,
    cancelUrl: `${INTERACTION_PREFIX}${uid}/abort`,
    login,
    error,
  });
}

async function submitLogin(
  hooks: InteractionHooks,
  details: InteractionDetails,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const login = form.get(LOGIN_FIELD) ?? '';
  const user = findUser(hooks.users(), login, form.get(PASSWORD_FIELD) ?? '');
  if (!user) return sendHtml(res, 200, loginForm(hooks, details.uid, login, true));
  await hooks.provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
}

/** By username or email (as Entra accepts the UPN), case-insensitively; the password exactly. */
export function findUser(users: OidcTestUser[], login: string, password: string): OidcTestUser | undefined {
  const wanted = login.trim().toLowerCase();
  const user = users.find((u) => u.username.toLowerCase() === wanted || u.email.toLowerCase() === wanted);
  return user && user.password === password ? user : undefined;
}

/** Grants whatever the client asked for: scopes (offline_access included) and claims. */
async function grantConsent(
  hooks: InteractionHooks,
  details: InteractionDetails,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { provider } = hooks;
  const accountId = details.session?.accountId;
  if (!accountId) throw new Error('consent prompt without a signed-in account');
  const grant =
    (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
    new provider.Grant({ accountId, clientId: details.params.client_id });
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  hooks.onConsent?.(details, grantId);
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function abort(hooks: InteractionHooks, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await hooks.provider.interactionFinished(
    req,
    res,
    { error: 'access_denied', error_description: 'End-User aborted interaction' },
    { mergeWithLastSubmission: false },
  );
}
