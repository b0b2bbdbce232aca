/**
 * Who sent an IPC message. Built by the host from Electron's `event.senderFrame` (or the
 * test host's Playwright frame). Only our app window's top frame, at our own origin, is
 * trusted; origins are compared after parsing with URL, never with startsWith
 * (`https://app.example.com.evil.test` is not ours).
 */
export interface IpcSender {
  /** URL of the sending frame; null when the frame is gone (navigated or destroyed). */
  url: string | null;
  /** False for iframes. */
  isMainFrame: boolean;
  /** Whether the frame belongs to a window the app created as its app window. */
  isAppWindow: boolean;
}

export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // For custom schemes such as app://portico, URL.origin is "null": build it ourselves.
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

export function isTrustedSender(sender: IpcSender, appOrigin: string): boolean {
  if (!sender.isAppWindow || !sender.isMainFrame || sender.url === null) return false;
  const origin = originOf(sender.url);
  return origin !== null && origin === originOf(appOrigin);
}
