/** Where configuration layers live. IT's machine policy overrides the user's settings. */
import path from 'node:path';
import type { ConfigLayer } from './policy/load-config';
import { readConfigLayer } from './policy/load-config';

export function machinePolicyPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32') return path.join(env.ProgramData ?? 'C:\\ProgramData', 'Portico', 'policy.json');
  if (platform === 'darwin') return '/Library/Application Support/Portico/policy.json';
  return '/etc/portico/policy.json';
}

/**
 * Layers, lowest precedence first: `<userData>/config.json`, then the file named by
 * PORTICO_CONFIG (must exist if set), then the machine policy.
 */
export async function readConfigLayers(
  userData: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): Promise<ConfigLayer[]> {
  const layers = [
    await readConfigLayer(path.join(userData, 'config.json'), true),
    env.PORTICO_CONFIG ? await readConfigLayer(path.resolve(env.PORTICO_CONFIG), false) : null,
    await readConfigLayer(machinePolicyPath(platform, env), true),
  ];
  return layers.filter((layer): layer is ConfigLayer => layer !== null);
}
