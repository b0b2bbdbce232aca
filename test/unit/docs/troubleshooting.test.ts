/**
 * docs/troubleshooting.md has a row for every code a user can see: the IPC error codes, the
 * startup screens' codes and the SAML/OIDC refusal codes. Codes are gathered from the source
 * as it is now, so a new code fails this test until it is documented.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../preload/constants';
import { SAML_REFUSALS } from '../../../main/auth/saml/saml-errors';
import { OIDC_REFUSALS } from '../../../main/auth/oidc/oidc-errors';

const ROOT = path.resolve(__dirname, '../../..');
const source = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The codes a startup screen can show: literals in startup-errors.ts and the error classes' code unions. */
function startupCodes(): string[] {
  const literals = [...source('main/startup-errors.ts').matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)].map((m) => m[1]!);
  const union = (file: string, pattern: RegExp) => {
    const block = pattern.exec(source(file))?.[1];
    if (!block) throw new Error(`Cannot find the error codes in ${file}: update test/unit/docs/troubleshooting.test.ts.`);
    return [...block.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
  };
  const keyStorage = union('main/platform.ts', /class KeyStorageError[\s\S]*?readonly code: ([^,]+),/);
  const vault = union('main/vault/vault.ts', /export type VaultErrorCode =([^;]+);/);
  return [...new Set([...literals, ...keyStorage, ...vault])];
}

/** First-column codes of the Markdown tables: `| \`CODE\` | ...`. */
function documented(): Set<string> {
  return new Set([...source('docs/troubleshooting.md').matchAll(/^\| `([A-Z0-9_]+)` +\|.+\|.+\|/gm)].map((m) => m[1]!));
}

describe('docs/troubleshooting.md', () => {
  const table = documented();
  const missing = (codes: readonly string[]) => codes.filter((code) => !table.has(code));
  const advice = 'add a row (code | what happened | what to do) to docs/troubleshooting.md';

  it('documents every error code of the app (ERROR_CODES in preload/constants.ts)', () => {
    expect(missing(ERROR_CODES), advice).toEqual([]);
  });

  it('documents every startup screen code (main/startup-errors.ts, KeyStorageError, VaultError)', () => {
    const codes = startupCodes();
    expect(codes).toEqual(expect.arrayContaining(['CONFIG_INVALID', 'STARTUP_FAILED', 'KEY_STORAGE_WEAK', 'VAULT_CORRUPT']));
    expect(missing(codes), advice).toEqual([]);
  });

  it('documents every SAML and OIDC refusal code', () => {
    expect(missing(Object.keys(SAML_REFUSALS)), advice).toEqual([]);
    expect(missing(Object.keys(OIDC_REFUSALS)), advice).toEqual([]);
  });

  it('gives each code a cause and a fix', () => {
    for (const line of source('docs/troubleshooting.md')
      .split('\n')
      .filter((l) => /^\| `[A-Z0-9_]+`/.test(l))) {
      const cells = line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      expect(cells, line).toHaveLength(3);
      expect(cells[1]!.length, line).toBeGreaterThan(10);
      expect(cells[2]!.length, line).toBeGreaterThan(5);
    }
  });
});
