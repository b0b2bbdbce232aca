/**
 * Drives the IdP's real login page in Chromium and catches the SAMLResponse it auto-POSTs to the
 * SP's ACS URL. The ACS request is answered by `page.route`, so it never reaches the network: the
 * ACS URL may be a made-up https address.
 */
import { randomBytes } from 'node:crypto';
import { SAML } from '@node-saml/node-saml';
import type { Browser, Page, Request, Route } from 'playwright-core';
import type { SamlIdp } from './simplesamlphp';

export interface AcsPost {
  /** base64, exactly as posted (URL-decoded from the form body). */
  SAMLResponse: string;
  RelayState: string | null;
  /** The URL the IdP posted to. */
  url: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** SimpleSAMLphp's user/password form (modules/core/templates/loginuserpass.tpl.php). */
const USERNAME = 'input[name="username"]';
const PASSWORD = 'input[name="password"]';
const SUBMIT = '#submit_button';

/**
 * Opens `startUrl` (an AuthnRequest redirect to the IdP, or an SP URL that leads there), signs in
 * with the form and returns what the IdP posts to `acsUrl`. If the context already holds an IdP
 * session, the IdP posts straight away and the form is never shown (single sign-on).
 * Rejects after `timeoutMs` (default 15 s) with the URL and text of the page the browser is on,
 * e.g. the IdP's "incorrect username or password" page.
 */
export async function loginAndCaptureAcsPost(
  page: Page,
  options: { startUrl: string; acsUrl: string; username: string; password: string; timeoutMs?: number },
): Promise<AcsPost> {
  const budget = timeBudget(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const acs = captureAcsPost(page, options.acsUrl);
  await acs.install();
  let navigationError: Error | undefined;
  try {
    // goto may fail with "interrupted" when the IdP's auto-POST navigates away first: only
    // reported if no POST arrives. Not awaited: the form can be used before `load`.
    void page.goto(options.startUrl, { timeout: budget.left() }).catch((error: Error) => (navigationError = error));
    const first = await Promise.race([acs.posted, formShown(page, budget.left())]);
    if (first !== 'form') return first;
    // Each step gets only the time left, so nothing keeps typing into the page after a timeout
    // (a straggler would otherwise fill the form of the caller's next login).
    // The form can show while the page is still parsing; typing then is sometimes lost (seen on a
    // loaded CI machine as a spurious "Incorrect username or password"): wait for the DOM, and
    // check what the fields hold before submitting.
    await page.waitForLoadState('domcontentloaded', { timeout: budget.left() });
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.locator(USERNAME).fill(options.username, { timeout: budget.left() });
      await page.locator(PASSWORD).fill(options.password, { timeout: budget.left() });
      const typed = [await page.locator(USERNAME).inputValue(), await page.locator(PASSWORD).inputValue()];
      if (typed[0] === options.username && typed[1] === options.password) break;
    }
    await page.locator(SUBMIT).click({ timeout: budget.left() });
    return await settleWithin(acs.posted, budget.left());
  } catch (error) {
    const problem = `no POST to ${options.acsUrl} within ${budget.total} ms (${(error as Error).message.split('\n')[0]})`;
    throw new Error(await describeStuckPage(page, problem, navigationError), { cause: error });
  } finally {
    await acs.uninstall();
  }
}

function timeBudget(total: number): { total: number; left(): number } {
  const deadline = Date.now() + total;
  return { total, left: () => Math.max(1, deadline - Date.now()) };
}

/** Resolves 'form' once the IdP's login form is on the page. */
async function formShown(page: Page, timeoutMs: number): Promise<'form'> {
  await page.locator(USERNAME).waitFor({ timeout: timeoutMs });
  return 'form';
}

/** Routes requests to the ACS URL (query ignored) and resolves with the first POST body. */
function captureAcsPost(
  page: Page,
  acsUrl: string,
): { posted: Promise<AcsPost>; install(): Promise<void>; uninstall(): Promise<void> } {
  const target = withoutQuery(acsUrl);
  const matches = (url: URL): boolean => withoutQuery(url.href) === target;
  let resolvePosted!: (post: AcsPost) => void;
  let rejectPosted!: (error: Error) => void;
  const posted = new Promise<AcsPost>((resolve, reject) => {
    resolvePosted = resolve;
    rejectPosted = reject;
  });
  // Only the first POST counts; a late rejection (nobody waiting any more) must not go unhandled.
  posted.catch(() => undefined);
  const handler = async (route: Route, request: Request): Promise<void> => {
    if (request.method() === 'POST') {
      try {
        resolvePosted(parseAcsPost(request));
      } catch (error) {
        rejectPosted(error as Error);
      }
    }
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>ACS</title><p>captured</p>' });
  };
  return {
    posted,
    install: async () => {
      await page.route(matches, handler);
    },
    uninstall: () => page.unroute(matches, handler).catch(() => undefined),
  };
}

function parseAcsPost(request: Request): AcsPost {
  const form = new URLSearchParams(request.postData() ?? '');
  const SAMLResponse = form.get('SAMLResponse');
  if (!SAMLResponse) throw new Error(`POST to ${request.url()} carries no SAMLResponse: ${request.postData()}`);
  return { SAMLResponse, RelayState: form.get('RelayState'), url: request.url() };
}

function withoutQuery(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/** `work`, or a rejection once `timeoutMs` has passed. */
async function settleWithin<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out waiting for the IdP to post')), timeoutMs);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the user would see: the IdP's error or login page. IdP-side causes are only in its log. */
async function describeStuckPage(page: Page, problem: string, navigationError: Error | undefined): Promise<string> {
  const text = await page
    .locator('body')
    .innerText({ timeout: 1_000 })
    .catch((error: Error) => `(page text unavailable: ${error.message})`);
  const navigation = navigationError ? `\nOpening the start URL failed: ${navigationError.message.split('\n')[0]}` : '';
  return (
    `SAML login failed: ${problem}.${navigation}\nThe browser is on ${page.url()}:\n${text.trim().slice(0, 2_000)}` +
    '\n(IdP-side errors are only in its log: SamlIdp.readLog())'
  );
}

export interface SloRedirect {
  /** The full URL the IdP redirected to (the SP's SingleLogoutService plus the SAML query). */
  url: string;
  /** base64 of the deflated LogoutResponse (or LogoutRequest), as in the query string. */
  SAMLResponse: string | null;
  SAMLRequest: string | null;
  RelayState: string | null;
  SigAlg: string | null;
  Signature: string | null;
}

/**
 * Sends `logoutUrl` (an SP-initiated LogoutRequest to `idp.sloUrl`) with the cookies of `page`'s
 * browser context (so the IdP sees that browser's session) and returns the redirect the IdP finally
 * sends to `spSloUrl`, without requesting the SP URL.
 * SimpleSAMLphp answers with a chain of 302s on its own origin (SingleLogoutService →
 * core/idp/resumelogout.php → SP). A page cannot be used for this: `page.route` never sees the
 * targets of redirects, so the browser would try to resolve the SP's host. The chain is therefore
 * followed here, one hop at a time, through the context's request API (same cookie jar).
 */
export async function logoutAndCaptureSloRedirect(
  page: Page,
  options: { logoutUrl: string; idp: SamlIdp; spSloUrl: string; maxHops?: number },
): Promise<SloRedirect> {
  const idpOrigin = new URL(options.idp.baseUrl).origin;
  const target = withoutQuery(options.spSloUrl);
  let url = options.logoutUrl;
  for (let hop = 0; hop < (options.maxHops ?? 10); hop++) {
    if (withoutQuery(url) === target) return sloRedirect(url);
    if (new URL(url).origin !== idpOrigin) throw new Error(`SAML logout left the IdP for ${url}, not ${options.spSloUrl}`);
    const response = await page.context().request.get(url, { maxRedirects: 0 });
    const location = response.headers()['location'];
    if (!location) {
      const text = (await response.text()).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
      throw new Error(
        `SAML logout: ${url} answered ${response.status()} without a redirect to ${options.spSloUrl}: ${text.slice(0, 1_000)}` +
          '\n(IdP-side errors are only in its log: SamlIdp.readLog())',
      );
    }
    url = new URL(location, url).href;
  }
  throw new Error(`SAML logout: more than ${options.maxHops ?? 10} redirects, last ${url}`);
}

function sloRedirect(url: string): SloRedirect {
  const query = new URL(url).searchParams;
  const field = (name: string): string | null => query.get(name);
  return {
    url,
    SAMLResponse: field('SAMLResponse'),
    SAMLRequest: field('SAMLRequest'),
    RelayState: field('RelayState'),
    SigAlg: field('SigAlg'),
    Signature: field('Signature'),
  };
}

/**
 * An HTTP-Redirect AuthnRequest to `idp.ssoUrl`, built by node-saml as Portico's SP would. The
 * request id is chosen here and returned, so InResponseTo can be checked. Pass `privateKey` (PEM)
 * when the IdP was started with `spSigningCertPem` and so requires signed requests (signed with
 * RSA-SHA256, in the query string as the Redirect binding wants).
 */
export async function buildAuthnRequestUrl(options: {
  idp: SamlIdp;
  spEntityId: string;
  acsUrl: string;
  relayState?: string;
  privateKey?: string;
}): Promise<{ url: string; requestId: string }> {
  // SAML ids must start with a letter or '_' (xs:ID).
  const requestId = `_${randomBytes(20).toString('hex')}`;
  const saml = new SAML({
    entryPoint: options.idp.ssoUrl,
    issuer: options.spEntityId,
    callbackUrl: options.acsUrl,
    idpCert: options.idp.certPem,
    generateUniqueId: () => requestId,
    // node-saml asks for an emailAddress NameID by default; Entra-style SPs want persistent.
    identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    ...(options.privateKey ? { privateKey: options.privateKey, signatureAlgorithm: 'sha256' as const } : {}),
  });
  const url = await saml.getAuthorizeUrlAsync(options.relayState ?? '', undefined, {});
  return { url, requestId };
}

/**
 * One login for `username` in a fresh browser context (so no IdP session is reused), returning
 * the IdP's signed SAMLResponse (base64 and decoded XML) and the AuthnRequest id it answers.
 */
export async function fetchSignedResponse(
  browser: Browser,
  options: {
    idp: SamlIdp;
    spEntityId: string;
    acsUrl: string;
    username: string;
    password: string;
    /** SP signing key, for an IdP started with `spSigningCertPem`. */
    privateKey?: string;
    timeoutMs?: number;
  },
): Promise<{ samlResponse: string; requestId: string; xml: string }> {
  const { url, requestId } = await buildAuthnRequestUrl(options);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const post = await loginAndCaptureAcsPost(page, { ...options, startUrl: url });
    return { samlResponse: post.SAMLResponse, requestId, xml: Buffer.from(post.SAMLResponse, 'base64').toString('utf8') };
  } finally {
    await context.close();
  }
}
