/**
 * The auth window in the test host: a page in its own browser context, like Electron's
 * partitions: a fresh non-persistent context for an in-memory partition, and for a persistent
 * one (`persistent: true`, policy `session.keepIdpSignIn`) a Chromium profile of its own on disk
 * in the user-data folder, `Partitions/portico-auth-<name>` as Electron lays it out, that
 * outlives a restart of the app. The IdP's request to the callback URL is caught with
 * Playwright's routing and answered locally, like webRequest.onBeforeRequest in the app. Each
 * window is pushed to `windows` so that tests can act in it (type the IdP password, close it to
 * cancel).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AuthCancelledError, type AuthSurface, type CallbackRequest } from '../../main/platform';
import { settleOnce } from '../../main/shell/settle-once';
import { isCallbackUrl } from '../../main/shell/callback-matcher';
import { idpErrorPage } from '../../main/shell/idp-error-page';

/** Where persistent partitions live, and how a profile there is opened (a Chromium of its own). */
export interface PersistentProfiles {
  /** `<user data>/Partitions`, as in Electron. */
  dir: string;
  launch(profileDir: string): Promise<BrowserContext>;
}

export class ChromiumAuthSurface implements AuthSurface {
  /** One browser context per partition (`persist:<name>` for the kept ones), like Electron's partitions. */
  private readonly contexts = new Map<string, Promise<BrowserContext>>();

  constructor(
    private readonly browser: Browser,
    readonly windows: Page[],
    private readonly profiles: PersistentProfiles | null = null,
  ) {}

  /** The profile folder of a persistent partition (Electron: `Partitions/portico-auth-<name>`). */
  profileDir(partition: string): string | null {
    return this.profiles ? path.join(this.profiles.dir, `portico-auth-${partition}`) : null;
  }

  async clearPartition(partition: string): Promise<void> {
    await Promise.all([partition, `persist:${partition}`].map((key) => this.closeContext(key)));
    const dir = this.profileDir(partition);
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }

  /** Closes a partition's context; a persistent one keeps its profile on disk (the app quitting). */
  private async closeContext(key: string): Promise<void> {
    const context = this.contexts.get(key);
    this.contexts.delete(key);
    // Bounded, like every close in the test host: a page mid-redirect must not hang sign-out.
    if (context) await closeWithin(async () => (await context).close());
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.contexts.keys()].map((key) => this.closeContext(key).catch(() => undefined)));
  }

  private contextFor(partition: string, persistent: boolean): Promise<BrowserContext> {
    const key = persistent ? `persist:${partition}` : partition;
    let context = this.contexts.get(key);
    if (!context) {
      const dir = persistent ? this.profileDir(partition) : null;
      if (persistent && !dir) throw new Error('This test host was started without a folder for persistent partitions.');
      context = dir ? this.profiles!.launch(dir) : this.browser.newContext();
      this.contexts.set(key, context);
    }
    return context;
  }

  async open({
    url,
    callbackUrl,
    timeoutMs,
    signal,
    partition,
    persistent = false,
  }: Parameters<AuthSurface['open']>[0]): Promise<CallbackRequest> {
    const context = await this.contextFor(partition, persistent);
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
      // An IdP error page (HTTP 4xx/5xx) ends the wait at once, as did-navigate does in the app.
      page.on('response', (response) => {
        const request = response.request();
        if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
        const error = idpErrorPage(response.url(), response.status(), callbackUrl);
        // Closed once the error page has loaded: closing headless Chromium's page mid-navigation can hang.
        if (error)
          void page.waitForLoadState('load').then(
            () => settle(() => reject(error)),
            () => settle(() => reject(error)),
          );
      });
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
