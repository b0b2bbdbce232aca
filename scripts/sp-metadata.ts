/**
 * Prints Portico's SAML SP metadata for one provider of a policy file, for IT to upload to
 * Microsoft Entra ID, Okta or any SAML IdP (main/auth/saml/sp-metadata-cli.ts does the work;
 * the installed app does the same with `Portico --sp-metadata --provider <id>`):
 *
 *   npm run sp-metadata -- --config /etc/portico/policy.json --provider entra --out portico-sp.xml
 *   npm run --silent sp-metadata -- --config policy.json --provider entra > portico-sp.xml
 */
import { runSpMetadata } from '../main/auth/saml/sp-metadata-cli';

void runSpMetadata({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  appConfig: null,
  usage: 'npm run sp-metadata -- --config <policy file> --provider <provider id> [--out <file>]',
}).then((code) => (process.exitCode = code));
