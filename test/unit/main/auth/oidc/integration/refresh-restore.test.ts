/**
 * SECURITY.md (OIDC): refresh tokens stored only encrypted, rotation persisted, invalid_grant
 * wipes the token and asks for sign-in. Also what SsoService.restore() does at launch when the
 * IdP cannot be reached (maxOfflineHours 0 and > 0). A real vault (OS keychain) holds the store;
 * each "launch" is a new SsoService on the same store, as in the app.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OidcSignIn } from '../../../../../../main/auth/oidc/oidc-sign-in';
import { OidcTokenStore, type StoredOidcSignIn } from '../../../../../../main/auth/oidc/oidc-token-store';
import { SsoService } from '../../../../../../main/auth/sso-service';
import { Vault } from '../../../../../../main/vault/vault';
import { ROGUE_OP_SUB, startRogueOp, type RogueOp } from '../../../../../idp/oidc/rogue-op';
import { FakeClock } from '../../../../helpers';
import {
  expectRefusal,
  FetchingAuthSurface,
  rogueConfig,
  rogueRp,
  silentLog,
  testTokenStore,
  tokenRequests,
  withAdminRole,
  ADMIN_CLAIM,
} from './support';

const started: SsoService[] = [];
const ops: RogueOp[] = [];

afterEach(async () => {
  for (const sso of started.splice(0)) sso.stopRefresh();
  await Promise.all(ops.splice(0).map((op) => op.stop()));
});

/** A rogue OP of this test's own (some tests stop it). */
async function freshOp(): Promise<RogueOp> {
  const op = await startRogueOp({ idToken: withAdminRole });
  ops.push(op);
  return op;
}

type Setup = Awaited<ReturnType<typeof testTokenStore>>;

/** One app launch: an SsoService over the kept store. */
function launch(op: RogueOp, setup: Setup, options: { maxOfflineHours?: number; clock?: FakeClock } = {}): SsoService {
  const sso = new SsoService({
    saml: [],
    oidc: [rogueConfig(op, { maxOfflineHours: options.maxOfflineHours ?? 0 })],
    surface: new FetchingAuthSurface(),
    browser: null,
    oidcStore: setup.store,
    ...(options.clock ? { clock: options.clock } : {}),
    log: silentLog,
  });
  started.push(sso);
  return sso;
}

/** Signs in (window mode) and returns what was kept. */
async function signedIn(op: RogueOp, setup: Setup, clock?: FakeClock): Promise<StoredOidcSignIn> {
  const sso = launch(op, setup, { clock });
  const identity = await sso.signIn('rogue');
  await sso.flush(); // the refresh token is written beside the session start
  expect(identity).toMatchObject({ subject: ROGUE_OP_SUB, roles: ['admin'] });
  const kept = setup.store.load();
  if (!kept) throw new Error('nothing kept after sign-in');
  return kept;
}

describe('refresh token rotation', () => {
  it('a refresh at launch replaces the kept refresh token, on disk; the spent one is refused afterwards', async () => {
    const op = await freshOp();
    const setup = await testTokenStore();
    const first = await signedIn(op, setup);
    const restored = await launch(op, setup).restore();
    expect(restored).toMatchObject({ identity: { subject: ROGUE_OP_SUB, roles: ['admin'] } });
    const refreshes = tokenRequests(op).filter((form) => form.get('grant_type') === 'refresh_token');
    expect(refreshes.map((form) => form.get('refresh_token'))).toEqual([first.refreshToken]);
    const second = setup.store.load();
    expect(second?.refreshToken).toBeTruthy();
    expect(second?.refreshToken).not.toBe(first.refreshToken);
    // Persisted: the vault opened again from disk (a restart) has the new token.
    const reopened = new OidcTokenStore(await Vault.open({ dir: setup.dir, protector: setup.protector }));
    expect(reopened.load()?.refreshToken).toBe(second?.refreshToken);
    // Stored encrypted: neither token appears in the vault's files.
    for (const name of await fs.readdir(setup.dir)) {
      const bytes = await fs.readFile(path.join(setup.dir, name));
      expect(bytes.includes(first.refreshToken)).toBe(false);
      expect(bytes.includes(second!.refreshToken)).toBe(false);
    }
    // The OP spent the old token: only the persisted one works from now on.
    const spent = await expectRefusal(rogueRp(op).refresh(first.refreshToken, ROGUE_OP_SUB), 'OIDC_PROVIDER_ERROR');
    expect(spent.detail).toContain('invalid_grant');
    await expect(rogueRp(op).refresh(second!.refreshToken, ROGUE_OP_SUB)).resolves.toMatchObject({
      claims: { sub: ROGUE_OP_SUB },
    });
  });

  it('a refresh answering for another subject is refused: OIDC_USERINFO', async () => {
    const op = await freshOp();
    const setup = await testTokenStore();
    const kept = await signedIn(op, setup);
    await expectRefusal(rogueRp(op).refresh(kept.refreshToken, 'someone-else'), 'OIDC_USERINFO');
  });

  it('a refresh whose ID token has a wrong at_hash is refused: OIDC_ID_TOKEN', async () => {
    const op = await freshOp();
    const setup = await testTokenStore();
    const kept = await signedIn(op, setup);
    op.setOptions({ tokenResponse: (body) => ({ ...body, access_token: `${String(body.access_token)}x` }) });
    await expectRefusal(rogueRp(op).refresh(kept.refreshToken, ROGUE_OP_SUB), 'OIDC_ID_TOKEN');
  });
});

describe('restore at launch', () => {
  it('invalid_grant (the refresh token is no longer valid at the OP): store cleared, notice says the sign-in ended', async () => {
    const op = await freshOp();
    const setup = await testTokenStore();
    const kept = await signedIn(op, setup);
    // The OP no longer honours it (here: spent elsewhere; rotation makes it one-time).
    await rogueRp(op).refresh(kept.refreshToken, ROGUE_OP_SUB);
    const restored = await launch(op, setup).restore();
    expect(restored).toEqual({
      notice: 'Your sign-in with Rogue OP has ended (it was revoked or expired). Sign in again.',
      signIn: { providerId: 'rogue', sub: ROGUE_OP_SUB },
    });
    expect(setup.store.load()).toBeNull();
  });

  it('IdP unreachable, maxOfflineHours 0: notice "could not reach", no identity, the kept sign-in is left for a later retry', async () => {
    const op = await freshOp();
    const setup = await testTokenStore();
    const kept = await signedIn(op, setup);
    await op.stop();
    const restored = await launch(op, setup, { maxOfflineHours: 0 }).restore();
    expect(restored).toEqual({
      notice: 'Portico could not reach Rogue OP to confirm your sign-in. Check your network connection and sign in again.',
      signIn: { providerId: 'rogue', sub: ROGUE_OP_SUB },
    });
    // Kept as it was (still encrypted in the vault): the next launch tries the refresh again;
    // a network failure is not a refusal, so it does not end the sign-in at the IdP.
    expect(setup.store.load()).toEqual(kept);
  });

  it('a refresh the IdP answers but Portico refuses is never taken for "offline", even with maxOfflineHours', async () => {
    const op = await freshOp();
    const setup = await testTokenStore();
    await signedIn(op, setup);
    // The refreshed ID token's at_hash no longer matches its access token: an answer, refused.
    op.setOptions({ tokenResponse: (body) => ({ ...body, access_token: `${String(body.access_token)}x` }) });
    const restored = await launch(op, setup, { maxOfflineHours: 1 }).restore();
    expect(restored).toMatchObject({ notice: expect.stringContaining('Sign in again.') });
    expect(restored).not.toHaveProperty('identity');
    expect(JSON.stringify(restored)).not.toContain('could not reach');
    expect(setup.store.load()).toBeNull();
  });

  it('IdP unreachable, maxOfflineHours 1: the identity last confirmed is restored within the hour, not after', async () => {
    const clock = new FakeClock(Date.now());
    const op = await freshOp();
    const setup = await testTokenStore();
    const kept = await signedIn(op, setup, clock);
    expect(kept.confirmedAt).toBe(clock.now());
    await op.stop();
    clock.advance(30 * 60_000);
    const offline = await launch(op, setup, { maxOfflineHours: 1, clock }).restore();
    expect(offline).toMatchObject({
      identity: { protocol: 'oidc', providerId: 'rogue', subject: ROGUE_OP_SUB, roles: ['admin'] },
    });
    expect(setup.store.load()).toEqual(kept);
    clock.advance(31 * 60_000);
    const expired = await launch(op, setup, { maxOfflineHours: 1, clock }).restore();
    expect(expired).toEqual({
      notice: 'Portico could not reach Rogue OP to confirm your sign-in. Check your network connection and sign in again.',
      signIn: { providerId: 'rogue', sub: ROGUE_OP_SUB },
    });
  });
});

describe('sign-out', () => {
  it('revokes the refresh token at the OP, forgets it, and asks for end-session', async () => {
    const op = await freshOp();
    const setup = await testTokenStore();
    const kept = await signedIn(op, setup);
    const surface = new FetchingAuthSurface();
    const signIn = new OidcSignIn(rogueConfig(op), { surface, browser: null, store: setup.store, now: Date.now });
    await signIn.signOut(() => undefined);
    expect(setup.store.load()).toBeNull();
    const revocation = op.requests.find((r) => r.path === '/revoke');
    expect(new URLSearchParams(revocation?.body).get('token')).toBe(kept.refreshToken);
    expect(op.requests.some((r) => r.path === '/logout')).toBe(true);
  });
});

describe('emails for row scopes', () => {
  it('an email claim without email_verified: true is not taken as the user’s email (nOAuth)', async () => {
    const op = await startRogueOp({
      idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], email: 'ceo@corp.test' }),
    });
    ops.push(op);
    const setup = await testTokenStore();
    const identity = await launch(op, setup).signIn('rogue');
    expect(identity).toMatchObject({ email: 'ceo@corp.test', verifiedEmail: null });
    const verifiedOp = await startRogueOp({
      idToken: (ctx) => ctx.signRs256({ ...ctx.claims, roles: [ADMIN_CLAIM], email: 'Pat@Corp.test', email_verified: true }),
    });
    ops.push(verifiedOp);
    const other = await testTokenStore();
    const verifying = launch(verifiedOp, other);
    const verified = await verifying.signIn('rogue');
    await verifying.flush();
    expect(verified.verifiedEmail).toBe('pat@corp.test');
    // Kept with the sign-in: a restore at the next launch has it too.
    expect((await launch(verifiedOp, other).restore()) as { identity: { verifiedEmail: string } }).toMatchObject({
      identity: { verifiedEmail: 'pat@corp.test' },
    });
  });
});

describe('refresh while Portico runs', () => {
  it('a refreshed answer Portico refuses ends the sign-in with the reason, and forgets the token', async () => {
    const op = await freshOp();
    const setup = await testTokenStore();
    await signedIn(op, setup);
    const sso = launch(op, setup);
    expect(await sso.restore()).toMatchObject({ identity: { subject: ROGUE_OP_SUB } });
    const lost: string[] = [];
    sso.onSignInLost = (notice) => lost.push(notice);
    // The next answer carries an ID token whose at_hash does not match its access token.
    op.setOptions({ tokenResponse: (body) => ({ ...body, access_token: `${String(body.access_token)}x` }) });
    await sso.refreshKeptSignIn();
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatch(/Sign in again\.$/);
    expect(setup.store.load()).toBeNull();
  });

  it('invalid_grant ends the sign-in; an unreachable IdP does not (tried again later)', async () => {
    const op = await freshOp();
    const setup = await testTokenStore();
    await signedIn(op, setup);
    const sso = launch(op, setup);
    await sso.restore();
    const lost: string[] = [];
    sso.onSignInLost = (notice) => lost.push(notice);
    await op.stop();
    await sso.refreshKeptSignIn();
    expect(lost).toEqual([]);
    expect(setup.store.load()).not.toBeNull();

    const revoking = await freshOp();
    const other = await testTokenStore();
    await signedIn(revoking, other);
    const second = launch(revoking, other);
    await second.restore();
    second.onSignInLost = (notice) => lost.push(notice);
    await rogueRp(revoking).refresh(other.store.load()!.refreshToken, ROGUE_OP_SUB); // spends the kept token
    await second.refreshKeptSignIn();
    expect(lost).toEqual([expect.stringContaining('has ended (it was revoked or expired)')]);
    expect(other.store.load()).toBeNull();
  });
});
