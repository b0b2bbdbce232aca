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

export interface TokenAnswer {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: ArrayBuffer;
  /** The `id_token` of a successful JSON answer, if it has one (not validated). */
  idToken: string | null;
  /** 2xx. */
  ok: boolean;
}

/** Thrown inside openid-client to stop the first run at the answer; never leaves this module. */
class AnswerCaptured extends Error {}

/**
 * Runs `grant` with a fetch that sends the token request (through `send`: ./idp-fetch) and keeps
 * its answer. An error before or at the token request (state, an error response from the IdP, no
 * answer) is thrown as is.
 */
export async function captureTokenAnswer(
  config: client.Configuration,
  tokenEndpoint: string,
  send: client.CustomFetch,
  grant: (config: client.Configuration) => Promise<unknown>,
): Promise<TokenAnswer> {
  const target = new URL(tokenEndpoint).href;
  const held: { answer: TokenAnswer | null } = { answer: null };
  config[client.customFetch] = async (url, options) => {
    const response = await send(url, options);
    if (new URL(url).href !== target || held.answer) return response;
    held.answer = await readAnswer(response);
    throw new AnswerCaptured('token answer captured');
  };
  try {
    await grant(config);
  } catch (error) {
    if (held.answer) return held.answer;
    throw error;
  }
  throw new Error('the token request was never sent');
}

/** A fetch that answers the token request with `answer` (once) and sends every other request through `send`. */
export function replayingFetch(answer: TokenAnswer, tokenEndpoint: string, send: client.CustomFetch): client.CustomFetch {
  const target = new URL(tokenEndpoint).href;
  let replayed = false;
  return async (url, options) => {
    if (new URL(url).href !== target) return send(url, options);
    if (replayed) throw new Error('the token endpoint answer was already used');
    replayed = true;
    return new Response(answer.body.slice(0), { status: answer.status, statusText: answer.statusText, headers: answer.headers });
  };
}

async function readAnswer(response: Response): Promise<TokenAnswer> {
  const body = await response.arrayBuffer();
  // The body is already decoded: its original length and encoding no longer apply.
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => {
    if (!['content-encoding', 'content-length', 'transfer-encoding'].includes(name.toLowerCase())) headers.push([name, value]);
  });
  let idToken: string | null = null;
  if (response.ok) {
    try {
      const json: unknown = JSON.parse(new TextDecoder().decode(body));
      const value = json && typeof json === 'object' ? (json as Record<string, unknown>).id_token : undefined;
      if (typeof value === 'string') idToken = value;
    } catch {
      // Not JSON: openid-client says so when the answer is replayed.
    }
  }
  return { status: response.status, statusText: response.statusText, headers, body, idToken, ok: response.ok };
}
