/** The IT command `npm run sp-metadata`, run as IT runs it (a child process on a config file). */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers';

const ROOT = path.resolve(__dirname, '../../..');
const CERT = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(120)}\n-----END CERTIFICATE-----`;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/sp-metadata.ts', ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function configFile(value: unknown): Promise<string> {
  const file = path.join(await tempDir(), 'policy.json');
  await writeFile(file, JSON.stringify(value));
  return file;
}

const provider = {
  id: 'contoso',
  displayName: 'Contoso',
  idpSsoUrl: 'https://login.example.com/saml2',
  idpEntityId: 'https://sts.example.com/',
  idpCertificates: [CERT],
  spEntityId: 'urn:portico:sp:contoso',
  acsUrl: 'https://portico.invalid/saml/contoso/acs',
};

describe('npm run sp-metadata', () => {
  it('prints the SP metadata IT pastes into the IdP', async () => {
    const file = await configFile({ providers: { saml: [provider] } });
    const { code, stdout } = await run(['--config', file, '--provider', 'contoso']);
    expect(code).toBe(0);
    expect(stdout).toContain('entityID="urn:portico:sp:contoso"');
    expect(stdout).toMatch(
      /<AssertionConsumerService[^>]+Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"[^>]+Location="https:\/\/portico.invalid\/saml\/contoso\/acs"/,
    );
    expect(stdout).toContain('WantAssertionsSigned="true"');
  }, 30_000);

  it('says which providers exist when the id is wrong, and exits 1', async () => {
    const file = await configFile({ providers: { saml: [provider] } });
    const { code, stderr } = await run(['--config', file, '--provider', 'nope']);
    expect(code).toBe(1);
    expect(stderr).toContain('SAML providers: contoso');
  }, 30_000);

  it('names the invalid keys of a broken file, and exits 1', async () => {
    const file = await configFile({ providers: { saml: [{ ...provider, idpSsoUrl: 'http://login.example.com/' }] } });
    const { code, stderr } = await run(['--config', file, '--provider', 'contoso']);
    expect(code).toBe(1);
    expect(stderr).toContain('providers.saml.0.idpSsoUrl');
  }, 30_000);

  it('prints its usage without arguments, and exits 2', async () => {
    const { code, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: npm run sp-metadata');
  }, 30_000);
});
