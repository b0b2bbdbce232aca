import { describe, expect, it } from 'vitest';
import {
  checkProvider,
  checkProviders,
  discoveryUrl,
  providerTargets,
  type ProviderTarget,
} from '../../../../main/diagnostics/provider-checks';
import { parseConfig } from '../../../../main/policy/load-config';
import { closedPortOrigin, discoveryHandler, serve } from './servers';

const oidc = (issuer: string, id = 'corp'): ProviderTarget => ({
  id,
  type: 'oidc',
  displayName: 'Corp',
  url: discoveryUrl(issuer),
  issuer,
});
const saml = (origin: string, id = 'entra'): ProviderTarget => ({
  id,
  type: 'saml',
  displayName: 'Entra',
  url: `${origin}/`,
  clockSkewSeconds: 60,
});

describe('providerTargets', () => {
  it('checks the SAML SSO URL’s origin and the OIDC discovery document', () => {
    const config = parseConfig([
      {
        source: 'c.json',
        kind: 'policy',
        value: {
          providers: {
            saml: [
              {
                id: 'entra',
                displayName: 'Entra',
                idpSsoUrl: 'https://login.microsoftonline.com/tenant-id/saml2?x=1',
                idpEntityId: 'https://sts.windows.net/tenant-id/',
                idpCertificates: ['A'.repeat(120)],
              },
            ],
            oidc: [
              { id: 'okta', displayName: 'Okta', issuer: 'https://corp.okta.com/oauth2/default/', clientId: 'c' },
              { id: 'kc', displayName: 'KC', issuer: 'https://kc.example/realms/x', clientId: 'c', clientSecret: 'shh-secret' },
            ],
          },
        },
      },
    ]);
    expect(providerTargets(config)).toEqual([
      { id: 'entra', type: 'saml', displayName: 'Entra', url: 'https://login.microsoftonline.com/', clockSkewSeconds: 60 },
      {
        id: 'okta',
        type: 'oidc',
        displayName: 'Okta',
        url: 'https://corp.okta.com/oauth2/default/.well-known/openid-configuration',
        issuer: 'https://corp.okta.com/oauth2/default/',
        clientSecretConfigured: false,
      },
      {
        id: 'kc',
        type: 'oidc',
        displayName: 'KC',
        url: 'https://kc.example/realms/x/.well-known/openid-configuration',
        issuer: 'https://kc.example/realms/x',
        clientSecretConfigured: true,
      },
    ]);
  });
});

describe('checkProvider against a real local server', () => {
  it('reports a reachable OIDC provider: status, response time, clock skew from its Date header', async () => {
    const { origin, requests } = await serve(discoveryHandler());
    const check = await checkProvider(oidc(origin));
    expect(requests).toEqual(['/.well-known/openid-configuration']);
    expect(check).toMatchObject({ result: 'ok', reachable: true, status: 200, detail: null });
    expect(check.responseTimeMs).toBeGreaterThanOrEqual(0);
    expect(check.responseTimeMs).toBeLessThan(5000);
    expect(Math.abs(check.clock?.skewSeconds ?? 99)).toBeLessThanOrEqual(2);
    expect(check.clock?.tooLarge).toBe(false);
  });

  it('flags a server whose clock is 10 minutes ahead (this computer is behind)', async () => {
    const { origin } = await serve(discoveryHandler({ date: new Date(Date.now() + 10 * 60_000) }));
    const check = await checkProvider(oidc(origin));
    expect(check.result).toBe('ok');
    expect(check.clock?.tooLarge).toBe(true);
    expect(check.clock?.skewSeconds).toBeGreaterThanOrEqual(598);
    expect(check.clock?.skewSeconds).toBeLessThanOrEqual(601);
  });

  it('measures against the injected local clock (a computer set 7 minutes fast)', async () => {
    const { origin } = await serve(discoveryHandler());
    const check = await checkProvider(oidc(origin), { now: () => Date.now() + 7 * 60_000 });
    expect(check.clock?.tooLarge).toBe(true);
    expect(check.clock?.skewSeconds).toBeLessThanOrEqual(-418);
  });

  it('reports a server that never answers as a timeout, within the limit', async () => {
    const { origin } = await serve(() => undefined);
    const started = Date.now();
    const check = await checkProvider(oidc(origin), { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(check).toMatchObject({ result: 'timeout', reachable: false, status: null, clock: null });
    expect(check.detail).toMatch(/No answer within 0.3 s/);
  });

  it('reports a server that sends headers and then stalls the body as a timeout', async () => {
    const { origin } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"issuer":');
    });
    const check = await checkProvider(oidc(origin), { timeoutMs: 300 });
    expect(check).toMatchObject({ result: 'timeout', reachable: true, status: 200 });
  });

  it('reports a refused connection', async () => {
    const origin = await closedPortOrigin();
    const check = await checkProvider(oidc(origin));
    expect(check).toMatchObject({ result: 'connection-refused', reachable: false, status: null });
  });

  it('reports a host name that does not resolve', async () => {
    const check = await checkProvider(oidc('https://portico-diagnostics.invalid'), { timeoutMs: 3000 });
    expect(['dns-failure', 'timeout']).toContain(check.result);
    expect(check.reachable).toBe(false);
  });

  it('reports a non-2xx discovery answer as an HTTP error, with the status', async () => {
    const { origin } = await serve(discoveryHandler({ status: 404, body: 'not found' }));
    const check = await checkProvider(oidc(origin));
    expect(check).toMatchObject({ result: 'http-error', reachable: true, status: 404 });
    expect(check.detail).toMatch(/HTTP 404/);
    expect(check.clock).not.toBeNull();
  });

  it('reports a discovery document that is not JSON', async () => {
    const { origin } = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
    const check = await checkProvider(oidc(origin));
    expect(check).toMatchObject({ result: 'invalid-response', reachable: true, status: 200 });
    expect(check.detail).toMatch(/not valid JSON/);
  });

  it('reports a discovery document naming another issuer', async () => {
    const { origin } = await serve(discoveryHandler({ issuer: 'https://elsewhere.example' }));
    const check = await checkProvider(oidc(origin));
    expect(check.result).toBe('invalid-response');
    expect(check.detail).toContain('https://elsewhere.example');
  });

  it('reports a discovery document without endpoints', async () => {
    const { origin } = await serve((req, res) => res.end(JSON.stringify({ issuer: `http://${req.headers.host}` })));
    const check = await checkProvider(oidc(origin));
    expect(check.result).toBe('invalid-response');
    expect(check.detail).toMatch(/authorization_endpoint, token_endpoint, jwks_uri/);
  });

  it('counts any SAML answer below 500 as reachable, without following redirects', async () => {
    const { origin, requests } = await serve((req, res) => {
      if (req.url === '/') res.writeHead(302, { location: '/login' }).end();
      else res.writeHead(404).end();
    });
    const check = await checkProvider(saml(origin));
    expect(check).toMatchObject({ result: 'ok', reachable: true, status: 302 });
    expect(requests).toEqual(['/']);
  });

  it('reports a SAML IdP answering 503 as an HTTP error', async () => {
    const { origin } = await serve((_req, res) => res.writeHead(503).end());
    expect(await checkProvider(saml(origin))).toMatchObject({ result: 'http-error', reachable: true, status: 503 });
  });

  it('uses the injected fetch', async () => {
    const seen: string[] = [];
    const check = await checkProvider(oidc('https://idp.example'), {
      fetch: async (url) => {
        seen.push(url);
        return new Response('{}', { status: 500 });
      },
    });
    expect(seen).toEqual(['https://idp.example/.well-known/openid-configuration']);
    expect(check.status).toBe(500);
  });
});

describe('checkProviders', () => {
  it('checks providers in parallel', async () => {
    const slow = (_req: unknown, res: import('node:http').ServerResponse) => setTimeout(() => res.writeHead(200).end(), 400);
    const a = await serve(slow);
    const b = await serve(slow);
    const c = await serve(slow);
    const started = Date.now();
    const results = await checkProviders([saml(a.origin, 'a'), saml(b.origin, 'b'), saml(c.origin, 'c')]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(results.map((r) => [r.target.id, r.check.result])).toEqual([
      ['a', 'ok'],
      ['b', 'ok'],
      ['c', 'ok'],
    ]);
  });
});
