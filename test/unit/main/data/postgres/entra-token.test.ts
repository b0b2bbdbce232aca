/**
 * The `entra-token` method, Portico's side, end to end: a real OIDC provider (oidc-provider)
 * signs the person in through Chromium, Portico keeps the refresh token in the vault, and a
 * team dataset's connection asks the provider for an access token with the database scope and
 * sends it as the password. The database's check of that token is Azure's; here a local
 * PostgreSQL role whose password the test sets to the issued token stands in for it
 * (`azureAccepts` below), named as the stand-in it is.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcProviderConfig } from '../../../../../main/auth/oidc/oidc-config';
import { OidcRelyingParty } from '../../../../../main/auth/oidc/oidc-relying-party';
import { SsoService } from '../../../../../main/auth/sso-service';
import { datasetSecurityConfig } from '../../../../../main/data/data-config';
import { DbCredentialStore } from '../../../../../main/data/postgres/credential-store';
import { EntraTokenSource } from '../../../../../main/data/postgres/entra-token-source';
import { ENTRA_DB_SCOPE, postgresSourceConfig } from '../../../../../main/data/postgres/postgres-config';
import {
  PostgresDataset,
  type DbTokenSource,
  type Person,
  type PostgresDatasetConfig,
} from '../../../../../main/data/postgres/postgres-dataset';
import type { AuthSurface, CallbackRequest } from '../../../../../main/platform';
import { chromiumLaunchOptions } from '../../../../host/chromium';
import { signInAtOidcProvider, waitForRequest } from '../../../../idp/oidc/browser-login';
import { startOidcProvider, type OidcTestProvider, type OidcTestUser } from '../../../../idp/oidc/oidc-provider';
import { silentLog, testTokenStore } from '../../auth/oidc/integration/support';
import { expectAppError } from '../../../../unit/helpers';
import { rowsIn, startTeamDb, teamOrdersConfig, type TeamDb } from './team-db';

let browser: Browser;
let provider: OidcTestProvider;
let db: TeamDb;
beforeAll(async () => {
  [browser, provider, db] = await Promise.all([
    chromium.launch({ ...chromiumLaunchOptions(), headless: true }),
    startOidcProvider({ style: 'keycloak', extraScopes: [ENTRA_DB_SCOPE] }),
    startTeamDb(800),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([provider?.stop(), db?.pg.stop()]);
});

const user = (name: string): OidcTestUser => provider.users.find((u) => u.username === name)!;

function providerConfig() {
  return oidcProviderConfig.parse({
    id: 'corp',
    displayName: 'Corp Entra',
    preset: 'keycloak',
    issuer: provider.issuer,
    clientId: provider.clientId,
    // As for Entra: the database's scope next to the sign-in's (one resource per request).
    scopes: ['openid', 'profile', 'email', 'offline_access', ENTRA_DB_SCOPE],
    emailRoles: { [user('bob').email]: ['viewer'], [user('alice').email]: ['viewer'] },
  });
}

/** The provider's login page in Chromium, as the auth window would show it. */
class ChromiumAuthSurface implements AuthSurface {
  constructor(private readonly who: OidcTestUser) {}
  async open(options: Parameters<AuthSurface['open']>[0]): Promise<CallbackRequest> {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const redirected = waitForRequest(page, options.callbackUrl, { timeoutMs: 20_000 });
      void page.goto(options.url).catch(() => undefined);
      await signInAtOidcProvider(page, this.who.username, this.who.password);
      return { method: 'GET', url: await redirected, body: null };
    } finally {
      await context.close();
    }
  }
  async clearPartition(): Promise<void> {}
}

/**
 * STAND-IN for Azure's token check: Azure Database for PostgreSQL validates the Entra token it
 * is sent. Here the person's database role gets the token as its password, ahead of the
 * connection (PostgreSQL reads a role's password when a login starts, before the client
 * answers): the test asks the token source first, as Portico's connection will, and records it.
 */
async function azureAccepts(tokens: DbTokenSource, person: Person, role: string, issued: string[]): Promise<void> {
  const token = await tokens.accessToken(person, 'corp', ENTRA_DB_SCOPE);
  if (issued.includes(token)) return;
  issued.push(token);
  await db.pg.sql(`ALTER ROLE "${role}" PASSWORD '${token.replaceAll("'", "''")}'`);
}

/** Counts the tokens Portico's connections asked for (one per new connection). */
function counting(inner: DbTokenSource, asked: string[]): DbTokenSource {
  return {
    async accessToken(person, providerId, scope) {
      const token = await inner.accessToken(person, providerId, scope);
      asked.push(token);
      return token;
    },
  };
}

describe('entra-token: the Entra sign-in’s access token as the database password', () => {
  it('connects as the person’s UPN with a token for the database scope, fresh for new connections after expiry', async () => {
    const bob = user('bob');
    // The person's database role, named as they sign in (Azure: pgaadauth_create_principal), AMER and APAC.
    await db.pg.sql(`CREATE ROLE "${bob.email}" LOGIN IN ROLE team_reader;
      INSERT INTO portico_sec.principals VALUES ('${bob.email}', '6f1c2b0e-0000-4000-8000-0000000000b0')`);
    const setup = await testTokenStore();
    const sso = new SsoService({
      saml: [],
      oidc: [providerConfig()],
      surface: new ChromiumAuthSurface(bob),
      browser: null,
      oidcStore: setup.store,
      log: silentLog,
    });
    const identity = await sso.signIn('corp');
    await sso.flush();
    sso.stopRefresh();
    const keptBefore = setup.store.load()!;
    expect(keptBefore.refreshToken).toBeTruthy();

    let now = Date.now();
    const rp = new OidcRelyingParty(providerConfig());
    const tokens = new EntraTokenSource({ store: setup.store, issuer: (id) => (id === 'corp' ? rp : null), now: () => now });
    const issued: string[] = [];
    const asked: string[] = [];
    const raw = teamOrdersConfig(db, { source: { auth: { method: 'entra-token', provider: 'corp' } } });
    const config = {
      ...raw,
      source: postgresSourceConfig.parse(raw.source),
      security: datasetSecurityConfig.parse({}),
    } as PostgresDatasetConfig;
    const log = { info: () => undefined, error: () => undefined };
    const dataset = new PostgresDataset(config, {
      credentials: new DbCredentialStore(setup.vault),
      tokens: counting(tokens, asked),
      log,
      queryMs: 30_000,
      exportStepMs: 60_000,
      exportAllowed: false,
    });
    const person: Person = {
      userId: `corp:${identity.subject}`,
      sessionId: 'entra-session',
      principal: { username: identity.username, email: bob.email, roles: ['viewer'], groups: [], permissions: ['data.read'] },
    };
    await azureAccepts(tokens, person, bob.email, issued);
    const summary = await dataset.summary(person);
    expect(summary.connection).toMatchObject({ method: 'entra-token', state: 'connected', username: bob.email });
    const view = { datasetId: 'team-orders', filters: [], search: '', sort: [] };
    const page = await dataset.page(person, { ...view, offset: 0, limit: 1000 });
    expect(page.rows).toHaveLength(rowsIn(['AMER', 'APAC'], 800));
    expect(issued).toHaveLength(1);
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked)).toEqual(new Set(issued));
    // The provider rotates refresh tokens: the kept one was replaced, so the sign-in stays usable.
    expect(setup.store.load()!.refreshToken).not.toBe(keptBefore.refreshToken);
    // Nothing of the token in what the window gets.
    expect(JSON.stringify([summary, page])).not.toContain(issued[0]);

    // New connections while the token is fresh reuse it; past its expiry a new one is asked for.
    await dataset.closeSession(person.sessionId);
    asked.length = 0;
    await dataset.page(person, { ...view, offset: 0, limit: 5 });
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked)).toEqual(new Set([issued[0]]));
    now += 2 * 3600_000;
    await dataset.closeSession(person.sessionId);
    await azureAccepts(tokens, person, bob.email, issued);
    expect(issued).toHaveLength(2);
    expect(issued[1]).not.toBe(issued[0]);
    asked.length = 0;
    await dataset.page(person, { ...view, offset: 0, limit: 5 });
    expect(new Set(asked)).toEqual(new Set([issued[1]]));
    await dataset.close();
  });

  it('never uses another person’s kept sign-in, and says so when there is none', async () => {
    const setup = await testTokenStore();
    const rp = new OidcRelyingParty(providerConfig());
    const tokens = new EntraTokenSource({ store: setup.store, issuer: () => rp });
    const alice: Person = {
      userId: 'corp:someone-else',
      sessionId: 's',
      principal: { username: 'alice', email: user('alice').email, roles: ['viewer'], groups: [], permissions: ['data.read'] },
    };
    await expectAppError(tokens.accessToken(alice, 'corp', ENTRA_DB_SCOPE), 'DATA_CONNECT_REQUIRED');
    await setup.store.save({
      providerId: 'corp',
      sub: user('bob').sub,
      refreshToken: 'bobs-refresh-token',
      idToken: null,
      identity: {
        subject: user('bob').sub,
        username: 'bob',
        displayName: 'Bob',
        roles: ['viewer'],
        groups: [],
        verifiedEmail: null,
      },
      confirmedAt: Date.now(),
    });
    // Bob's kept sign-in is in the vault; Alice's session must not get a token from it.
    await expectAppError(tokens.accessToken(alice, 'corp', ENTRA_DB_SCOPE), 'DATA_CONNECT_REQUIRED');
    // A refused refresh token is a clear refusal, not a crash.
    const bob: Person = { ...alice, userId: `corp:${user('bob').sub}` };
    await expectAppError(tokens.accessToken(bob, 'corp', ENTRA_DB_SCOPE), 'DATA_CREDENTIAL_REJECTED');
  });
});
