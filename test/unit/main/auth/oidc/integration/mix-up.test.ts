/**
 * SECURITY.md (OIDC): a response meant for one provider arriving at another provider's flow is
 * refused (RFC 9207 `iss` where the provider sends it). Two rogue OPs, A and B, both trusting the
 * same client id (as when IT registers Portico at two IdPs); Portico runs one relying party each.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OidcRelyingParty } from '../../../../../../main/auth/oidc/oidc-relying-party';
import { ROGUE_OP_SUB, startRogueOp, type RogueOp } from '../../../../../idp/oidc/rogue-op';
import { authorize, expectRefusal, rogueConfig, tokenRequests } from './support';

let a: RogueOp;
let b: RogueOp;

beforeAll(async () => {
  [a, b] = await Promise.all([startRogueOp(), startRogueOp()]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

afterEach(() => {
  for (const op of [a, b]) {
    op.resetOptions();
    op.requests.splice(0);
  }
});

function rpFor(op: RogueOp, id: string): OidcRelyingParty {
  return new OidcRelyingParty(rogueConfig(op, { id, displayName: `OP ${id}` }));
}

/** `callback` with its query parameters replaced by `params` (a value of null removes it). */
function withParams(callback: string, params: Record<string, string | null>): string {
  const url = new URL(callback);
  for (const [name, value] of Object.entries(params)) {
    if (value === null) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  return url.href;
}

describe('mix-up between two providers', () => {
  it('positive control: each provider’s own answer, with RFC 9207 iss, is accepted', async () => {
    a.setOptions({ sendIss: true });
    b.setOptions({ sendIss: true });
    for (const [op, id] of [
      [a, 'op-a'],
      [b, 'op-b'],
    ] as const) {
      const rp = rpFor(op, id);
      const { callback, checks } = await authorize(rp);
      expect(new URL(callback).searchParams.get('iss')).toBe(op.issuer);
      await expect(rp.finishLogin(callback, checks)).resolves.toMatchObject({ claims: { iss: op.issuer, sub: ROGUE_OP_SUB } });
    }
  });

  it('A’s whole answer (code, state) delivered to B’s flow, no iss anywhere: OIDC_STATE, no token request at A or B', async () => {
    const fromA = await authorize(rpFor(a, 'op-a'));
    const rpB = rpFor(b, 'op-b');
    const flowB = await authorize(rpB);
    await expectRefusal(rpB.finishLogin(fromA.callback, flowB.checks), 'OIDC_STATE');
    expect(tokenRequests(a)).toHaveLength(0);
    expect(tokenRequests(b)).toHaveLength(0);
  });

  it('A’s whole answer with A’s iss delivered to B’s flow (B does not advertise iss): OIDC_ISSUER, no token request', async () => {
    a.setOptions({ sendIss: true });
    const fromA = await authorize(rpFor(a, 'op-a'));
    const rpB = rpFor(b, 'op-b');
    const flowB = await authorize(rpB);
    // openid-client compares a present iss whatever the discovery document says; it does so before state.
    const error = await expectRefusal(rpB.finishLogin(fromA.callback, flowB.checks), 'OIDC_ISSUER');
    expect(error.detail).toMatch(/"iss" \(issuer\) response parameter value/);
    expect(tokenRequests(a)).toHaveLength(0);
    expect(tokenRequests(b)).toHaveLength(0);
  });

  it('A’s code and iss with B’s state (the attacker knows it) at B, which sends iss: OIDC_ISSUER; A’s code never reaches B', async () => {
    a.setOptions({ sendIss: true });
    b.setOptions({ sendIss: true });
    const fromA = await authorize(rpFor(a, 'op-a'));
    const rpB = rpFor(b, 'op-b');
    const flowB = await authorize(rpB);
    const injected = withParams(flowB.callback, {
      code: new URL(fromA.callback).searchParams.get('code'),
      iss: a.issuer,
    });
    await expectRefusal(rpB.finishLogin(injected, flowB.checks), 'OIDC_ISSUER');
    expect(tokenRequests(b)).toHaveLength(0);
  });

  it('B advertises iss but the answer has none (stripped in transit): OIDC_ISSUER, no token request', async () => {
    b.setOptions({ sendIss: true });
    const rpB = rpFor(b, 'op-b');
    const { callback, checks } = await authorize(rpB);
    const error = await expectRefusal(rpB.finishLogin(withParams(callback, { iss: null }), checks), 'OIDC_ISSUER');
    expect(error.detail).toMatch(/"iss" \(issuer\) missing/);
    expect(tokenRequests(b)).toHaveLength(0);
  });

  it('an iss naming another issuer on B’s own answer: OIDC_ISSUER, no token request', async () => {
    b.setOptions({ sendIss: true });
    const rpB = rpFor(b, 'op-b');
    const { callback, checks } = await authorize(rpB);
    await expectRefusal(rpB.finishLogin(withParams(callback, { iss: a.issuer }), checks), 'OIDC_ISSUER');
    expect(tokenRequests(b)).toHaveLength(0);
  });

  it('without iss (neither OP sends it) A’s code with B’s state reaches B’s token endpoint, which refuses it: OIDC_PROVIDER_ERROR', async () => {
    // What RFC 9207 is for: without iss the client cannot tell whose code it holds. Here B's
    // one-time codes stop it; A's code was still disclosed to B.
    const fromA = await authorize(rpFor(a, 'op-a'));
    const rpB = rpFor(b, 'op-b');
    const flowB = await authorize(rpB);
    const injected = withParams(flowB.callback, { code: new URL(fromA.callback).searchParams.get('code') });
    await expectRefusal(rpB.finishLogin(injected, flowB.checks), 'OIDC_PROVIDER_ERROR');
    expect(tokenRequests(b).map((form) => form.get('code'))).toEqual([new URL(fromA.callback).searchParams.get('code')]);
    expect(tokenRequests(a)).toHaveLength(0);
  });

  it('B’s ID token claiming A as issuer is refused even with everything else right: OIDC_ISSUER', async () => {
    b.setOptions({ idToken: (ctx) => ctx.signRs256({ ...ctx.claims, iss: a.issuer }) });
    const rpB = rpFor(b, 'op-b');
    const { callback, checks } = await authorize(rpB);
    await expectRefusal(rpB.finishLogin(callback, checks), 'OIDC_ISSUER');
  });
});
