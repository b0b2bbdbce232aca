/**
 * SECURITY.md (OIDC): PKCE S256 with a fresh verifier per attempt; `state` missing, altered,
 * reused or from an older attempt is refused and no token request is made. Driven through
 * Portico's OidcRelyingParty against the rogue OP (which enforces PKCE and one-time codes).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ROGUE_OP_SUB } from '../../../../../idp/oidc/rogue-op';
import { authorize, expectRefusal, rogueRp, tokenRequests, useRogueOp } from './support';

const rogue = useRogueOp();

function withState(callback: string, state: string | null): string {
  const url = new URL(callback);
  if (state === null) url.searchParams.delete('state');
  else url.searchParams.set('state', state);
  return url.href;
}

describe('state binds the answer to the attempt', () => {
  it('positive control: the untouched answer is accepted after exactly one token request', async () => {
    const rp = rogueRp(rogue());
    const { callback, checks } = await authorize(rp);
    const tokens = await rp.finishLogin(callback, checks);
    expect(tokens.claims.sub).toBe(ROGUE_OP_SUB);
    expect(tokenRequests(rogue())).toHaveLength(1);
  });

  it('refuses an answer without state (the OP drops it): OIDC_STATE, no token request', async () => {
    rogue().setOptions({ authorize: ({ redirectUri, code }) => `${redirectUri}?code=${code}` });
    const rp = rogueRp(rogue());
    const { callback, checks } = await authorize(rp);
    expect(new URL(callback).searchParams.has('state')).toBe(false);
    await expectRefusal(rp.finishLogin(callback, checks), 'OIDC_STATE');
    expect(tokenRequests(rogue())).toHaveLength(0);
  });

  it('refuses an altered or emptied state: OIDC_STATE, no token request', async () => {
    const rp = rogueRp(rogue());
    const altered = await authorize(rp);
    await expectRefusal(rp.finishLogin(withState(altered.callback, `${altered.checks.state}x`), altered.checks), 'OIDC_STATE');
    const emptied = await authorize(rp);
    await expectRefusal(rp.finishLogin(withState(emptied.callback, ''), emptied.checks), 'OIDC_STATE');
    expect(tokenRequests(rogue())).toHaveLength(0);
  });

  it('refuses the answer of an older attempt finished with a newer attempt’s checks: OIDC_STATE, no token request', async () => {
    const rp = rogueRp(rogue());
    const older = await authorize(rp);
    const newer = await authorize(rp);
    await expectRefusal(rp.finishLogin(older.callback, newer.checks), 'OIDC_STATE');
    expect(tokenRequests(rogue())).toHaveLength(0);
    // The refusal is about binding, not about the answer: with its own checks it is accepted.
    await expect(rp.finishLogin(older.callback, older.checks)).resolves.toMatchObject({ claims: { sub: ROGUE_OP_SUB } });
    expect(tokenRequests(rogue())).toHaveLength(1);
  });

  it('refuses a replayed answer (the same callback finished twice): OIDC_STATE, no second token request', async () => {
    const rp = rogueRp(rogue());
    const { callback, checks } = await authorize(rp);
    await rp.finishLogin(callback, checks);
    expect(tokenRequests(rogue())).toHaveLength(1);
    await expectRefusal(rp.finishLogin(callback, checks), 'OIDC_STATE');
    // Checks are single-use even when the first use failed (an injected answer spends them).
    const next = await authorize(rp);
    await expectRefusal(rp.finishLogin(withState(next.callback, 'forged'), next.checks), 'OIDC_STATE');
    await expectRefusal(rp.finishLogin(next.callback, next.checks), 'OIDC_STATE');
    expect(tokenRequests(rogue())).toHaveLength(1);
  });

  it('refuses an error answer from the OP (access_denied with the right state): OIDC_PROVIDER_ERROR, no token request', async () => {
    rogue().setOptions({
      authorize: ({ redirectUri, state }) => `${redirectUri}?error=access_denied&state=${encodeURIComponent(state ?? '')}`,
    });
    const rp = rogueRp(rogue());
    const { callback, checks } = await authorize(rp);
    await expectRefusal(rp.finishLogin(callback, checks), 'OIDC_PROVIDER_ERROR');
    expect(tokenRequests(rogue())).toHaveLength(0);
  });
});

describe('PKCE S256, a fresh verifier per attempt', () => {
  it('sends S256 challenges of fresh, high-entropy verifiers (and fresh state and nonce)', async () => {
    const rp = rogueRp(rogue());
    const a = await authorize(rp);
    const b = await authorize(rp);
    for (const { authorizeUrl, checks } of [a, b]) {
      expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorizeUrl.searchParams.get('code_challenge')).toBe(
        createHash('sha256').update(checks.codeVerifier).digest('base64url'),
      );
      expect(checks.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
      expect(authorizeUrl.searchParams.get('state')).toBe(checks.state);
      expect(authorizeUrl.searchParams.get('nonce')).toBe(checks.nonce);
    }
    expect(a.authorizeUrl.searchParams.get('code_challenge')).not.toBe(b.authorizeUrl.searchParams.get('code_challenge'));
    expect(a.checks.codeVerifier).not.toBe(b.checks.codeVerifier);
    expect(a.checks.state).not.toBe(b.checks.state);
    expect(a.checks.nonce).not.toBe(b.checks.nonce);
    // The same recorded at the OP: what left Portico, not only what startLogin returned.
    const challenges = rogue()
      .requests.filter((r) => r.path === '/authorize')
      .map((r) => new URLSearchParams(r.query).get('code_challenge'));
    expect(new Set(challenges).size).toBe(2);
  });

  it('sends the attempt’s own verifier in the code exchange', async () => {
    const rp = rogueRp(rogue());
    const { callback, checks } = await authorize(rp);
    await rp.finishLogin(callback, checks);
    expect(tokenRequests(rogue())[0]?.get('code_verifier')).toBe(checks.codeVerifier);
  });

  it('a wrong verifier (another attempt’s) is refused by the OP: OIDC_PROVIDER_ERROR, no tokens', async () => {
    const rp = rogueRp(rogue());
    const other = await authorize(rp);
    const { callback, checks } = await authorize(rp);
    await expectRefusal(rp.finishLogin(callback, { ...checks, codeVerifier: other.checks.codeVerifier }), 'OIDC_PROVIDER_ERROR');
    const [exchange] = tokenRequests(rogue());
    expect(exchange?.get('code_verifier')).toBe(other.checks.codeVerifier);
    expect(tokenRequests(rogue())).toHaveLength(1);
  });
});
