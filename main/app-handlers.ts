import type { AppInfo, AppStatus, LastSignIn, ProviderSummary } from '../preload/contract';
import type { IpcRegistry } from './ipc/registry';
import type { AppIdentity } from './platform';

export interface AppInfoSource {
  identity: AppIdentity;
  status: () => AppStatus;
  keyStorage: () => string;
  minPasswordLength: () => number;
  localAccountsEnabled: () => boolean;
  providers: () => ProviderSummary[];
  signInNotice: () => string | null;
  lastSignIn: () => LastSignIn | null;
}

export function setupAppHandlers<S>(registry: IpcRegistry<S>, source: AppInfoSource): void {
  registry.handle('app:get-info', function handleGetAppInfo(): AppInfo {
    return {
      name: 'Portico',
      version: source.identity.version,
      platform: source.identity.platform,
      status: source.status(),
      keyStorage: source.keyStorage(),
      passwordPolicy: { minLength: source.minPasswordLength() },
      localAccountsEnabled: source.localAccountsEnabled(),
      providers: source.providers(),
      signInNotice: source.signInNotice(),
      lastSignIn: source.lastSignIn(),
    };
  });
}
