import { describe, expect, it } from 'vitest';
import { findJsonStructureProblem, MAX_JSON_DEPTH } from '../../../../main/policy/json-structure';

describe('findJsonStructureProblem', () => {
  it('finds nothing in ordinary JSON', () => {
    expect(findJsonStructureProblem('{"a":{"b":[1,{"c":2},{"c":3}]},"d":"}{[]\\"\\\\"}')).toBeNull();
    expect(findJsonStructureProblem('[]')).toBeNull();
    expect(findJsonStructureProblem('')).toBeNull();
  });

  it('allows exactly the maximum depth, and refuses one level more with the position of the bracket', () => {
    const at = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(findJsonStructureProblem(at(MAX_JSON_DEPTH))).toBeNull();
    expect(findJsonStructureProblem(at(MAX_JSON_DEPTH + 1))).toEqual({ kind: 'too-deep', line: 1, column: MAX_JSON_DEPTH + 1 });
    expect(findJsonStructureProblem('{\n "a": [[[1]]]\n}', 3)).toEqual({ kind: 'too-deep', line: 2, column: 9 });
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(findJsonStructureProblem(`["${'['.repeat(100)}", "\\"${'{'.repeat(100)}"]`)).toBeNull();
  });

  it('names a repeated key by its path, list items by index', () => {
    expect(findJsonStructureProblem('{"a":1,"b":{"c":1,"c":2}}')).toMatchObject({ kind: 'duplicate-key', path: 'b.c' });
    expect(findJsonStructureProblem('{"l":[{"x":1},{"x":1,"y":[],"x":2}]}')).toMatchObject({ path: 'l.1.x' });
    expect(findJsonStructureProblem('{"a":1,\n"a":2}')).toEqual({ kind: 'duplicate-key', path: 'a', line: 2, column: 1 });
  });

  it('compares keys as JSON.parse reads them (escapes decoded)', () => {
    expect(findJsonStructureProblem('{"ab":1,"\\u0061b":2}')).toMatchObject({ path: 'ab' });
    expect(findJsonStructureProblem('{"a":1,"A":2}')).toBeNull();
  });

  it('does not take a string value for a key', () => {
    expect(findJsonStructureProblem('{"a":"a","b":"a"}')).toBeNull();
    expect(findJsonStructureProblem('{"a":["a","a"]}')).toBeNull();
  });
});
