/**
 * docs/saml-idp-guide.md says what Portico really does: its example policy is one Portico accepts,
 * the values in "What goes where" are the ones its SP metadata publishes, the commands and flags
 * exist, the key it tells IT to create signs Portico's requests, and the limits and codes it names
 * are the ones in the code.
 */
import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/policy/load-config';
import { SAML_REFUSALS } from '../../../main/auth/saml/saml-errors';
import { SamlServiceProvider } from '../../../main/auth/saml/saml-service-provider';
import { BINDINGS, spMetadataXml } from '../../../main/auth/saml/sp-metadata';
import { SP_METADATA_FLAG } from '../../../main/auth/saml/sp-metadata-cli';
import { XML_LIMITS } from '../../../main/auth/saml/xml-bounds';
import { MAX_RESPONSE_BYTES } from '../../../main/auth/saml/saml-response-checks';
import { systemClock } from '../../../main/platform';

const ROOT = path.resolve(__dirname, '../../..');
const GUIDE = readFileSync(path.join(ROOT, 'docs/saml-idp-guide.md'), 'utf8');
const execFileAsync = promisify(execFile);

/** The example policy, with a real-looking certificate in place of the placeholder. */
function examplePolicy(certificate = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(120)}\n-----END CERTIFICATE-----`) {
  const block = /```json\n([\s\S]*?)```/.exec(GUIDE);
  expect(block, 'a json block in the guide').not.toBeNull();
  const text = block![1]!.replace(/<the IdP's signing certificate>/, certificate.replace(/-----[A-Z ]+-----|\n/g, ''));
  return JSON.parse(text) as { providers: { saml: Array<Record<string, unknown>> } };
}

const providerOf = (value: unknown) => parseConfig([{ source: 'guide', value, kind: 'policy' }]).providers.saml[0]!;

describe('docs/saml-idp-guide.md', () => {
  it('its example policy is a policy Portico accepts, for the provider id the guide uses', () => {
    expect(providerOf(examplePolicy()).id).toBe('corp');
  });

  it('"What goes where" names the values Portico publishes in its SP metadata', () => {
    const metadata = spMetadataXml(providerOf(examplePolicy()));
    for (const value of [
      'urn:portico:sp:corp',
      'https://portico.invalid/saml/corp/acs',
      'https://portico.invalid/saml/corp/slo',
    ]) {
      expect(GUIDE).toContain(`\`${value}\``);
      expect(metadata).toContain(`"${value}"`);
    }
    for (const binding of [BINDINGS.redirect, BINDINGS.post]) expect(metadata).toContain(`Binding="${binding}"`);
    expect(GUIDE).toMatch(/HTTP-Redirect\*\* and \*\*HTTP-POST|HTTP-Redirect \*\*and\*\* HTTP-POST/);
  });

  it('names commands and flags that exist', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['sp-metadata']).toBeDefined();
    expect(GUIDE).toContain(`Portico ${SP_METADATA_FLAG} --provider corp`);
    const cli = readFileSync(path.join(ROOT, 'main/auth/saml/sp-metadata-cli.ts'), 'utf8');
    for (const flag of ['--config', '--out', '--provider']) {
      expect(GUIDE).toContain(flag);
      expect(cli).toContain(`'${flag}'`);
    }
  });

  it('the signing key it tells IT to create signs Portico’s requests, and the metadata then carries its certificate', async () => {
    const command = /```sh\n\s*(openssl req [^\n]+)\n/.exec(GUIDE)?.[1];
    expect(command, 'the openssl command').toBeDefined();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portico-guide-'));
    try {
      const args = command!
        .split(/\s+(?=(?:[^"]*"[^"]*")*[^"]*$)/)
        .slice(1)
        .map((a) => a.replace(/^"|"$/g, ''));
      await execFileAsync('openssl', args, { cwd: dir });
      const [privateKey, certificate] = await Promise.all([
        fs.readFile(path.join(dir, 'portico-sp.key'), 'utf8'),
        fs.readFile(path.join(dir, 'portico-sp.crt'), 'utf8'),
      ]);
      const policy = examplePolicy();
      policy.providers.saml[0]!.signing = { privateKey, certificate };
      const provider = providerOf(policy);
      const { url } = await new SamlServiceProvider(provider, systemClock).createLoginRequest();
      expect(new URL(url).searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      expect(new URL(url).searchParams.get('Signature')).toBeTruthy();
      const metadata = spMetadataXml(provider);
      expect(metadata).toContain('AuthnRequestsSigned="true"');
      expect(metadata).toContain(certificate.replace(/-----[A-Z ]+-----|\s/g, ''));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('quotes the bounds Portico enforces, and only refusal codes that exist', () => {
    const bounds =
      `over ${MAX_RESPONSE_BYTES / 1024} KiB or with more than ${XML_LIMITS.elements} elements, ${XML_LIMITS.attributes} attributes, ` +
      `${XML_LIMITS.namespaceDeclarations} namespace declarations, ${XML_LIMITS.comments} XML comments or ${XML_LIMITS.cdataSections} CDATA sections`;
    expect(GUIDE.replace(/\s+/g, ' ')).toContain(bounds);
    const codes = [...GUIDE.matchAll(/`(SAML_[A-Z_]+)`/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(4);
    for (const code of codes) expect(Object.keys(SAML_REFUSALS), code).toContain(code);
  });
});
