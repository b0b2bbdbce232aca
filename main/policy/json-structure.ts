/**
 * Checks the structure of a JSON text before and after JSON.parse, for what JSON.parse lets
 * through or handles badly:
 * - nesting deeper than a configuration ever needs: refused before JSON.parse and before any
 *   recursive walk (forbidden keys, the schema) could exhaust the stack;
 * - a key given twice in one object: JSON.parse silently keeps the last one, so a file that
 *   reads `"enabled": false` near the top may be `true` further down. Refused instead.
 *
 * A single pass over the text that understands strings (so braces and quotes inside them do
 * not count) and nothing else: on malformed JSON its answer is not meaningful, which is why
 * the caller reports JSON.parse's syntax error before a duplicate key.
 */

/** Deeper than any Portico configuration (the deepest key is about 8 levels down). */
export const MAX_JSON_DEPTH = 64;

export type JsonStructureProblem =
  | { kind: 'too-deep'; line: number; column: number }
  /** `path`: dot path of the repeated key (array items by index), e.g. `localAccounts.maxFailures`. */
  | { kind: 'duplicate-key'; path: string; line: number; column: number };

interface ObjectFrame {
  type: 'object';
  keys: Set<string>;
  /** True after `{` or `,`: the next string is a key. */
  expectKey: boolean;
  /** The key whose value is being read. */
  key: string;
}

interface ArrayFrame {
  type: 'array';
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

/**
 * The first structural problem of a JSON text, or null. Nesting is counted before anything
 * is parsed; a duplicate key is meaningful only once JSON.parse accepted the text.
 */
export function findJsonStructureProblem(text: string, maxDepth = MAX_JSON_DEPTH): JsonStructureProblem | null {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = endOfString(text, i);
      const top = stack.at(-1);
      if (top?.type === 'object' && top.expectKey) {
        const key = decodeKey(text.slice(i, end));
        if (key !== null) {
          if (top.keys.has(key)) {
            return { kind: 'duplicate-key', path: pathOf([...stack.slice(0, -1)], key), ...position(text, i) };
          }
          top.keys.add(key);
          top.key = key;
        }
        top.expectKey = false;
      }
      i = end;
      continue;
    }
    if (ch === '{' || ch === '[') {
      if (stack.length >= maxDepth) return { kind: 'too-deep', ...position(text, i) };
      stack.push(ch === '{' ? { type: 'object', keys: new Set(), expectKey: true, key: '' } : { type: 'array', index: 0 });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack.at(-1);
      if (top?.type === 'object') top.expectKey = true;
      else if (top?.type === 'array') top.index += 1;
    }
    i += 1;
  }
  return null;
}

/** The index just past the string that starts at `start` (a `"`), or the text's end. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') i += 2;
    else if (ch === '"') return i + 1;
    else i += 1;
  }
  return text.length;
}

/** A key as JSON.parse sees it (`"\u0061"` and `"a"` are the same key); null if not a valid string. */
function decodeKey(literal: string): string | null {
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

function pathOf(parents: Frame[], key: string): string {
  const parts = parents.map((frame) => (frame.type === 'object' ? frame.key : String(frame.index)));
  return [...parts, key].join('.');
}

function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}
