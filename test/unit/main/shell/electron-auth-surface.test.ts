/**
 * Which Electron partition the sign-in window uses, and what sign-out clears. The Electron binary
 * cannot run here: BrowserWindow and the sessions are stand-ins (named so) that record what the
 * surface asks of them; the window's real behaviour is the test host's in e2e.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserWindow, Session } from 'electron';
import { createElectronAuthSurface } from '../../../../main/shell/electron-auth-surface';

interface StandInSession {
  name: string;
  cleared: string[];
  flushed: number;
  onRequest: ((details: { url: string; method: string }, callback: (r: { cancel?: boolean }) => void) => void) | null;
}

function standIns() {
  const sessions = new Map<string, StandInSession>();
  const windows: Array<{ partition: string; url: string; destroyed: boolean }> = [];
  const sessionFromPartition = (name: string) => {
    let s = sessions.get(name);
    if (!s) {
      const created: StandInSession = { name, cleared: [], flushed: 0, onRequest: null };
      s = created;
      sessions.set(name, created);
    }
    const state = s;
    return {
      setPermissionRequestHandler: () => undefined,
      clearStorageData: async () => void state.cleared.push('storage'),
      clearCache: async () => void state.cleared.push('cache'),
      cookies: { flushStore: async () => void state.flushed++ },
      webRequest: {
        onBeforeRequest: (_filter: unknown, listener: StandInSession['onRequest']) => {
          state.onRequest = listener;
        },
      },
    } as unknown as Session;
  };
  class BrowserWindowStandIn {
    private readonly record: { partition: string; url: string; destroyed: boolean };
    webContents = { setWindowOpenHandler: () => undefined, on: () => undefined };
    constructor(options: { webPreferences: { partition: string } }) {
      this.record = { partition: options.webPreferences.partition, url: '', destroyed: false };
      windows.push(this.record);
    }
    on() {}
    async loadURL(url: string) {
      this.record.url = url;
    }
    isDestroyed() {
      return this.record.destroyed;
    }
    destroy() {
      this.record.destroyed = true;
    }
  }
  const surface = createElectronAuthSurface({
    BrowserWindow: BrowserWindowStandIn as unknown as typeof BrowserWindow,
    sessionFromPartition,
    parent: () => null,
    devTools: false,
  });
  return { surface, sessions, windows };
}

async function signInThrough(persistent: boolean | undefined) {
  const { surface, sessions, windows } = standIns();
  const answer = surface.open({
    url: 'https://idp.example.com/sso',
    callbackUrl: 'https://portico.invalid/saml/corp/acs',
    timeoutMs: 60_000,
    partition: 'sso-corp',
    ...(persistent === undefined ? {} : { persistent }),
  });
  const session = sessions.get(windows[0]!.partition)!;
  session.onRequest!({ url: 'https://portico.invalid/saml/corp/acs', method: 'POST' }, () => undefined);
  await answer;
  return { surface, sessions, windows, session };
}

describe('the Electron sign-in window’s partition', () => {
  it('is in memory by default: no "persist:" prefix, nothing flushed to disk', async () => {
    const { windows, session } = await signInThrough(undefined);
    expect(windows[0]!.partition).toBe('portico-auth-sso-corp');
    expect(session.flushed).toBe(0);
  });

  it('kept (session.keepIdpSignIn): a "persist:" partition, its cookies flushed once the IdP answered', async () => {
    const { windows, session } = await signInThrough(true);
    expect(windows[0]!.partition).toBe('persist:portico-auth-sso-corp');
    expect(session.flushed).toBe(1);
  });

  it('sign-out clears both the kept and the in-memory partition: storage (cookies included) and cache', async () => {
    const { surface, sessions } = await signInThrough(true);
    await surface.clearPartition('sso-corp');
    expect(sessions.get('persist:portico-auth-sso-corp')!.cleared).toEqual(['storage', 'cache']);
    expect(sessions.get('portico-auth-sso-corp')!.cleared).toEqual(['storage', 'cache']);
  });
});
