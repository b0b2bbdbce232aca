/** The token answer replayed to openid-client: once, as it came; other requests go out as usual. */
import { describe, expect, it } from 'vitest';
import { idpRequest } from '../../../../../main/auth/oidc/idp-fetch';
import { OidcError } from '../../../../../main/auth/oidc/oidc-errors';
import { replayingFetch, type TokenAnswer } from '../../../../../main/auth/oidc/token-answer';

const TOKEN_ENDPOINT = 'http://127.0.0.1:1/organizations/v2.0/token';

function answer(body: unknown, status = 200): TokenAnswer {
  return {
    status,
    statusText: status === 200 ? 'OK' : 'Bad Request',
    headers: [
      ['content-type', 'application/json'],
      ['cache-control', 'no-store'],
    ],
    body: new Uint8Array(new TextEncoder().encode(JSON.stringify(body))),
    idToken: null,
    ok: status < 300,
  };
}

const post = { method: 'POST', body: 'grant_type=x', headers: {}, redirect: 'manual' as const };

describe('replayingFetch', () => {
  it('answers the token request once with the captured status, headers and body', async () => {
    const fetch = replayingFetch(answer({ error: 'invalid_grant' }, 400), TOKEN_ENDPOINT, idpRequest());
    const response = await fetch(TOKEN_ENDPOINT, post);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ error: 'invalid_grant' });
    await expect(fetch(TOKEN_ENDPOINT, post)).rejects.toThrow(/already used/);
  });

  it('sends any other request for real, through the given fetch (here: nobody listens on port 1)', async () => {
    const fetch = replayingFetch(answer({}), TOKEN_ENDPOINT, idpRequest());
    const error = await fetch('http://127.0.0.1:1/organizations/v2.0/jwks', { ...post, method: 'GET', body: undefined }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OidcError);
    expect(error).toMatchObject({ code: 'OIDC_UNREACHABLE' });
  });
});
