import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertNoSecrets,
  collectDiagnostics,
  formatSupportBundle,
  readConfigurationState,
  runDiagnostics,
  secretsOf,
  type DiagnosticsInput,
} from '../../../../main/diagnostics';
import { SafeStorageKeyProtector } from '../../../../main/vault/safe-storage-key-protector';
import { tempDir, testKeychain } from '../../helpers';
import { closedPortOrigin, discoveryHandler, serve } from './servers';

const CLIENT_SECRET = 'oidc-Client-Secret-8f2b61d0c4';
const PROXY_USER = 'proxyuser-7a1';
const PROXY_PASSWORD = 'Pr0xy-P@ss-91x';
const PRIVATE_KEY =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
const CERTIFICATE = `-----BEGIN CERTIFICATE-----\n${'B'.repeat(64)}\n-----END CERTIFICATE-----`;

/** A machine: user settings and a PORTICO_POLICY file in a temp folder (no machine policy there). */
async function machine(policy: unknown, user: unknown = {}) {
  const root = await tempDir();
  const userData = path.join(root, 'userData');
  await fs.mkdir(userData);
  await fs.writeFile(path.join(userData, 'config.json'), JSON.stringify(user));
  const policyFile = path.join(root, 'policy.json');
  await fs.writeFile(policyFile, typeof policy === 'string' ? policy : JSON.stringify(policy));
  const env: NodeJS.ProcessEnv = {
    ProgramData: path.join(root, 'ProgramData'),
    PORTICO_POLICY: policyFile,
    HTTPS_PROXY: `http://${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}@proxy.corp.test:8080`,
    NO_PROXY: '127.0.0.1,localhost',
  };
  return { root, userData, policyFile, env };
}

function providersPolicy(oidcIssuer: string, samlOrigin: string) {
  return {
    localAccounts: { enabled: false },
    session: { persistSession: true },
    providers: {
      oidc: [{ id: 'corp', displayName: 'Corp SSO', issuer: oidcIssuer, clientId: 'portico', clientSecret: CLIENT_SECRET }],
      saml: [
        {
          id: 'entra',
          displayName: 'Entra',
          idpSsoUrl: `${samlOrigin}/tenant/saml2`,
          idpEntityId: 'https://sts.windows.net/tenant/',
          idpCertificates: [CERTIFICATE],
          signing: { privateKey: PRIVATE_KEY, certificate: CERTIFICATE },
        },
      ],
    },
  };
}

async function inputFor(m: Awaited<ReturnType<typeof machine>>): Promise<DiagnosticsInput> {
  return {
    app: { version: '1.2.3' },
    versions: { node: '22.20.0', electron: '45.4.1', chrome: '142.0.0.0' },
    platform: 'win32',
    arch: 'x64',
    osRelease: '10.0.26100',
    configuration: await readConfigurationState(m.userData, 'win32', m.env),
    keyStorage: { backend: 'safe-storage:win32', refusal: null },
    env: m.env,
  };
}

describe('collectDiagnostics', () => {
  it('reports versions, sources, locked keys, key storage, proxy and each provider', async () => {
    const oidc = await serve(discoveryHandler());
    const samlIdp = await serve((_req, res) => res.writeHead(200).end('ok'));
    // The person's settings may only tighten (a shorter idle time here).
    const m = await machine(providersPolicy(oidc.origin, samlIdp.origin), { session: { idleMinutes: 10 } });
    const report = await collectDiagnostics(await inputFor(m));

    expect(report.format).toBe('portico-diagnostics/1');
    expect(report.versions).toEqual({
      app: '1.2.3',
      electron: '45.4.1',
      chrome: '142.0.0.0',
      node: '22.20.0',
      platform: 'win32',
      arch: 'x64',
      osRelease: '10.0.26100',
    });
    expect(report.configuration.valid).toBe(true);
    expect(report.configuration.error).toBeNull();
    expect(report.configuration.sources).toEqual([
      {
        file: path.join(m.userData, 'config.json'),
        kind: 'user',
        origin: 'user-data',
        status: 'read',
        keys: ['session.idleMinutes'],
      },
      {
        file: m.policyFile,
        kind: 'policy',
        origin: 'PORTICO_POLICY',
        status: 'read',
        keys: ['localAccounts.enabled', 'providers.oidc', 'providers.saml', 'session.persistSession'],
      },
    ]);
    expect(report.configuration.lockedKeys).toEqual([
      'localAccounts.enabled',
      'providers.oidc',
      'providers.saml',
      'session.persistSession',
    ]);
    expect(report.keyStorage).toEqual({ backend: 'safe-storage:win32', refused: false, reason: null });
    expect(report.proxy.variables.map((v) => v.name)).toEqual(['HTTPS_PROXY', 'NO_PROXY']);

    expect(report.providers).toHaveLength(2);
    const [entra, corp] = report.providers;
    expect(entra).toMatchObject({ id: 'entra', type: 'saml', url: `${samlIdp.origin}/`, result: 'ok', status: 200 });
    expect(corp).toMatchObject({
      id: 'corp',
      type: 'oidc',
      url: `${oidc.origin}/.well-known/openid-configuration`,
      result: 'ok',
      reachable: true,
      status: 200,
      clockSkewTooLarge: false,
      clientSecretConfigured: true,
      proxyFromEnvironment: null,
    });
    expect(Math.abs(corp?.clockSkewSeconds ?? 99)).toBeLessThanOrEqual(2);
    expect(report.findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'oidc-client-secret',
        message: expect.stringMatching(/not secret in a desktop app/),
      }),
    ]);
  });

  it('never contains a client secret, private key or proxy credentials, in the JSON or the bundle', async () => {
    const oidc = await serve(discoveryHandler());
    const m = await machine(providersPolicy(oidc.origin, await closedPortOrigin()));
    const input = await inputFor(m);
    const report = await collectDiagnostics(input);
    const json = JSON.stringify(report);
    const bundle = formatSupportBundle(report);
    for (const text of [json, bundle]) {
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain(PROXY_PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PROXY_PASSWORD));
      expect(text).not.toContain(PROXY_USER);
      expect(text).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7');
      expect(text).not.toMatch(/PRIVATE KEY/);
      assertNoSecrets(text, secretsOf(input));
    }
    expect(json).toContain('http://[redacted]@proxy.corp.test:8080');
    expect(secretsOf(input)).toEqual(expect.arrayContaining([CLIENT_SECRET, PRIVATE_KEY, PROXY_PASSWORD, PROXY_USER]));
  });

  it('scrubs a secret that slipped into a message (a server echoing it back)', async () => {
    // A discovery document naming an "issuer" that happens to be the secret: the detail would quote it.
    const oidc = await serve(discoveryHandler({ issuer: `https://idp.test/${CLIENT_SECRET}` }));
    const m = await machine(providersPolicy(oidc.origin, await closedPortOrigin()));
    const report = await collectDiagnostics(await inputFor(m));
    const corp = report.providers.find((p) => p.id === 'corp');
    expect(corp?.result).toBe('invalid-response');
    expect(corp?.detail).toContain('https://idp.test/[redacted]');
    expect(JSON.stringify(report)).not.toContain(CLIENT_SECRET);
  });

  it('flags a clock more than five minutes off, and an unreachable provider', async () => {
    const oidc = await serve(discoveryHandler({ date: new Date(Date.now() - 9 * 60_000) }));
    const m = await machine(providersPolicy(oidc.origin, await closedPortOrigin()));
    const report = await collectDiagnostics(await inputFor(m), { timeoutMs: 2000 });
    const corp = report.providers.find((p) => p.id === 'corp');
    expect(corp).toMatchObject({ result: 'ok', clockSkewTooLarge: true });
    expect(corp?.clockSkewSeconds).toBeLessThan(-530);
    const codes = report.findings.map((f) => `${f.severity}:${f.code}`);
    expect(codes).toEqual(
      expect.arrayContaining(['error:clock-skew', 'error:provider-unreachable', 'warning:oidc-client-secret']),
    );
    const skew = report.findings.find((f) => f.code === 'clock-skew');
    expect(skew?.message).toMatch(/9 min .*ahead of Corp SSO .*SAML and OIDC sign-ins will fail/);
    expect(report.providers.find((p) => p.id === 'entra')).toMatchObject({ result: 'connection-refused', reachable: false });
  });

  it('reports an invalid policy: which file, which key, attributed to the administrator; no provider is checked', async () => {
    const m = await machine({ session: { persistSession: 'yes' }, localAccount: {} });
    const report = await collectDiagnostics(await inputFor(m));
    expect(report.configuration.valid).toBe(false);
    expect(report.configuration.error).toMatchObject({
      file: m.policyFile,
      origin: 'policy',
      keys: ['session.persistSession', 'localAccount'],
    });
    expect(report.providers).toEqual([]);
    expect(report.findings[0]).toMatchObject({ severity: 'error', code: 'policy-invalid' });
    expect(report.findings[0]?.message).toContain(m.policyFile);
    const bundle = formatSupportBundle(report);
    expect(bundle).toContain('Configuration: INVALID');
    expect(bundle).toContain('session.persistSession:');
    expect(bundle).toContain('Not checked: the configuration is invalid.');
  });

  it('reports a policy that is not JSON, and a PORTICO_POLICY naming a missing file', async () => {
    const broken = await machine('{ "session": ');
    const report = await collectDiagnostics(await inputFor(broken));
    expect(report.configuration.sources.map((s) => s.status)).toEqual(['read', 'error']);
    expect(report.configuration.error).toMatchObject({ file: broken.policyFile, origin: 'policy' });

    const missing = await machine({});
    await fs.rm(missing.policyFile);
    const second = await collectDiagnostics(await inputFor(missing));
    expect(second.configuration.error?.message).toContain('does not exist');
  });
});

describe('formatSupportBundle', () => {
  it('gives a readable summary, then the JSON report', async () => {
    const oidc = await serve(discoveryHandler());
    const samlIdp = await serve((_req, res) => res.writeHead(302, { location: '/x' }).end());
    const m = await machine(providersPolicy(oidc.origin, samlIdp.origin));
    const report = await collectDiagnostics(await inputFor(m));
    const bundle = formatSupportBundle(report);
    expect(bundle).toMatch(/^Portico support bundle\n/);
    expect(bundle).toContain('[warning] Corp SSO is configured with a client secret');
    expect(bundle).toContain('Portico 1.2.3; Electron 45.4.1; Chrome 142.0.0.0; Node 22.20.0');
    expect(bundle).toContain(`policy read   ${m.policyFile} (PORTICO_POLICY)`);
    expect(bundle).toContain('Locked by policy: localAccounts.enabled, providers.oidc, providers.saml, session.persistSession');
    expect(bundle).toContain('HTTPS_PROXY=http://[redacted]@proxy.corp.test:8080 (credentials removed)');
    expect(bundle).toContain('ok: HTTP 302');
    const json = bundle.slice(bundle.indexOf('--- Report (JSON) ---') + '--- Report (JSON) ---'.length);
    expect(JSON.parse(json)).toEqual(report);
  });
});

describe('runDiagnostics', () => {
  it('asks the real OS keychain, and exits 0 when nothing is wrong', async () => {
    const oidc = await serve(discoveryHandler());
    const samlIdp = await serve((_req, res) => res.writeHead(200).end());
    const policy = providersPolicy(oidc.origin, samlIdp.origin);
    policy.providers.oidc[0] = { ...policy.providers.oidc[0]!, clientSecret: undefined as unknown as string };
    const m = await machine(JSON.parse(JSON.stringify(policy)));
    const keychain = testKeychain();
    const { report, exitCode } = await runDiagnostics({
      userData: m.userData,
      platform: 'win32',
      arch: 'x64',
      env: m.env,
      versions: process.versions,
      appVersion: '1.2.3',
      keyProtector: () => keychain,
    });
    expect(report.keyStorage).toEqual({ backend: 'os-keychain', refused: false, reason: null });
    expect(report.findings).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('reports why key storage is refused (Linux without a keyring), and exits 2', async () => {
    const m = await machine({});
    const basicText = {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(s),
      decryptString: (b: Buffer) => b.toString(),
      getSelectedStorageBackend: () => 'basic_text',
    };
    const { report, exitCode } = await runDiagnostics({
      userData: m.userData,
      platform: 'linux',
      arch: 'x64',
      env: m.env,
      versions: process.versions,
      appVersion: '1.2.3',
      keyProtector: (allowWeak) => new SafeStorageKeyProtector(basicText, path.join(m.root, 'vault.key'), 'linux', allowWeak),
    });
    expect(report.keyStorage).toMatchObject({ backend: 'safe-storage:linux:basic_text', refused: true });
    expect(report.keyStorage.reason).toMatch(/No OS keyring was found/);
    expect(report.findings).toEqual([expect.objectContaining({ severity: 'error', code: 'key-storage-refused' })]);
    expect(exitCode).toBe(2);

    // Allowed by policy: accepted, and still said.
    await fs.writeFile(m.policyFile, JSON.stringify({ security: { allowWeakKeyStorage: true } }));
    const allowed = await runDiagnostics({
      userData: m.userData,
      platform: 'linux',
      arch: 'x64',
      env: m.env,
      versions: process.versions,
      appVersion: '1.2.3',
      keyProtector: (allowWeak) => new SafeStorageKeyProtector(basicText, path.join(m.root, 'vault.key'), 'linux', allowWeak),
    });
    expect(allowed.report.keyStorage.refused).toBe(false);
    expect(allowed.report.findings).toEqual([expect.objectContaining({ severity: 'warning', code: 'key-storage-weak' })]);
    expect(allowed.exitCode).toBe(0);
  });
});
