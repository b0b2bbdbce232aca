/**
 * The auth window in the test host: a page in its own browser context (a fresh,
 * non-persistent profile, like Electron's in-memory partition). The IdP's request to the
 * callback URL is caught with Playwright's routing and answered locally, like
 * webRequest.onBeforeRequest in the app. Each window is pushed to `windows` so that tests
 * can act in it (type the IdP password, close it to cancel).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AuthCancelledError, type AuthSurface, type CallbackRequest } from '../../main/platform';
import { settleOnce } from '../../main/shell/settle-once';
import { isCallbackUrl } from '../../main/shell/callback-matcher';

export class ChromiumAuthSurface implements AuthSurface {
  /** One browser context per partition: a cookie jar in memory, like Electron's partitions. */
  private readonly contexts = new Map<string, Promise<BrowserContext>>();

  constructor(
    private readonly browser: Browser,
    readonly windows: Page[],
  ) {}

  async clearPartition(partition: string): Promise<void> {
    const context = this.contexts.get(partition);
    this.contexts.delete(partition);
    // Bounded, like every close in the test host: a page mid-redirect must not hang sign-out.
    if (context)
      await Promise.race([(await context).close().catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.contexts.keys()].map((p) => this.clearPartition(p).catch(() => undefined)));
  }

  async open({ url, callbackUrl, timeoutMs, signal, partition }: Parameters<AuthSurface['open']>[0]): Promise<CallbackRequest> {
    if (!this.contexts.has(partition)) this.contexts.set(partition, this.browser.newContext());
    const context = await this.contexts.get(partition)!;
    const page = await context.newPage();
    this.windows.push(page);
    // A RegExp, not a function: Playwright then intercepts only matching requests. A function
    // matcher pauses every request of the IdP's pages for a round trip to the test process,
    // and a window closed mid-request (the user cancelling) could hang or break the driver.
    const target = new URL(callbackUrl);
    const matcher = new RegExp(`^${escapeRegExp(`${target.protocol}//${target.host}${target.pathname}`)}(\\?.*)?$`);
    return new Promise<CallbackRequest>((resolve, reject) => {
      const settle = settleOnce({ timeoutMs, signal, reject, cleanup: () => void page.close().catch(() => undefined) });
      page.on('close', () => settle(() => reject(new AuthCancelledError())));
      // Routing sees only the first request of a redirect chain; an IdP that answers with a
      // redirect to the callback (SAML SLO, OIDC) shows up here, as the request it becomes.
      page.on('request', (request) => {
        if (isCallbackUrl(request.url(), callbackUrl)) {
          settle(() => resolve({ method: request.method(), url: request.url(), body: request.postData() }));
        }
      });
      // The IdP's POST to the callback (SAML ACS) is answered here and never reaches a network.
      void page
        .route(matcher, async (route) => {
          const request = route.request();
          const answer = { method: request.method(), url: request.url(), body: request.postData() };
          await route.fulfill({ status: 204 }).catch(() => undefined);
          settle(() => resolve(answer));
        })
        .then(() => navigateWithoutWaiting(page, url))
        .catch(() => undefined);
    });
  }
}

/**
 * Starts a navigation without `page.goto`: goto hands back a Response object, and a window
 * closed mid-navigation (the user cancelling) can make Playwright fail on that object with
 * "not bound in the connection", breaking the test that closed it.
 */
export async function navigateWithoutWaiting(page: Page, url: string): Promise<void> {
  await page.evaluate((target) => {
    window.location.href = target;
  }, url);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Closes, but never waits more than `ms`: a page mid-redirect can make Chromium's close hang. */
export async function closeWithin(close: () => Promise<void>, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([close().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
