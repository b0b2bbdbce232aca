/**
 * Every HTTP request Portico makes to an OpenID provider goes through `idpFetch` (openid-client's
 * `customFetch`): discovery, JWKS, token, userinfo, revocation. It decides three things the library
 * leaves open:
 *
 * - Transport, per endpoint: https, or plain http only when that endpoint itself is on loopback
 *   (a local test IdP). An http issuer on 127.0.0.1 never lets a code, a PKCE verifier or a token
 *   travel in clear to another host (openid-client's `allowInsecureRequests` is all or nothing).
 * - Size: a body is read as a stream and refused past `maxBodyBytes`, before it is buffered whole.
 * - What "no answer" is: a network failure, a timeout (the library's per-request signal) or a 5xx
 *   becomes `OIDC_UNREACHABLE`, the one code that lets a kept sign-in wait (maxOfflineHours). Any
 *   other status is an answer, passed on for the library to judge.
 */
import type * as client from 'openid-client';
import { OidcError } from './oidc-errors';

/** 1 MiB: discovery documents, key sets and token answers are a few KiB; Entra's largest, with groups, well under. */
export const MAX_IDP_BODY_BYTES = 1024 * 1024;

/** Statuses whose Response cannot carry a body (the Fetch standard refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** Headers that describe the body as it travelled; the body handed on is already decoded. */
const TRANSFER_HEADERS = new Set(['content-encoding', 'content-length', 'transfer-encoding']);

export interface IdpFetchOptions {
  maxBodyBytes?: number;
  /** Told of every answered request (e.g. which JWKS fetch happened when). */
  onResponse?: (url: URL) => void;
}

/** An IdP's answer, read whole (within the cap): what openid-client gets back as a Response. */
export interface IdpAnswer {
  status: number;
  statusText: string;
  /** Without the headers that described the body in transit (it is decoded here). */
  headers: Array<[string, string]>;
  body: Uint8Array<ArrayBuffer>;
}

/** Sends one request to the IdP; the answer is read whole, or refused (see the module's comment). */
export type IdpRequest = (url: string, init: client.CustomFetchOptions) => Promise<IdpAnswer>;

/** Loopback hosts: the only ones plain http may reach (RFC 8252 8.3). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Why `url` may not carry codes or tokens, or null when it may (https, or http on loopback). */
export function insecureTransport(url: URL): string | null {
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') return isLoopbackHost(url.hostname) ? null : 'plain http to a host that is not loopback';
  return `the ${url.protocol} scheme`;
}

export function idpRequest(options: IdpFetchOptions = {}): IdpRequest {
  const limit = options.maxBodyBytes ?? MAX_IDP_BODY_BYTES;
  return async (url, init) => {
    const target = new URL(url);
    const insecure = insecureTransport(target);
    if (insecure) throw new OidcError('OIDC_INSECURE_ENDPOINT', `${insecure}: ${target.origin}${target.pathname}`);
    let response: Response;
    try {
      response = await fetch(url, init as RequestInit);
    } catch (error) {
      throw unreachable(target, error);
    }
    if (response.status >= 500) {
      await response.body?.cancel().catch(() => undefined);
      throw new OidcError('OIDC_UNREACHABLE', `${target.origin}${target.pathname} answered HTTP ${response.status}`);
    }
    const body = await readCapped(response, limit, target);
    options.onResponse?.(target);
    const headers: Array<[string, string]> = [];
    response.headers.forEach((value, name) => {
      if (!TRANSFER_HEADERS.has(name.toLowerCase())) headers.push([name, value]);
    });
    return { status: response.status, statusText: response.statusText, headers, body };
  };
}

/** openid-client's `customFetch` over an IdpRequest. */
export function asCustomFetch(request: IdpRequest): client.CustomFetch {
  return async (url, init) => responseOf(await request(url, init));
}

export function idpFetch(options: IdpFetchOptions = {}): client.CustomFetch {
  return asCustomFetch(idpRequest(options));
}

/** A Response for openid-client holding an answer already read (a fresh copy of its body each time). */
export function responseOf(answer: IdpAnswer): Response {
  const body = NULL_BODY_STATUSES.has(answer.status) ? null : answer.body.slice();
  return new Response(body, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
}

/** The whole body, or OIDC_RESPONSE_TOO_LARGE as soon as it passes `limit` (the rest is never read). */
async function readCapped(response: Response, limit: number, target: URL): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new OidcError('OIDC_RESPONSE_TOO_LARGE', `${target.origin}${target.pathname} sent more than ${limit} bytes`);
  const length = response.headers.get('content-length');
  const declared = length === null ? Number.NaN : Number(length);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(new ArrayBuffer(0));
  if (Number.isFinite(declared) && !response.headers.has('content-encoding')) {
    // A declared length within the cap (the usual answer): read at once. A body longer than it
    // declared is cut by the HTTP client; one that decodes to more is streamed below instead.
    try {
      const whole = new Uint8Array(await response.arrayBuffer());
      if (whole.byteLength > limit) throw tooLarge();
      return whole;
    } catch (error) {
      if (error instanceof OidcError) throw error;
      throw unreachable(target, error);
    }
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof OidcError) throw error;
    throw unreachable(target, error);
  }
  const body = new Uint8Array(new ArrayBuffer(size));
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** A request that got no (whole) answer: refused connection, DNS, TLS, reset, or the per-request timeout. */
function unreachable(target: URL, error: unknown): OidcError {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const why =
    e?.name === 'TimeoutError'
      ? 'no answer before the timeout'
      : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error));
  return new OidcError('OIDC_UNREACHABLE', `${target.origin}${target.pathname}: ${why}`);
}
