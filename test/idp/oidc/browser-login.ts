/**
 * Drives the test provider's login page (./pages) in whatever page the app opened.
 */
import type { Page } from 'playwright-core';
import { LOGIN_FIELD, PASSWORD_FIELD, SIGN_IN_LABEL } from './pages';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * On the provider's login page (in whatever page the app opened): fill and submit. Resolves once
 * the form is submitted; where the browser goes next (the client's redirect URI, or the form again
 * with "Invalid username or password.") is for the caller to wait for.
 */
export async function signInAtOidcProvider(
  page: Page,
  username: string,
  password: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const login = page.locator(`input[name="${LOGIN_FIELD}"]`);
  await login.waitFor({ timeout });
  await login.fill(username, { timeout });
  await page.locator(`input[name="${PASSWORD_FIELD}"]`).fill(password, { timeout });
  await page.locator('button[type="submit"]', { hasText: SIGN_IN_LABEL }).click({ timeout, noWaitAfter: true });
}

/**
 * Resolves with the first URL the page requests that starts with `urlPrefix` (e.g. the client's
 * loopback redirect URI `http://127.0.0.1:<port>/callback`). It uses the 'request' event because
 * the callback is the target of an IdP redirect, which `page.route` never sees. The browser still
 * loads the URL, so point it at a listener that answers (or at nothing, and ignore the error page).
 */
export function waitForRequest(page: Page, urlPrefix: string, options: { timeoutMs?: number } = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const onRequest = (request: { url(): string }): void => {
      if (!request.url().startsWith(urlPrefix)) return;
      cleanup();
      resolve(request.url());
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no request to ${urlPrefix} within ${timeoutMs} ms; the page is on ${page.url()}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      page.off('request', onRequest);
    };
    page.on('request', onRequest);
  });
}
