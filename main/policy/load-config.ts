/**
 * Reads and merges configuration layers (defaults < user settings < machine policy) and
 * validates the result. Any unreadable or invalid layer is an error: fail closed, never
 * a silent fallback to defaults.
 */
import { promises as fs } from 'node:fs';
import { porticoConfig, type PorticoConfig } from './config-schema';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly issues: string[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ConfigLayer {
  source: string;
  value: unknown;
}

export function parseConfig(layers: ConfigLayer[]): PorticoConfig {
  let merged: unknown = {};
  for (const layer of layers) {
    if (!isPlainObject(layer.value)) {
      throw new ConfigError(`${layer.source} must contain a JSON object.`, layer.source);
    }
    merged = deepMerge(merged, layer.value);
  }
  const result = porticoConfig.safeParse(merged);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    const sources = layers.map((l) => l.source).join(', ') || 'built-in defaults';
    throw new ConfigError(`The Portico configuration is invalid (${sources}).`, sources, issues);
  }
  return result.data;
}

/** Reads a JSON layer; a missing optional file yields null. */
export async function readConfigLayer(file: string, optional: boolean): Promise<ConfigLayer | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`Portico could not read its configuration file ${file}.`, file, [String(error)]);
  }
  try {
    return { source: file, value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON.`, file, [(error as Error).message]);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype
  );
}

/** Objects merge key by key; arrays and scalars from later layers replace earlier ones. */
function deepMerge(base: unknown, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(over)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw new ConfigError(`The configuration key "${key}" is not allowed.`, 'configuration');
    }
    out[key] = isPlainObject(value) ? deepMerge(out[key], value) : value;
  }
  return out;
}
