/**
 * createApp: builds Portico's services from the platform ports and registers every IPC
 * handler from the contract. No electron import: the same function runs in the Electron
 * main process and in the Node test host.
 */
import path from 'node:path';
import { channels, type AppStatus, type ChannelName } from '../preload/contract';
import { AppError } from './errors';
import { IpcRegistry } from './ipc/registry';
import type { AppIdentity, AuthSurface, Clock, KeyProtector, Logger, Paths, SaveDialog, SystemBrowser } from './platform';
import { systemClock } from './platform';
import type { PorticoConfig } from './policy/config-schema';
import { parseConfig, type ConfigLayer } from './policy/load-config';
import { LocalAccounts } from './auth/local/local-accounts';
import { firstRunPolicy } from './auth/local/first-run';
import { SessionManager, type Session } from './session/session-manager';
import { Vault } from './vault/vault';
import { describeStartupError } from './startup-errors';
import { setupAppHandlers } from './app-handlers';
import { setupLocalAuthHandlers } from './auth/local/local-auth-handlers';
import { setupUserAdminHandlers } from './auth/local/user-admin-handlers';
import { setupAccountHandlers } from './auth/local/account-handlers';
import { SignInFlow } from './auth/local/sign-in-flow';
import { setupSessionHandlers } from './session/session-handlers';
import { createAuthorizer } from './session/authorize';
import { SsoService } from './auth/sso-service';
import { setupSsoHandlers, ssoUserId, startSsoSession } from './auth/sso-handlers';
import { OidcTokenStore } from './auth/oidc/oidc-token-store';
import { oidcConfigWarnings } from './auth/oidc/oidc-config';
import { VaultSessionStore } from './session/vault-session-store';
import { LastSignInStore } from './session/last-sign-in';
import { LockMarker } from './session/lock-marker';
import { SsoPeople } from './auth/sso-people';
import { AUDIT_FILE, AuditLog, logAnchorReport } from './audit/audit-log';
import { anchoringFromVault } from './audit/audit-anchor';
import { SyslogForwarder } from './audit/audit-forward';
import { auditEventFor } from './audit/ipc-audit';
import { setupAuditHandlers } from './audit/audit-handlers';
import type { AuditEvent } from './audit/audit-record';
import { lockedKeys } from './policy/locked-keys';
import { recordConfigurationChange } from './policy/config-change';
import { mappingsSetByPolicy, RoleMappingStore } from './auth/role-mapping';
import { setupRoleMappingHandlers } from './auth/role-mapping-handlers';
import { setupDiagnosticsHandlers } from './diagnostics/diagnostics-handlers';
import { DataStartup, setupDataHandlers } from './data';
import { DataHub } from './data/data-hub';
import { TeamData } from './data/team-data';
import { DbCredentialStore } from './data/postgres/credential-store';
import { EntraTokenSource } from './data/postgres/entra-token-source';
import { OidcRelyingParty } from './auth/oidc/oidc-relying-party';

export type { Logger } from './platform';

export interface AppPorts {
  identity: AppIdentity;
  paths: Paths;
  /** Chosen after the configuration is known (e.g. whether weak storage is allowed). */
  keyProtector: (config: PorticoConfig) => KeyProtector;
  /** Configuration layers, lowest precedence first (user settings, then machine policy). */
  configLayers: () => Promise<ConfigLayer[]>;
  /** Where SSO sign-ins run; null where no window can be opened (SSO then reports unavailable). */
  authSurface?: AuthSurface | null;
  /** The user's browser, for system-browser sign-in (OIDC; Google always). */
  systemBrowser?: SystemBrowser | null;
  /** Where the user saves exports and support bundles; null where no dialog can open. */
  saveDialog?: SaveDialog | null;
  /** The process environment (proxy settings for diagnostics); default process.env. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  log?: Logger;
}

export interface PorticoApp {
  registry: IpcRegistry<Session>;
  status(): AppStatus;
  config: PorticoConfig | null;
  /** Waits for pending writes (the kept session, audit records); call before quitting. */
  flush(): Promise<void>;
  /** Closes any open sign-in window. */
  cancelSignIn(): void;
  /**
   * At quit, after flush: saves the sign-in counters kept in memory, and stops the data engine's
   * worker (also while it is still starting).
   */
  close(): Promise<void>;
  /**
   * Resolves once the data engine has opened the datasets or failed to start (tests,
   * benchmarks): createApp does not wait for it, and the data channels answer DATA_LOADING until then.
   */
  dataSettled(): Promise<void>;
  /**
   * The command-line way back for a locked-out administrator (main/recovery-cli.ts): a new
   * password, the lockout cleared, and two-step verification removed if it was set up; audited.
   * Throws AppError when it cannot be done.
   */
  recoverAdministrator(username: string, password: string): Promise<{ secondFactorRemoved: boolean }>;
}

export interface Services {
  config: PorticoConfig;
  vault: Vault;
  accounts: LocalAccounts;
  sessions: SessionManager;
  sso: SsoService;
  keyStorage: string;
  protector: KeyProtector;
  audit: AuditLog;
  roleMapping: RoleMappingStore;
  /**
   * The data service, started in the background once the IPC registry is up: its channels answer
   * DATA_LOADING until the datasets are open, DATA_UNAVAILABLE if it could not start.
   */
  data: DataHub;
  /** Dot paths set by the machine policy: shown as "Set by your administrator", never changed. */
  locked: string[];
  /** How someone last signed in here (the sign-in screen fills it in). */
  lastSignIn: LastSignInStore;
  /** A local sign-in past its password, waiting for its second factor or a new password. */
  signInFlow: SignInFlow;
}

export async function createApp(ports: AppPorts): Promise<PorticoApp> {
  const clock = ports.clock ?? systemClock;
  const log = ports.log ?? { info: () => undefined, error: () => undefined };
  let services: Services | null = null;
  let status: AppStatus;
  let keyStorage = 'unavailable';
  let signInNotice: string | null = null;
  // Audit writes run beside what they record (calls, timeouts); flush() waits for them (quit, tests).
  const pending = new Set<Promise<void>>();
  const track = (write: Promise<void>) => {
    pending.add(write);
    void write.finally(() => pending.delete(write));
  };

  try {
    const layers = await ports.configLayers();
    const config = parseConfig(layers);
    const locked = lockedKeys(layers);
    const protector = ports.keyProtector(config);
    keyStorage = protector.backend;
    const vault = await Vault.open({ dir: path.join(ports.paths.userData), protector });
    const accounts = new LocalAccounts(
      vault,
      {
        minPasswordLength: config.localAccounts.minPasswordLength,
        argon2: config.localAccounts.argon2,
        maxFailures: config.localAccounts.maxFailures,
        lockoutMs: config.localAccounts.lockoutMinutes * 60_000,
        backoffBaseMs: config.localAccounts.backoffBaseMs,
        maxAttemptsPerMinute: config.localAccounts.maxAttemptsPerMinute,
        rolePermissions: config.access.rolePermissions,
        firstRun: firstRunPolicy(config),
      },
      clock,
    );
    const sessions = new SessionManager(clock, {
      lockMs: config.session.lockAfterMinutes * 60_000,
      idleMs: config.session.idleMinutes * 60_000,
      absoluteMs: config.session.absoluteHours * 3600_000,
      recentSignInMs: config.session.recentSignInMinutes * 60_000,
      rolePermissions: config.access.rolePermissions,
    });
    // Records carry a MAC and the log's head is kept in the vault: a log cut or rewritten while
    // Portico was not running is reported at this start.
    const audit = await AuditLog.open(path.join(ports.paths.userData, AUDIT_FILE), {
      clock,
      retentionDays: config.audit.retentionDays,
      anchoring: anchoringFromVault(vault),
      ...(config.audit.forward && { forward: new SyslogForwarder(config.audit.forward.syslog, log) }),
    });
    if (audit.opened.broken) log.error('The audit log is broken (altered or damaged); see the Audit log screen', {});
    logAnchorReport(audit.opened.anchor, log);
    const retention = audit.opened.retention;
    if (retention?.error)
      log.error('Audit log retention failed; the log carries on in its current file', { error: retention.error });
    for (const kept of retention?.kept ?? []) log.error('Audit archive kept past its retention (not intact)', kept);
    await audit.append({ actor: null, action: 'app.start', outcome: 'success', details: { version: ports.identity.version } });
    // A configuration that differs from the last start's (policy, settings, defaults) is audited.
    await recordConfigurationChange(config, vault, (event) => audit.append(event));
    const roleMapping = new RoleMappingStore(vault, config.providers, mappingsSetByPolicy(layers));
    const sessionStore = new VaultSessionStore(vault, log);
    if (config.session.persistSession) await sessions.persistWith(sessionStore, sessionStore.load());
    else await sessionStore.clear();
    for (const provider of config.providers.oidc.filter((p) => p.clientSecret)) {
      // A desktop app cannot keep a secret (RFC 8252 8.5): accepted for IdPs that insist, but said.
      log.info('OIDC provider configured with a client secret, which is not secret in a desktop app', { provider: provider.id });
    }
    // E.g. multi-tenant Entra ID without allowedTenants: any organization's accounts can sign in.
    for (const provider of config.providers.oidc) {
      for (const warning of oidcConfigWarnings(provider)) log.info(warning, { provider: provider.id });
    }
    // One kept OIDC sign-in, read by sign-in/refresh and by the team-data token source alike.
    const oidcStore = new OidcTokenStore(vault);
    const sso = new SsoService({
      saml: config.providers.saml,
      oidc: config.providers.oidc,
      surface: ports.authSurface ?? null,
      browser: ports.systemBrowser ?? null,
      oidcStore,
      clock,
      log,
      mappingFor: (providerId) => roleMapping.mappingFor(providerId),
      keepIdpSignIn: config.session.keepIdpSignIn,
      people: new SsoPeople(vault, () => clock.now()),
    });
    // Policy no longer keeps the sign-in window's IdP cookies: what an earlier start kept goes.
    await sso.forgetKeptPartitionsUnlessAllowed();
    const lastSignIn = new LastSignInStore(vault, config.session.rememberLastSignIn);
    await lastSignIn.forgetUnlessAllowed();
    const lockMarker = new LockMarker(vault);
    // Team datasets with `entra-token`: the person's Entra access token for the database, from
    // their kept OIDC sign-in (a relying party per provider, made when first needed).
    const relyingParties = new Map<string, OidcRelyingParty>();
    const entraTokens = new EntraTokenSource({
      store: oidcStore,
      issuer: (id) => {
        const provider = config.providers.oidc.find((p) => p.id === id);
        if (!provider) return null;
        if (!relyingParties.has(id)) relyingParties.set(id, new OidcRelyingParty(provider));
        return relyingParties.get(id)!;
      },
      log,
    });
    // Local datasets (DuckDB, in the background) and team datasets (PostgreSQL, per person).
    const data = new DataHub(
      new DataStartup({ config: config.data, userDataDir: ports.paths.userData, log }),
      new TeamData({ config: config.data, credentials: new DbCredentialStore(vault), tokens: entraTokens, log }),
    );
    const signInFlow = new SignInFlow({
      accounts,
      sessions,
      clock,
      mfa: config.localAccounts.mfa,
      rolePermissions: config.access.rolePermissions,
    });
    services = {
      config,
      vault,
      accounts,
      sessions,
      sso,
      keyStorage,
      protector,
      audit,
      roleMapping,
      locked,
      data,
      lastSignIn,
      signInFlow,
    };
    // A kept OIDC sign-in the IdP refused (at launch or later) is audited with the reason.
    sso.onKeptSignInRefused = (refusal) => {
      const event: AuditEvent = {
        actor: refusal.username,
        action: 'auth.session-expired',
        outcome: 'success',
        target: refusal.providerId,
        details: {
          reason: 'idp-refused-refresh',
          during: refusal.during,
          refusal: refusal.code,
          detail: refusal.detail.slice(0, 200),
        },
      };
      track(appendAudit(audit, event, log));
    };
    // A kept OIDC sign-in is refreshed silently: straight to the app, or a reason to sign in again.
    const restored = await sso.restore();
    const kept = sessions.check();
    if (restored && 'identity' in restored) {
      if (kept.state !== 'active' && kept.state !== 'locked') {
        // Locked when Portico last ran: quitting and starting again must not open it.
        const wasLocked = lockMarker.lockedFor() === ssoUserId(restored.identity);
        const session = startSsoSession(sessions, restored.identity);
        if (wasLocked) sessions.lock();
        await audit.append({
          actor: session.user.username,
          action: 'auth.sign-in',
          outcome: 'success',
          details: { method: 'oidc', provider: restored.identity.providerId, restored: true },
        });
      } else if (kept.state === 'active' && kept.session.user.id === ssoUserId(restored.identity)) {
        // A session kept across the restart (persistSession) gets the roles the IdP just confirmed.
        sessions.updateRoles(restored.identity.roles, restored.identity.groups);
      }
    }
    if (restored && 'notice' in restored) {
      // The IdP did not confirm the kept sign-in: a session kept across the restart for it ends too.
      const ref = kept.state === 'active' || kept.state === 'locked' ? kept.session.sso : null;
      if (ref?.protocol === 'oidc' && ref.providerId === restored.signIn.providerId && ref.sub === restored.signIn.sub)
        sessions.end();
      signInNotice = restored.notice;
    }
    sessions.onStart = (session) => {
      signInNotice = null;
      track(
        lastSignIn
          .remember(session.user)
          .catch((error: unknown) => log.error('Could not remember the sign-in', { error: String(error) })),
      );
      // Someone proved who they are: no earlier lock stands (a restored session is locked again just after).
      track(lockMarker.set(null).catch(() => undefined));
      // A new sign-in: no connection of an earlier session to a team database stays open.
      void data.team.closeOtherSessions(null);
    };
    // A person's team-database connections end with their session (sign-out, timeout).
    sessions.onEnd = (session) => {
      void data.team.closeSession(session.id);
      entraTokens.forget(session.user.id);
      track(lockMarker.set(null).catch(() => undefined));
    };
    // Locked (idle): audited; remembered, so that a restart does not open a restored sign-in.
    sessions.onLock = (session) => {
      // Locked: the person's team-database connections close (reopened after unlock).
      void data.team.closeSession(session.id);
      track(lockMarker.set(session.user.id).catch(() => undefined));
      const event: AuditEvent = { actor: session.user.username, action: 'auth.session-locked', outcome: 'success' };
      track(appendAudit(audit, event, log));
    };
    sessions.onUnlock = () => track(lockMarker.set(null).catch(() => undefined));
    sessions.onExpired = (session, reason) => {
      void data.team.closeSession(session.id);
      entraTokens.forget(session.user.id);
      const event: AuditEvent = {
        actor: session.user.username,
        action: 'auth.session-expired',
        outcome: 'success',
        details: { reason },
      };
      track(appendAudit(audit, event, log));
    };
    // The IdP refused to refresh the sign-in while Portico ran (revoked, no longer allowed):
    // audited by onKeptSignInRefused, the session ends with the reason.
    sso.onSignInLost = (notice) => {
      sessions.end();
      signInNotice = notice;
    };
    // A refresh while Portico runs confirmed the sign-in: the session gets the roles it now has.
    sso.onSignInConfirmed = (identity) => {
      const current = sessions.check();
      if (current.state === 'active' && current.session.user.id === ssoUserId(identity))
        sessions.updateRoles(identity.roles, identity.groups);
    };
    // First run asks for a local administrator, unless IT turned local accounts off or
    // configured single sign-on (its groups then decide who administers Portico): first-run.ts.
    status = accounts.isFirstRun() ? { state: 'needs-setup' } : { state: 'ready' };
    log.info('Portico started', { keyStorage, users: Object.keys(vault.read().users).length });
  } catch (error) {
    status = describeStartupError(error);
    log.error('Portico cannot start', { code: status.state === 'error' ? status.code : 'unknown' });
  }

  const ready = services;
  const authorizer = ready ? createAuthorizer(ready) : () => null;
  const registry = new IpcRegistry<Session>({
    appOrigin: ports.identity.origin,
    authorize: authorizer,
    onInternalError: (channel, error) => log.error('IPC handler failed', { channel, error: String(error) }),
    onOutcome: ready
      ? ({ channel, input, session, result }) => {
          // A refused call ran as nobody; the user still signed in made it.
          const actor = (session?.user ?? ready.sessions.activeUser())?.username ?? null;
          const knownUsername = (typed: string) => ready.accounts.knownUsername(typed);
          const pendingUsername = ready.signInFlow.pendingUsername();
          const event = auditEventFor({ channel, input, result, actor, knownUsername, pendingUsername });
          if (event) track(appendAudit(ready.audit, event, log));
        }
      : undefined,
  });

  const getStatus = (): AppStatus =>
    ready && status.state === 'needs-setup' && ready.accounts.hasUsers() ? (status = { state: 'ready' }) : status;

  setupAppHandlers(registry, {
    identity: ports.identity,
    status: getStatus,
    keyStorage: () => keyStorage,
    minPasswordLength: () => ready?.config.localAccounts.minPasswordLength ?? 12,
    localAccountsEnabled: () => ready?.config.localAccounts.enabled ?? false,
    providers: () => ready?.sso.list() ?? [],
    signInNotice: () => signInNotice,
    lastSignIn: () => ready?.lastSignIn.get() ?? null,
  });
  if (ready) {
    setupLocalAuthHandlers(registry, ready);
    setupSessionHandlers(registry, ready);
    setupUserAdminHandlers(registry, ready);
    setupAccountHandlers(registry, ready);
    setupSsoHandlers(registry, ready);
    setupAuditHandlers(registry, ready);
    setupDiagnosticsHandlers(registry, {
      userData: ports.paths.userData,
      appVersion: ports.identity.version,
      platform: ports.identity.platform as NodeJS.Platform,
      env: ports.env ?? process.env,
      protector: ready.protector,
      saveDialog: ports.saveDialog ?? null,
      now: () => clock.now(),
    });
    setupRoleMappingHandlers(registry, {
      roleMapping: ready.roleMapping,
      rolePermissions: ready.config.access.rolePermissions,
      data: ready.data,
      permissionsOf: (session) => ready.sessions.permissions(session),
    });
    setupDataHandlers(registry, {
      data: ready.data,
      sessions: ready.sessions,
      authorize: (access) => authorizer(access),
      saveDialog: ports.saveDialog ?? null,
      config: ready.config.data,
      team: ready.data.team,
    });
    // Nothing in the data (a dataset on a stalled share, a pipe) may hold up the start: the
    // engine opens in the background, its channels answering DATA_LOADING meanwhile.
    void ready.data.start();
  } else {
    // Fail closed: every other channel answers with the reason the app cannot start.
    for (const channel of Object.keys(channels) as ChannelName[]) {
      if (registry.registeredChannels().includes(channel)) continue;
      registry.handle(channel, () => {
        throw new AppError('APP_UNAVAILABLE', status.state === 'error' ? status.message : 'Portico is not available.');
      });
    }
  }
  return {
    registry,
    status: getStatus,
    config: ready?.config ?? null,
    flush: async () => {
      await ready?.sso.flush();
      await ready?.sessions.flush();
      await ready?.accounts.flush();
      await Promise.all(pending);
    },
    cancelSignIn: () => ready?.sso.cancel(),
    recoverAdministrator: async (username, password) => {
      if (!ready) throw new AppError('APP_UNAVAILABLE', status.state === 'error' ? status.message : 'Portico is not available.');
      if (!ready.config.localAccounts.enabled) {
        throw new AppError(
          'PERMISSION_DENIED',
          'Local accounts are turned off by your IT department: administrators come from single sign-on.',
        );
      }
      const { user, secondFactorRemoved } = await ready.accounts.recoverAdministrator(username, password);
      await ready.audit.append({
        actor: '(account recovery)',
        action: 'users.reset-password',
        outcome: 'success',
        target: user.username,
        details: { method: 'command-line recovery', secondFactorRemoved },
      });
      return { secondFactorRemoved };
    },
    close: async () => {
      // Sign-in failure counters not yet in the vault (see throttle-state.ts).
      await ready?.accounts.close();
      await ready?.data.close();
      await ready?.audit.close();
    },
    dataSettled: () => ready?.data.settled() ?? Promise.resolve(),
  };
}

/** Audit writes never block or fail the call they record; a failed write is logged (and seen by verify). */
function appendAudit(audit: AuditLog, event: AuditEvent, log: Logger): Promise<void> {
  return audit.append(event).then(
    () => undefined,
    (error: unknown) => log.error('Audit log write failed', { action: event.action, error: String(error) }),
  );
}
