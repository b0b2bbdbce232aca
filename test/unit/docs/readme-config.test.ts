/** The README's full configuration example is a configuration Portico accepts, with every top-level key. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { porticoConfig } from '../../../main/policy/config-schema';

const README = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

describe('README configuration example', () => {
  it('parses with the schema and shows every top-level key', () => {
    const first = /## Configuration[\s\S]*?```json\n([\s\S]*?)```/.exec(README);
    expect(first, 'a json block under "## Configuration"').not.toBeNull();
    const example = JSON.parse(first![1]!) as Record<string, unknown>;
    const parsed = porticoConfig.safeParse(example);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    const keys = Object.keys(porticoConfig.unwrap().shape).filter((k) => k !== '$schema');
    expect(Object.keys(example).sort()).toEqual(keys.sort());
  });
});
