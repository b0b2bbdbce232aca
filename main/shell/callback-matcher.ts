/** Whether a request URL is the auth flow's callback endpoint: same scheme, host, port, path. */
export function isCallbackUrl(requestUrl: string, callbackUrl: string): boolean {
  try {
    const a = new URL(requestUrl);
    const b = new URL(callbackUrl);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}
