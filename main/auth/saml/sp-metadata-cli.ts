/**
 * `Portico --sp-metadata --provider <id>` and `npm run sp-metadata -- --config <policy> --provider
 * <id>`: Portico's SAML SP metadata for one provider, on standard output (or `--out <file>`), so
 * that IT can register Portico at an IdP before anyone signs in (an IdP that wants the SP's
 * signing certificate first, for instance). Nothing is signed in, changed or kept.
 *
 * The configuration is IT's policy file given with `--config`, or, without it, what the app
 * itself reads at launch (config.json, PORTICO_CONFIG, the machine policy). Standard output
 * carries the XML alone; every message goes to standard error. Exit codes: 0 written, 1 the
 * configuration or the provider is wrong (or the file could not be written), 2 bad usage.
 */
import { promises as fs } from 'node:fs';
import type { PorticoConfig } from '../../policy/config-schema';
import { ConfigError, parseConfig, readConfigLayer } from '../../policy/load-config';
import { spMetadataXml } from './sp-metadata';

export const SP_METADATA_FLAG = '--sp-metadata';

export interface SpMetadataIo {
  /** The command's arguments (flags anywhere; Chromium's own switches are ignored). */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  /** The configuration without `--config`: the app's own layers (null: `--config` is required). */
  appConfig: (() => Promise<PorticoConfig>) | null;
  /** How the command is typed, for the usage line. */
  usage: string;
}

/** The value of `--name value` or `--name=value` in `argv`, or null; undefined when absent. */
export function flagValue(argv: readonly string[], name: string): string | null | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === name) {
      const next = argv[i + 1];
      return next === undefined || next.startsWith('--') ? null : next;
    }
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1) || null;
  }
  return undefined;
}

/** Runs the command; resolves with the process exit code. */
export async function runSpMetadata(io: SpMetadataIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  const provider = flagValue(io.argv, '--provider');
  const configFile = flagValue(io.argv, '--config');
  const out = flagValue(io.argv, '--out');
  if (!provider || configFile === null || out === null || (configFile === undefined && !io.appConfig)) {
    say(`usage: ${io.usage}`);
    return 2;
  }
  // `npm run` prints its own banner on standard output before the script starts: redirected,
  // the file would not be XML. Only npm's --silent suppresses it.
  if (!out && !io.stdout.isTTY && io.env.npm_lifecycle_event === 'sp-metadata' && io.env.npm_config_loglevel !== 'silent') {
    say('npm writes its own lines to standard output, so redirected output would not be valid XML.');
    say('Write the file with --out <file>, or run npm with --silent: npm run --silent sp-metadata -- ...');
    return 2;
  }

  let config: PorticoConfig;
  try {
    config = configFile ? parseConfig([(await readConfigLayer(configFile, false, 'policy'))!]) : await io.appConfig!();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    say(error.message);
    for (const issue of error.issues) say(`  ${issue}`);
    return 1;
  }
  const found = config.providers.saml.find((p) => p.id === provider);
  if (!found) {
    const known = config.providers.saml.map((p) => p.id).join(', ') || 'none';
    say(`No SAML provider "${provider}" in ${configFile ?? "Portico's configuration"} (SAML providers: ${known}).`);
    return 1;
  }
  const xml = spMetadataXml(found);
  if (!out) {
    io.stdout.write(xml);
    return 0;
  }
  try {
    await fs.writeFile(out, xml);
  } catch (error) {
    say(`Could not write ${out}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  say(`Wrote the SP metadata of "${provider}" to ${out}.`);
  return 0;
}
