/**
 * Where configuration layers live. IT's machine policy decides every security setting; the
 * user's settings may only tighten a few (policy/user-settable.ts, applied in load-config).
 *
 * In reading order:
 * 1. `<userData>/config.json` (user settings; optional);
 * 2. the file named by PORTICO_CONFIG (user settings; must exist if set);
 * 3. the machine policy: `%ProgramData%\Portico\policy.json`,
 *    `/Library/Application Support/Portico/policy.json` or `/etc/portico/policy.json`
 *    (optional), or instead the file named by PORTICO_POLICY (must exist if set).
 *
 * PORTICO_POLICY exists for tests and for trying a policy before deploying it. It can never
 * replace a policy IT has installed: anyone can set an environment variable, so on a machine
 * with a machine policy file, a PORTICO_POLICY naming another file is refused.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ConfigLayer, ConfigLayerKind } from './policy/load-config';
import { ConfigError, readConfigLayer } from './policy/load-config';

export function machinePolicyPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32') return path.join(env.ProgramData ?? 'C:\\ProgramData', 'Portico', 'policy.json');
  if (platform === 'darwin') return '/Library/Application Support/Portico/policy.json';
  return '/etc/portico/policy.json';
}

/** One file Portico looks at for configuration. */
export interface ConfigSource {
  file: string;
  kind: ConfigLayerKind;
  /** Must exist (named by an environment variable), or may be absent. */
  required: boolean;
  /** Why this file is read: the user-data folder, an environment variable, or the machine. */
  origin: 'user-data' | 'PORTICO_CONFIG' | 'machine' | 'PORTICO_POLICY';
}

/** The files to read, lowest precedence first (read nothing). */
export function configSources(userData: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): ConfigSource[] {
  const sources: ConfigSource[] = [
    { file: path.join(userData, 'config.json'), kind: 'user', required: false, origin: 'user-data' },
  ];
  if (env.PORTICO_CONFIG) {
    sources.push({ file: path.resolve(env.PORTICO_CONFIG), kind: 'user', required: true, origin: 'PORTICO_CONFIG' });
  }
  sources.push(
    env.PORTICO_POLICY
      ? { file: path.resolve(env.PORTICO_POLICY), kind: 'policy', required: true, origin: 'PORTICO_POLICY' }
      : { file: machinePolicyPath(platform, env), kind: 'policy', required: false, origin: 'machine' },
  );
  return sources;
}

/** Reads the layers, lowest precedence first; absent optional files are left out. */
export async function readConfigLayers(
  userData: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): Promise<ConfigLayer[]> {
  await assertPolicyOverrideAllowed(platform, env);
  const layers: ConfigLayer[] = [];
  for (const source of configSources(userData, platform, env)) {
    const layer = await readConfigLayer(source.file, !source.required, source.kind);
    if (layer) layers.push(layer);
  }
  return layers;
}

/** PORTICO_POLICY may stand in for the machine policy only where IT has installed none. */
export async function assertPolicyOverrideAllowed(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.PORTICO_POLICY) return;
  const machine = machinePolicyPath(platform, env);
  if (path.resolve(env.PORTICO_POLICY) === path.resolve(machine)) return;
  const installed = await fs.lstat(machine).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  if (installed) {
    throw new ConfigError(
      `PORTICO_POLICY names ${path.resolve(env.PORTICO_POLICY)}, but your administrator has installed a machine policy ` +
        `(${machine}), which cannot be replaced. Start Portico without the PORTICO_POLICY environment variable.`,
      machine,
      [`PORTICO_POLICY: refused, the machine policy ${machine} applies`],
      'policy',
      ['(root)'],
    );
  }
}
