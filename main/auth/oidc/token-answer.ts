/**
 * The token endpoint's answer, fetched once and replayed once. Some things must be known from the
 * answer before openid-client validates it: multi-tenant Entra ID's tenant, which names the issuer
 * to expect (./entra-tenants), and the ID token's `kid`, which decides whether the signing keys are
 * fetched again (./signing-keys). An authorization code, or a rotating refresh token, can be
 * redeemed only once: a first run of the grant sends the request and stops at the answer (nothing
 * validated, nothing kept), a second run, with a Configuration prepared for that answer, gets the
 * same answer back and validates it all.
 */
import * as client from 'openid-client';
import { responseOf, type IdpAnswer, type IdpRequest } from './idp-fetch';

export interface TokenAnswer extends IdpAnswer {
  /** The `id_token` of a successful JSON answer, if it has one (not validated). */
  idToken: string | null;
  /** 2xx. */
  ok: boolean;
}

/** Thrown inside openid-client to stop a run at the answer, carrying it; caught by the caller. */
export class AnswerCaptured extends Error {
  constructor(readonly answer: TokenAnswer) {
    super('token answer captured');
  }
}

/** The answer an AnswerCaptured (as openid-client wraps it, in its causes) carries, if any. */
export function capturedAnswer(error: unknown): TokenAnswer | null {
  for (let current = error, depth = 0; current && depth < 8; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof AnswerCaptured) return current.answer;
  }
  return null;
}

/**
 * A fetch for the token endpoint that lets the answer through to openid-client unless `stop` says
 * otherwise, after reading it; then the run stops with AnswerCaptured, for a replay elsewhere.
 */
export function stoppingFetch(
  tokenEndpoint: string,
  send: IdpRequest,
  stop: (answer: TokenAnswer) => boolean,
): client.CustomFetch {
  const target = new URL(tokenEndpoint).href;
  return async (url, options) => {
    const raw = await send(url, options);
    if (new URL(url).href !== target) return responseOf(raw);
    const answer = tokenAnswerOf(raw);
    if (stop(answer)) throw new AnswerCaptured(answer);
    return responseOf(answer);
  };
}

/**
 * Runs `grant` with a fetch that sends the token request (through `send`: ./idp-fetch) and keeps
 * its answer. An error before or at the token request (state, an error response from the IdP, no
 * answer) is thrown as is.
 */
export async function captureTokenAnswer(
  config: client.Configuration,
  tokenEndpoint: string,
  send: IdpRequest,
  grant: (config: client.Configuration) => Promise<unknown>,
): Promise<TokenAnswer> {
  config[client.customFetch] = stoppingFetch(tokenEndpoint, send, () => true);
  try {
    await grant(config);
  } catch (error) {
    const answer = capturedAnswer(error);
    if (answer) return answer;
    throw error;
  }
  throw new Error('the token request was never sent');
}

/** A fetch that answers the token request with `answer` (once) and sends every other request through `send`. */
export function replayingFetch(answer: TokenAnswer, tokenEndpoint: string, send: IdpRequest): client.CustomFetch {
  const target = new URL(tokenEndpoint).href;
  let replayed = false;
  return async (url, options) => {
    if (new URL(url).href !== target) return responseOf(await send(url, options));
    if (replayed) throw new Error('the token endpoint answer was already used');
    replayed = true;
    return responseOf(answer);
  };
}

/** The answer, with the ID token of a successful JSON answer picked out (nothing validated). */
function tokenAnswerOf(raw: IdpAnswer): TokenAnswer {
  const ok = raw.status >= 200 && raw.status < 300;
  let idToken: string | null = null;
  if (ok) {
    try {
      const json: unknown = JSON.parse(new TextDecoder().decode(raw.body));
      const value = json && typeof json === 'object' ? (json as Record<string, unknown>).id_token : undefined;
      if (typeof value === 'string') idToken = value;
    } catch {
      // Not JSON: openid-client says so when the answer is replayed (or let through).
    }
  }
  return { ...raw, idToken, ok };
}
