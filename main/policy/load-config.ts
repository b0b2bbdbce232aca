/**
 * Reads and merges configuration layers (defaults < user settings < machine policy) and
 * validates them. Any unreadable or invalid layer is an error: fail closed, never a silent
 * fallback to defaults. Each layer is validated on its own first, so that an error is
 * attributed to the file that holds it (IT's policy, or the user's settings), then the merge.
 */
import { promises as fs } from 'node:fs';
import type { z } from 'zod';
import { porticoConfig, type PorticoConfig } from './config-schema';

/** `user`: the user's settings (may be changed in the app). `policy`: IT's machine policy (locked). */
export type ConfigLayerKind = 'user' | 'policy';

export interface ConfigLayer {
  source: string;
  value: unknown;
  /** Absent means `user`. Only `policy` layers lock keys. */
  kind?: ConfigLayerKind;
}

/** Where an error lies: one layer of a kind, or the combination of several. */
export type ConfigErrorOrigin = ConfigLayerKind | 'combined';

export class ConfigError extends Error {
  constructor(
    message: string,
    /** The file (or, for a combined error, the files) at fault. */
    readonly source: string,
    /** One line per problem: `key.path: what is wrong`. */
    readonly issues: string[] = [],
    readonly origin: ConfigErrorOrigin = 'user',
    /** The dot paths of the keys at fault (`(root)` for the file as a whole). */
    readonly keys: string[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }

  /** True when IT's machine policy is at fault (the user cannot fix it). */
  get isPolicy(): boolean {
    return this.origin === 'policy';
  }
}

/** Keys refused anywhere in a layer: they would reach Object.prototype through a naive merge. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function describeLayerKind(kind: ConfigLayerKind | undefined): string {
  return kind === 'policy' ? 'The machine policy set by your administrator' : 'The configuration file';
}

/** Validates each layer alone, then the merge of all of them (later layers win). */
export function parseConfig(layers: ConfigLayer[]): PorticoConfig {
  for (const layer of layers) validateLayer(layer);
  let merged: Record<string, unknown> = {};
  for (const layer of layers) merged = deepMerge(merged, layer.value as Record<string, unknown>);
  const result = porticoConfig.safeParse(merged);
  if (!result.success) {
    const { issues, keys } = describeIssues(result.error);
    const sources = layers.map((l) => l.source).join(', ') || 'built-in defaults';
    const origin = layers.some((l) => l.kind === 'policy') ? 'combined' : 'user';
    throw new ConfigError(
      `The Portico configuration, combined from ${sources}, is invalid at ${keys.join(', ')}.`,
      sources,
      issues,
      origin,
      keys,
    );
  }
  return result.data;
}

/** One layer on its own: a JSON object, no forbidden keys, valid against the schema. */
export function validateLayer(layer: ConfigLayer): void {
  const kind = layer.kind ?? 'user';
  const what = `${describeLayerKind(kind)} ${layer.source}`;
  if (!isPlainObject(layer.value)) {
    throw new ConfigError(`${what} must contain a JSON object.`, layer.source, ['(root): not a JSON object'], kind, ['(root)']);
  }
  const forbidden = findForbiddenKey(layer.value, []);
  if (forbidden) {
    const key = forbidden.join('.');
    throw new ConfigError(
      `${what} uses the key "${forbidden.at(-1)}", which is not allowed (at ${key}).`,
      layer.source,
      [`${key}: this key is not allowed`],
      kind,
      [key],
    );
  }
  const result = porticoConfig.safeParse(layer.value);
  if (!result.success) {
    const { issues, keys } = describeIssues(result.error);
    throw new ConfigError(`${what} is invalid at ${keys.join(', ')}.`, layer.source, issues, kind, keys);
  }
}

/**
 * Reads a JSON layer; a missing optional file yields null. A file that exists but cannot be
 * read (a folder, no permission) is an error even when optional: it was meant to apply.
 */
export async function readConfigLayer(
  file: string,
  optional: boolean,
  kind: ConfigLayerKind = 'user',
): Promise<ConfigLayer | null> {
  const what = `${describeLayerKind(kind)} ${file}`;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return null;
    const reason = code === 'ENOENT' ? 'it does not exist' : `${code ?? String(error)}`;
    throw new ConfigError(`${what} could not be read: ${reason}.`, file, [String(error)], kind, ['(root)']);
  }
  try {
    return { source: file, value: JSON.parse(text) as unknown, kind };
  } catch (error) {
    throw new ConfigError(`${what} is not valid JSON.`, file, [describeJsonError(text, error)], kind, ['(root)']);
  }
}

/**
 * zod issues as `key.path: message` lines. An unknown key is reported at its own path (not
 * its parent's), so that IT sees the typo itself.
 */
export function describeIssues(error: z.ZodError): { issues: string[]; keys: string[] } {
  const issues: string[] = [];
  const keys: string[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const at = [...base, key].join('.');
        keys.push(at);
        issues.push(`${at}: unknown key (not part of Portico's configuration; check the spelling)`);
      }
      continue;
    }
    const at = base.join('.') || '(root)';
    keys.push(at);
    issues.push(`${at}: ${issue.message}`);
  }
  return { issues, keys: [...new Set(keys)] };
}

/**
 * The parser's complaint with its line and column, without the quoted excerpt of the file
 * that newer V8 versions add (the file may hold a client secret near the error).
 */
function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // `Unexpected token 's', ..."tSecret": s3cr3t-val"... is not valid JSON`: keep the first part.
  const bare = message.replace(/,\s*(?:\.\.\.)?".*$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '');
  const position = /at position (\d+)/.exec(message);
  if (!position) return bare;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: ${bare}`;
}

function findForbiddenKey(value: unknown, at: string[]): string[] | null {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findForbiddenKey(item, [...at, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) return [...at, key];
    const found = findForbiddenKey(child, [...at, key]);
    if (found) return found;
  }
  return null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype
  );
}

/** Objects merge key by key; arrays and scalars from later layers replace earlier ones. */
function deepMerge(base: unknown, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(over)) {
    // validateLayer refused these already; kept so that the merge is safe on its own.
    if (FORBIDDEN_KEYS.has(key)) throw new ConfigError(`The configuration key "${key}" is not allowed.`, 'configuration');
    out[key] = isPlainObject(value) ? deepMerge(out[key], value) : value;
  }
  return out;
}
