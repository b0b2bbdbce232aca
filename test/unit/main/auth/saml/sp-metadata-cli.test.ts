/**
 * SP metadata without a developer checkout and without signing in (issue 12 §3):
 * main/auth/saml/sp-metadata-cli.ts behind `Portico --sp-metadata` and `npm run sp-metadata`.
 * The function with its outputs captured, then the real npm script in a child process: what it
 * writes to standard output must be valid XML, or it must refuse and say why.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../../main/policy/load-config';
import { flagValue, runSpMetadata } from '../../../../../main/auth/saml/sp-metadata-cli';
import { generateKeyAndCertificate } from './saml-kit';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../../../..');

let dir: string;
let policyFile: string;
let policy: Record<string, unknown>;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portico-sp-metadata-'));
  const idp = await generateKeyAndCertificate('cli-test-idp');
  policy = {
    providers: {
      saml: [
        {
          id: 'corp',
          displayName: 'Corp',
          idpSsoUrl: 'https://idp.example.com/sso',
          idpEntityId: 'https://idp.example.com/',
          idpCertificates: [idp.certificatePem],
          sloUrl: 'https://idp.example.com/slo',
          groupRoles: { admins: ['admin'] },
        },
      ],
    },
  };
  policyFile = path.join(dir, 'policy.json');
  await fs.writeFile(policyFile, JSON.stringify(policy));
}, 30_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs the command with captured outputs; stdout is not a terminal (redirected) unless `tty`. */
async function run(argv: string[], options: { env?: NodeJS.ProcessEnv; tty?: boolean; appConfig?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runSpMetadata({
    argv,
    env: options.env ?? {},
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text: string) => (stderr += text) },
    appConfig: options.appConfig ? async () => parseConfig([{ source: 'app', value: policy, kind: 'policy' }]) : null,
    usage: 'test --provider <id>',
  });
  return { code, stdout, stderr };
}

function parsesAsXml(xml: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      warning: (m: string) => problems.push(m),
      error: (m: string) => problems.push(m),
      fatalError: (m: string) => problems.push(m),
    },
  }).parseFromString(xml, 'text/xml');
  expect(problems).toEqual([]);
  expect(doc.documentElement?.localName).toBe('EntityDescriptor');
  return doc;
}

describe('sp-metadata command', () => {
  it('prints the metadata of the provider from IT’s policy file, and nothing else, on standard output', async () => {
    const { code, stdout, stderr } = await run(['--config', policyFile, '--provider', 'corp']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(parsesAsXml(stdout).documentElement!.getAttribute('entityID')).toBe('urn:portico:sp:corp');
  });

  it('reads the app’s own configuration without --config (the installed app: Portico --sp-metadata)', async () => {
    const electronArgv = ['/opt/Portico/portico', '--no-sandbox', '--sp-metadata', '--provider=corp'];
    const { code, stdout } = await run(electronArgv, { appConfig: true });
    expect(code).toBe(0);
    parsesAsXml(stdout);
  });

  it('writes --out <file> and says so on standard error only', async () => {
    const out = path.join(dir, 'sp.xml');
    const { code, stdout, stderr } = await run(['--config', policyFile, '--provider', 'corp', '--out', out]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: '' });
    expect(stderr).toContain(`to ${out}`);
    parsesAsXml(await fs.readFile(out, 'utf8'));
    const unwritable = await run(['--config', policyFile, '--provider', 'corp', '--out', path.join(dir, 'missing', 'sp.xml')]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^Could not write/);
  });

  it('refuses an unknown provider, naming the configured ones (exit 1, nothing on standard output)', async () => {
    const { code, stdout, stderr } = await run(['--config', policyFile, '--provider', 'okta']);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toContain('No SAML provider "okta"');
    expect(stderr).toContain('(SAML providers: corp)');
  });

  it('refuses an invalid or missing policy with the configuration error (exit 1)', async () => {
    const broken = path.join(dir, 'broken.json');
    await fs.writeFile(broken, '{"providers": {"saml": [{"id": "corp"}]}}');
    const invalid = await run(['--config', broken, '--provider', 'corp']);
    expect({ code: invalid.code, stdout: invalid.stdout }).toEqual({ code: 1, stdout: '' });
    expect(invalid.stderr).toMatch(/idpSsoUrl/);
    const missing = await run(['--config', path.join(dir, 'nope.json'), '--provider', 'corp']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });

  it('answers bad usage with the usage line (exit 2): no provider, a flag without value, no configuration', async () => {
    for (const argv of [
      ['--config', policyFile],
      ['--config', '--provider', 'corp'],
      ['--provider', 'corp'],
    ]) {
      const { code, stdout, stderr } = await run(argv);
      expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: 'usage: test --provider <id>\n' });
    }
  });

  it('under npm without --silent, refuses to print into a redirect that npm’s banner would corrupt (exit 2)', async () => {
    const npm = { npm_lifecycle_event: 'sp-metadata' };
    const refused = await run(['--config', policyFile, '--provider', 'corp'], { env: npm });
    expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 2, stdout: '' });
    expect(refused.stderr).toContain('--out <file>');
    // On a terminal, with npm --silent, or with --out, it prints as usual.
    expect((await run(['--config', policyFile, '--provider', 'corp'], { env: npm, tty: true })).code).toBe(0);
    const silent = { ...npm, npm_config_loglevel: 'silent' };
    expect((await run(['--config', policyFile, '--provider', 'corp'], { env: silent })).code).toBe(0);
  });

  it('flagValue reads --name value and --name=value, and tells a missing value from an absent flag', () => {
    expect(flagValue(['--provider', 'corp'], '--provider')).toBe('corp');
    expect(flagValue(['--provider=corp'], '--provider')).toBe('corp');
    expect(flagValue(['--provider'], '--provider')).toBeNull();
    expect(flagValue(['--provider', '--out', 'x'], '--provider')).toBeNull();
    expect(flagValue(['--out', 'x'], '--provider')).toBeUndefined();
  });
});

describe('npm run sp-metadata (the real script, in a child process)', () => {
  // As typed in a terminal: not inside another npm script's environment.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));
  const npm = (args: string[]) =>
    execFileAsync('npm', args, { cwd: ROOT, env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );

  it('npm run --silent sp-metadata, redirected, is valid XML', async () => {
    const { code, stdout } = await npm(['run', '--silent', 'sp-metadata', '--', '--config', policyFile, '--provider', 'corp']);
    expect(code).toBe(0);
    parsesAsXml(stdout);
  }, 60_000);

  it('npm run sp-metadata, redirected, refuses and says how (its banner would make the file invalid XML)', async () => {
    const { code, stdout, stderr } = await npm(['run', 'sp-metadata', '--', '--config', policyFile, '--provider', 'corp']);
    expect(code).toBe(2);
    expect(stdout).not.toContain('<EntityDescriptor');
    expect(stderr).toContain('npm run --silent sp-metadata');
  }, 60_000);

  it('npm run sp-metadata -- --out writes valid XML', async () => {
    const out = path.join(dir, 'npm-out.xml');
    const { code } = await npm(['run', 'sp-metadata', '--', '--config', policyFile, '--provider', 'corp', '--out', out]);
    expect(code).toBe(0);
    parsesAsXml(await fs.readFile(out, 'utf8'));
  }, 60_000);
});
