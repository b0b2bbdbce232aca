/**
 * The configuration as diagnostics sees it: every file Portico looks at and what became of
 * it (read, absent, refused), the locked keys, and whether the whole is valid. Unlike the
 * app's start, this reads on after a bad file, so that one report shows every problem.
 */
import { assertPolicyOverrideAllowed, configSources, type ConfigSource } from '../config-paths';
import type { PorticoConfig } from '../policy/config-schema';
import { ConfigError, parseConfig, readConfigLayer, type ConfigLayer } from '../policy/load-config';

export interface ConfigSourceState extends ConfigSource {
  status: 'read' | 'absent' | 'error';
}

export interface ConfigurationState {
  sources: ConfigSourceState[];
  /** The layers read, lowest precedence first. */
  layers: ConfigLayer[];
  /** The validated configuration; null when any file or the merge is invalid. */
  config: PorticoConfig | null;
  /** The first problem (a ConfigError names the file and keys); null when valid. */
  error: Error | null;
}

export async function readConfigurationState(
  userData: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): Promise<ConfigurationState> {
  const sources: ConfigSourceState[] = [];
  const layers: ConfigLayer[] = [];
  let error: Error | null = null;
  const refusedOverride = await assertPolicyOverrideAllowed(platform, env).then(
    () => null,
    (e: unknown) => asError(e),
  );
  for (const source of configSources(userData, platform, env)) {
    if (refusedOverride && source.origin === 'PORTICO_POLICY') {
      sources.push({ ...source, status: 'error' });
      error ??= refusedOverride;
      continue;
    }
    try {
      const layer = await readConfigLayer(source.file, !source.required, source.kind);
      sources.push({ ...source, status: layer ? 'read' : 'absent' });
      if (layer) layers.push(layer);
    } catch (e) {
      sources.push({ ...source, status: 'error' });
      error ??= asError(e);
    }
  }
  return { sources, layers, ...configurationFromLayers(layers, error) };
}

/** Validates layers already read (the running app's), keeping an earlier read error first. */
export function configurationFromLayers(
  layers: ConfigLayer[],
  readError: Error | null = null,
): Pick<ConfigurationState, 'config' | 'error'> {
  if (readError) return { config: null, error: readError };
  try {
    return { config: parseConfig(layers), error: null };
  } catch (e) {
    return { config: null, error: asError(e) };
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new ConfigError(String(e), 'configuration');
}
