/** Every example policy in docs/examples is a valid machine policy (same parse as Portico at launch). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/policy/load-config';

const EXAMPLES = path.resolve(__dirname, '../../../docs/examples');
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
const load = (file: string) => JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as Record<string, unknown>;
const parse = (file: string) => parseConfig([{ source: file, value: load(file), kind: 'policy' }]);

describe('docs/examples', () => {
  it('has an example per identity provider, and one for local accounts only', () => {
    for (const idp of ['entra-saml', 'entra-oidc', 'okta', 'google', 'keycloak', 'auth0', 'descope', 'local-only']) {
      expect(files).toContain(`policy-${idp}.json`);
    }
  });

  it.each(files)('%s is a valid policy that points editors at the generated schema', (file) => {
    expect(() => parse(file)).not.toThrow();
    expect(load(file).$schema).toBe('../policy.schema.json');
  });

  it('configures the provider its name says, with the matching preset, and no local accounts beside SSO', () => {
    const oidc = (file: string) => parse(file).providers.oidc[0]!;
    expect(parse('policy-entra-saml.json').providers.saml[0]!.idpSsoUrl).toMatch(/^https:\/\/login\.microsoftonline\.com\//);
    expect(oidc('policy-entra-oidc.json').preset).toBe('entra');
    expect(oidc('policy-okta.json').preset).toBe('okta');
    expect(oidc('policy-google.json')).toMatchObject({ preset: 'google', mode: 'system-browser' });
    expect(oidc('policy-keycloak.json').preset).toBe('keycloak');
    expect(oidc('policy-auth0.json').preset).toBe('auth0');
    expect(oidc('policy-descope.json').preset).toBe('descope');
    const local = parse('policy-local-only.json');
    expect(local.providers.saml).toEqual([]);
    expect(local.providers.oidc).toEqual([]);
    expect(local.localAccounts.enabled).toBe(true);
    for (const file of files.filter((f) => f !== 'policy-local-only.json')) {
      expect(parse(file).localAccounts.enabled, file).toBe(false);
    }
  });

  it('turns the generated sample dataset off: it is a demo, not for production', () => {
    for (const file of files) {
      expect((load(file).data as { sample?: { enabled?: unknown } } | undefined)?.sample?.enabled, file).toBe(false);
      expect(parse(file).data.sample.enabled, file).toBe(false);
    }
  });

  it('holds no private key and no real-looking certificate (IT pastes its own)', () => {
    for (const file of files) {
      const text = readFileSync(path.join(EXAMPLES, file), 'utf8');
      expect(text, file).not.toMatch(/PRIVATE KEY|MII[A-Za-z0-9+/]{20,}/);
    }
  });
});
