/**
 * Prints Portico's SAML SP metadata for one configured provider, for IT to paste into
 * Microsoft Entra ID, Okta or any SAML IdP:
 *
 *   npm run sp-metadata -- --config /etc/portico/policy.json --provider entra
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../main/platform';
import { ConfigError, parseConfig, readConfigLayer } from '../main/policy/load-config';
import { SamlServiceProvider } from '../main/auth/saml/saml-service-provider';

const USAGE = 'usage: npm run sp-metadata -- --config <portico config or policy file> --provider <provider id>';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { config: { type: 'string' }, provider: { type: 'string' } } });
  if (!values.config || !values.provider) {
    console.error(USAGE);
    return 2;
  }
  try {
    // The file IT deploys as the machine policy: providers may be set only there.
    const layer = await readConfigLayer(values.config, false, 'policy');
    const config = parseConfig(layer ? [layer] : []);
    const provider = config.providers.saml.find((p) => p.id === values.provider);
    if (!provider) {
      const known = config.providers.saml.map((p) => p.id).join(', ') || 'none';
      console.error(`No SAML provider "${values.provider}" in ${values.config} (configured: ${known}).`);
      return 1;
    }
    process.stdout.write(`${new SamlServiceProvider(provider, systemClock).metadataXml()}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    for (const issue of error.issues) console.error(`  ${issue}`);
    return 1;
  }
}

void main().then((code) => (process.exitCode = code));
