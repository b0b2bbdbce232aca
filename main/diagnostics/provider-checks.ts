/**
 * Can this computer reach each configured identity provider, and does its clock agree?
 * SAML: the origin of the IdP's SSO URL (any HTTP answer below 500 counts as reachable; the
 * SSO endpoint itself wants a SAMLRequest). OIDC: the issuer's discovery document (OpenID
 * Connect Discovery 1.0, section 4), which must be JSON naming the same issuer.
 * The only I/O here is `fetch`, injected; each check is bounded by a timeout.
 */
import type { PorticoConfig } from '../policy/config-schema';
import { clockSkew, type ClockSkew } from './clock-skew';
import { entraTenantTemplate } from '../auth/oidc/oidc-config';

export const DEFAULT_CHECK_TIMEOUT_MS = 5000;
/** A discovery document is a few kB; anything far larger is not one. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface CheckDeps {
  fetch?: FetchLike;
  /** Local clock, epoch ms (the clock whose skew is measured). */
  now?: () => number;
  timeoutMs?: number;
}

export interface ProviderTarget {
  id: string;
  type: 'saml' | 'oidc';
  displayName: string;
  /** The URL requested. */
  url: string;
  /** OIDC: the configured issuer, which the discovery document must repeat exactly. */
  issuer?: string;
  /** SAML: the provider's own tolerance, beyond which its assertions are refused. */
  clockSkewSeconds?: number;
  clientSecretConfigured?: boolean;
}

export type CheckResult =
  'ok' | 'http-error' | 'invalid-response' | 'timeout' | 'connection-refused' | 'dns-failure' | 'tls-error' | 'network-error';

export interface ProviderCheck {
  result: CheckResult;
  /** Some HTTP answer came back (even an error status). */
  reachable: boolean;
  status: number | null;
  /** From sending the request to the response headers (or to the failure). */
  responseTimeMs: number;
  clock: ClockSkew | null;
  /** What went wrong, in words; null when all is well. */
  detail: string | null;
}

/** The URLs to check for each configured provider. */
export function providerTargets(config: Pick<PorticoConfig, 'providers'>): ProviderTarget[] {
  const saml = config.providers.saml.map((p): ProviderTarget => ({
    id: p.id,
    type: 'saml',
    displayName: p.displayName,
    url: `${new URL(p.idpSsoUrl).origin}/`,
    clockSkewSeconds: p.clockSkewSeconds,
  }));
  const oidc = config.providers.oidc.map((p): ProviderTarget => ({
    id: p.id,
    type: 'oidc',
    displayName: p.displayName,
    url: discoveryUrl(p.issuer),
    // Multi-tenant Entra (/organizations, /common): discovery names `.../{tenantid}/v2.0`.
    issuer: entraTenantTemplate(p) ?? p.issuer,
    clientSecretConfigured: Boolean(p.clientSecret),
  }));
  return [...saml, ...oidc];
}

/** Discovery section 4: the issuer without a trailing slash, then the well-known path. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** Checks one provider. Never throws: every failure is a result. */
export async function checkProvider(target: ProviderTarget, deps: CheckDeps = {}): Promise<ProviderCheck> {
  const fetchFn = deps.fetch ?? ((url, init) => fetch(url, init));
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const sentAt = now();
  let response: Response;
  try {
    response = await fetchFn(target.url, {
      method: 'GET',
      signal,
      // SAML: a redirect to a login page is an answer. OIDC: discovery may not redirect elsewhere silently.
      redirect: target.type === 'saml' ? 'manual' : 'follow',
      headers: { accept: target.type === 'oidc' ? 'application/json' : '*/*' },
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    return failure(error, Math.max(0, now() - sentAt), timeoutMs);
  }
  const receivedAt = now();
  const base = {
    reachable: true,
    status: response.status,
    responseTimeMs: Math.max(0, receivedAt - sentAt),
    clock: clockSkew(response.headers.get('date'), sentAt, receivedAt),
  };

  if (target.type === 'saml') {
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 500) {
      return { ...base, result: 'http-error', detail: `The IdP answered HTTP ${response.status} (a server error).` };
    }
    return { ...base, result: 'ok', detail: null };
  }

  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel().catch(() => undefined);
    return {
      ...base,
      result: 'http-error',
      detail: `The discovery document answered HTTP ${response.status}; expected 200. Check the issuer URL.`,
    };
  }
  let text: string;
  try {
    text = await readBounded(response, MAX_DOCUMENT_BYTES);
  } catch (error) {
    const failed = failure(error, Math.max(0, now() - sentAt), timeoutMs);
    return { ...failed, reachable: true, status: response.status, clock: base.clock };
  }
  const problem = discoveryProblem(text, target.issuer ?? '');
  return problem ? { ...base, result: 'invalid-response', detail: problem } : { ...base, result: 'ok', detail: null };
}

/** Checks every provider in parallel. */
export async function checkProviders(
  targets: readonly ProviderTarget[],
  deps: CheckDeps = {},
): Promise<Array<{ target: ProviderTarget; check: ProviderCheck }>> {
  return Promise.all(targets.map(async (target) => ({ target, check: await checkProvider(target, deps) })));
}

/** What is wrong with a discovery document, or null. */
export function discoveryProblem(text: string, issuer: string): string | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'The discovery document is not valid JSON: the issuer URL may point at a web page rather than an OpenID provider.';
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'The discovery document is not a JSON object.';
  const fields = doc as Record<string, unknown>;
  if (fields.issuer !== issuer) {
    const named = typeof fields.issuer === 'string' ? `"${fields.issuer.slice(0, 200)}"` : 'no issuer';
    return `The discovery document names ${named}, but the configuration says "${issuer}"; they must match exactly (sign-in would be refused).`;
  }
  const missing = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'].filter((key) => typeof fields[key] !== 'string');
  if (missing.length > 0) return `The discovery document lacks ${missing.join(', ')}.`;
  return null;
}

async function readBounded(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`The answer is larger than ${limit} bytes.`);
  }
  const body = await response.arrayBuffer();
  if (body.byteLength > limit) throw new Error(`The answer is larger than ${limit} bytes.`);
  return new TextDecoder().decode(body);
}

function failure(error: unknown, elapsed: number, timeoutMs: number): ProviderCheck {
  const [result, detail] = classify(error, timeoutMs);
  return { result, reachable: false, status: null, responseTimeMs: elapsed, clock: null, detail };
}

/** Node's fetch (undici: `cause.code`) and Chromium's net.fetch (`net::ERR_...`) alike. */
function classify(error: unknown, timeoutMs: number): [CheckResult, string] {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return ['timeout', `No answer within ${timeoutMs / 1000} s (a firewall or proxy may be dropping the connection).`];
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code ?? '';
  const text = `${code} ${cause?.message ?? ''} ${error instanceof Error ? error.message : String(error)}`;
  if (/ECONNREFUSED|ERR_CONNECTION_REFUSED/.test(text)) return ['connection-refused', 'The connection was refused.'];
  if (/ENOTFOUND|EAI_AGAIN|ERR_NAME_NOT_RESOLVED/.test(text)) {
    return ['dns-failure', 'The host name could not be resolved (DNS): check the URL and the network.'];
  }
  if (/CERT|TLS|SSL|ERR_CERT|SELF_SIGNED/i.test(text)) {
    return [
      'tls-error',
      `The TLS connection failed (${code || 'certificate'}): a proxy inspecting traffic may need its certificate installed.`,
    ];
  }
  if (/ECONNRESET|ERR_CONNECTION_RESET/.test(text)) return ['network-error', 'The connection was reset.'];
  if (/larger than/.test(text)) return ['invalid-response', error instanceof Error ? error.message : 'Invalid answer.'];
  return ['network-error', `The request failed${code ? ` (${code})` : ''}.`];
}
