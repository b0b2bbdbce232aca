/**
 * Ports: the small interfaces through which the app reaches the platform. `main/index.ts`
 * implements them with Electron; the test host (`test/host/`) with real OS parts under Node.
 */

/** Protects the vault's random data key. */
export interface KeyProtector {
  /** Stable backend name recorded in the vault header (a change of backend is refused). */
  readonly backend: string;
  /** Throws `KeyStorageError` when the OS storage is unavailable, locked or too weak. */
  assertAvailable(): Promise<void>;
  /** The stored data key, or null when none was ever stored. */
  loadKey(): Promise<Buffer | null>;
  storeKey(key: Buffer): Promise<void>;
}

/** Where main logs (the console in Electron; tests collect lines). Never given secrets. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface Paths {
  /** Per-user data folder: the vault lives here. */
  userData: string;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A request the auth surface saw going to a callback URL (SAML ACS, OIDC redirect). */
export interface CallbackRequest {
  method: string;
  url: string;
  body: string | null;
}

/**
 * Opens an IdP URL in a dedicated auth window (no preload, sandboxed) or the system browser,
 * and resolves with the first request to `callbackUrl`.
 *
 * `partition` names the window's cookie jar: one per provider, shared by that provider's
 * windows, so that a second sign-in (unlock, an admin re-authenticating) and single logout
 * reach the same IdP session. `persistent` (policy `session.keepIdpSignIn`): the jar is kept
 * on disk in the user-data folder (Electron: `Partitions/portico-auth-<name>`, cookies
 * encrypted with the OS-protected key), so the IdP's own session outlives a restart; else it
 * lives in memory and ends with the app.
 */
export interface AuthSurface {
  open(options: {
    url: string;
    callbackUrl: string;
    timeoutMs: number;
    partition: string;
    persistent?: boolean;
    signal?: AbortSignal;
  }): Promise<CallbackRequest>;
  /** Forgets a partition's cookies and storage, in memory and on disk (sign-out, a kept sign-in ended). */
  clearPartition(partition: string): Promise<void>;
}

/** The app's own origin: `app://portico` in Electron, a routed https origin in the test host. */
export interface AppIdentity {
  origin: string;
  version: string;
  platform: string;
}

export class KeyStorageError extends Error {
  constructor(
    readonly code: 'KEY_STORAGE_UNAVAILABLE' | 'KEY_STORAGE_WEAK' | 'KEY_STORAGE_LOCKED',
    message: string,
  ) {
    super(message);
    this.name = 'KeyStorageError';
  }
}

/** The user closed the sign-in window. */
export class AuthCancelledError extends Error {
  constructor() {
    super('The sign-in window was closed.');
    this.name = 'AuthCancelledError';
  }
}

/** No answer reached the callback URL in time. */
export class AuthTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`No sign-in answer within ${Math.round(timeoutMs / 1000)} s.`);
    this.name = 'AuthTimeoutError';
  }
}

/**
 * The IdP answered the sign-in window with an HTTP error page (for example 403 or 500) instead
 * of its sign-in page: waiting would only end at the time limit. `page` is the page's origin and
 * path (no query: it may carry the SAML request or a code).
 */
export class AuthIdpErrorPageError extends Error {
  constructor(
    readonly status: number,
    readonly page: string,
  ) {
    super(`The identity provider answered HTTP ${status} at ${page}.`);
    this.name = 'AuthIdpErrorPageError';
  }
}

/** The user's default browser (system-browser sign-in, RFC 8252). */
export interface SystemBrowser {
  open(url: string): Promise<void>;
}

/** Where the user saves an export: Electron's save dialog; the test host answers with a chosen path. */
export interface SaveDialog {
  /** Resolves to an absolute path, or null when the user cancels. */
  chooseSavePath(options: {
    title: string;
    defaultName: string;
    filters: { name: string; extensions: string[] }[];
  }): Promise<string | null>;
}
