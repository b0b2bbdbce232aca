/**
 * Keys set by IT's machine policy are locked: the UI shows "Set by your administrator" and
 * IPC refuses to change them. A key is named by its dot path (`session.persistSession`).
 * Locks follow the merge in load-config: objects merge key by key, so only the leaves a
 * policy sets win over the user's settings and are locked; an array is one leaf (it replaces
 * the user's array whole: `providers.oidc`); an empty object sets nothing and locks nothing.
 * Generic on purpose: any key added to the schema is lockable without a change here.
 */
import { isPlainObject } from './json-value';
import type { ConfigLayer } from './load-config';

/** Keys about the file itself, not settings. */
const META_KEYS = new Set(['$schema']);

/** The dot paths of the leaves a JSON value sets (arrays and scalars are leaves), sorted. */
export function leafKeys(value: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, at: string[]): void => {
    if (isPlainObject(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (at.length === 0 && META_KEYS.has(key)) continue;
        walk(child, [...at, key]);
      }
      return;
    }
    if (at.length > 0) out.push(at.join('.'));
  };
  walk(value, []);
  return [...new Set(out)].sort();
}

/** The keys locked by the policy layers (a union if there are several), sorted. */
export function lockedKeys(layers: readonly ConfigLayer[]): string[] {
  const keys = layers.filter((layer) => layer.kind === 'policy').flatMap((layer) => leafKeys(layer.value));
  return [...new Set(keys)].sort();
}

/**
 * True when changing `path` would change a locked key: `path` is locked itself, lies inside
 * a locked key (`providers.oidc.0.clientId` inside `providers.oidc`), or contains one
 * (`session` contains `session.persistSession`). Compared segment by segment, so
 * `session.idle` does not match `session.idleMinutes`.
 */
export function isLocked(locked: Iterable<string>, path: string | readonly string[]): boolean {
  const target = typeof path === 'string' ? splitPath(path) : path;
  if (target.length === 0) return [...locked].length > 0;
  for (const key of locked) {
    const segments = splitPath(key);
    const shorter = Math.min(segments.length, target.length);
    let same = true;
    for (let i = 0; i < shorter; i++) {
      if (segments[i] !== target[i]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

/** The locked keys at or under `path` (e.g. to mark the fields of one settings section). */
export function lockedUnder(locked: Iterable<string>, path: string): string[] {
  const prefix = splitPath(path);
  return [...locked].filter((key) => {
    const segments = splitPath(key);
    return segments.length >= prefix.length && prefix.every((segment, i) => segments[i] === segment);
  });
}

function splitPath(path: string): string[] {
  return path === '' ? [] : path.split('.');
}
