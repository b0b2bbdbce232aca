/**
 * Reads and merges configuration layers and validates them. Any unreadable or invalid layer is
 * an error: fail closed, never a silent fallback to defaults. Each layer is validated on its
 * own first, so that an error is attributed to the file that holds it (IT's policy, or the
 * person's settings), then the combination.
 *
 * Policy layers merge over the built-in defaults (later layers win). Person's layers (`user`)
 * may only tighten the few keys listed in user-settable.ts: the effective value of such a key
 * is the strictest of the defaults-and-policy value and every user value; any other key, or a
 * looser value, in a user layer is refused naming the key.
 */
import type { z } from 'zod';
import { porticoConfig, type PorticoConfig } from './config-schema';
import { findJsonStructureProblem, MAX_JSON_DEPTH } from './json-structure';
import { isPlainObject, setValueAt, valueAt } from './json-value';
import { leafKeys, lockedKeys } from './locked-keys';
import { ConfigFileUnreadable, readConfigText } from './read-config-file';
import { describeStricter, isAtLeastAsStrict, stricterOf, userRuleFor } from './user-settable';

export { isPlainObject } from './json-value';

/** `user`: the person's own settings (may only tighten, see user-settable.ts). `policy`: IT's machine policy (locked). */
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

/**
 * Validates each layer alone, then combines them: the policy layers over the defaults (later
 * layers win), then the person's tightenings.
 */
export function parseConfig(layers: ConfigLayer[]): PorticoConfig {
  for (const layer of layers) validateLayer(layer);
  const policies = layers.filter((layer) => layer.kind === 'policy');
  const users = layers.filter((layer) => layer.kind !== 'policy');
  let merged: Record<string, unknown> = {};
  for (const layer of policies) merged = deepMerge(merged, layer.value as Record<string, unknown>);
  const floor = parseCombined(merged, policies);
  if (users.length === 0) return floor;
  const fromPolicy = new Set(lockedKeys(policies));
  const strictest = new Map<string, unknown>();
  for (const layer of users) {
    const issues: string[] = [];
    const keys: string[] = [];
    for (const key of leafKeys(layer.value)) {
      // validateLayer refused every key without a rule.
      const rule = userRuleFor(key)!;
      const value = valueAt(layer.value, key);
      const base = valueAt(floor, key);
      if (!isAtLeastAsStrict(rule, value, base)) {
        const owner = fromPolicy.has(key) ? 'your administrator’s machine policy' : 'Portico’s default';
        keys.push(key);
        issues.push(
          `${key}: ${JSON.stringify(value)} is less strict than ${JSON.stringify(base)} (${owner}); ` +
            `this file may change it ${describeStricter(rule)}. Remove the key, or ask IT to change the machine policy`,
        );
        continue;
      }
      strictest.set(key, strictest.has(key) ? stricterOf(rule, value, strictest.get(key)) : value);
    }
    if (keys.length > 0) {
      throw new ConfigError(
        `${describeLayerKind('user')} ${layer.source} loosens ${keys.join(', ')}, which only IT can loosen ` +
          '(your own settings may only make them stricter).',
        layer.source,
        issues,
        'user',
        keys,
      );
    }
  }
  for (const [key, value] of strictest) setValueAt(merged, key, value);
  return parseCombined(merged, layers);
}

/** The merged layers through the schema; an error names every file involved. */
function parseCombined(merged: Record<string, unknown>, layers: ConfigLayer[]): PorticoConfig {
  const result = porticoConfig.safeParse(merged);
  if (result.success) return result.data;
  const { issues, keys } = describeIssues(result.error);
  const sources = layers.map((l) => l.source).join(', ') || 'built-in defaults';
  const kinds = new Set(layers.map((l) => l.kind ?? 'user'));
  const origin: ConfigErrorOrigin = kinds.size > 1 ? 'combined' : kinds.has('policy') ? 'policy' : 'user';
  throw new ConfigError(
    `The Portico configuration, combined from ${sources}, is invalid at ${keys.join(', ')}.`,
    sources,
    issues,
    origin,
    keys,
  );
}

/**
 * One layer on its own: a JSON object, no forbidden keys, valid against the schema, and for a
 * person's settings, only keys they may set (their values are compared in parseConfig).
 */
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
  if (kind === 'user') {
    const itOnly = leafKeys(layer.value).filter((key) => userRuleFor(key) === null);
    if (itOnly.length > 0) {
      throw new ConfigError(
        `${what} sets ${itOnly.join(', ')}, which only IT can set (in the machine policy).`,
        layer.source,
        itOnly.map((key) => `${key}: only the machine policy may set this key; remove it from this file`),
        kind,
        itOnly,
      );
    }
  }
}

/**
 * Reads a JSON layer; a missing optional file yields null. A file that exists but cannot be
 * read (a folder, a pipe, no permission, too large, not text) is an error even when optional:
 * it was meant to apply. Nesting beyond MAX_JSON_DEPTH and a key given twice are refused.
 */
export async function readConfigLayer(
  file: string,
  optional: boolean,
  kind: ConfigLayerKind = 'user',
): Promise<ConfigLayer | null> {
  const what = `${describeLayerKind(kind)} ${file}`;
  const refuse = (message: string, issue: string, key = '(root)') => new ConfigError(message, file, [issue], kind, [key]);
  let text: string | null;
  try {
    text = await readConfigText(file);
  } catch (error) {
    if (!(error instanceof ConfigFileUnreadable)) throw error;
    throw refuse(`${what} could not be read: ${error.reason}.`, `(root): ${error.reason}`);
  }
  if (text === null) {
    if (optional) return null;
    throw refuse(`${what} could not be read: it does not exist.`, '(root): it does not exist');
  }
  const problem = findJsonStructureProblem(text);
  if (problem?.kind === 'too-deep') {
    throw refuse(
      `${what} is nested more than ${MAX_JSON_DEPTH} levels deep, which no Portico configuration needs.`,
      `line ${problem.line}, column ${problem.column}: nested more than ${MAX_JSON_DEPTH} levels deep`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    // UTF-16 without a byte order mark reads as text with a NUL between characters.
    const hint = text.includes('\u0000') ? ' It looks like UTF-16 without a byte order mark: save it as UTF-8.' : '';
    throw refuse(`${what} is not valid JSON.${hint}`, describeJsonError(text, error));
  }
  if (problem?.kind === 'duplicate-key') {
    // JSON.parse keeps the last one silently: which one IT meant cannot be known.
    throw refuse(
      `${what} sets ${problem.path} more than once.`,
      `${problem.path}: set more than once (again at line ${problem.line}, column ${problem.column}); keep one`,
      problem.path,
    );
  }
  return { source: file, value, kind };
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
