/**
 * docs/policy-reference.md and docs/policy.schema.json are generated from the configuration
 * schema. Other work adds configuration keys all the time: this test regenerates them from the
 * schema as it is now and fails when the committed files differ.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USER_SETTABLE } from '../../../main/policy/user-settable';
import {
  REFERENCE_FILE,
  SCHEMA_FILE,
  personalRule,
  policyJsonSchema,
  renderPolicyReference,
  renderPolicySchema,
} from '../../../scripts/policy-docs';

const ROOT = path.resolve(__dirname, '../../..');
const STALE = 'is out of date with main/policy/config-schema.ts: run `npm run docs:policy` and commit the result';

describe('the policy reference', () => {
  it(`${REFERENCE_FILE} matches the schema`, async () => {
    const { text } = await renderPolicyReference();
    const committed = await readFile(path.join(ROOT, REFERENCE_FILE), 'utf8');
    expect(committed, `${REFERENCE_FILE} ${STALE}`).toBe(text);
  });

  it(`${SCHEMA_FILE} matches the schema`, async () => {
    const committed = await readFile(path.join(ROOT, SCHEMA_FILE), 'utf8');
    expect(committed, `${SCHEMA_FILE} ${STALE}`).toBe(await renderPolicySchema());
  });

  it('lists every top-level key of the schema, with its type and default', async () => {
    const { text } = await renderPolicyReference();
    for (const key of ['session', 'localAccounts', 'security', 'providers.saml', 'providers.oidc', 'updates']) {
      expect(text).toContain(`## \`${key}\``);
    }
    expect(text).toMatch(/\| `session\.idleMinutes` +\| integer +\| `60` +\| 1–1440 +\|/);
    expect(text).toMatch(/\| `updates\.enabled` +\| boolean +\| `false` +\|/);
  });

  it('says for every key whether a person’s config.json may set it: stricter only, or no', async () => {
    const { text } = await renderPolicyReference();
    const rows = text.split('\n').filter((line) => /^\| `[^`]+` /.test(line));
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) {
      // Cells between unescaped pipes (a `|` inside a cell is written `\|`).
      const cells = row
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      const key = /`([^`]+)`/.exec(cells[0]!)![1]!;
      expect(cells[4], key).toBe(personalRule(key));
      expect(cells[4], key).toMatch(/^(no|stricter only: (lower|higher|`false`)|some keys, stricter only)$/);
    }
    expect(text).toMatch(/\| `localAccounts\.maxFailures` +\|[^\n]*\| stricter only: lower +\|/);
    expect(text).toMatch(/\| `access\.rolePermissions` +\|[^\n]*\| no +\|/);
    expect(text).toMatch(/\| `providers\.saml\[\]\.idpCertificates` +\|[^\n]*\| no +\|/);
    // Every key a person may set is in the reference with its rule.
    for (const [key, rule] of Object.entries(USER_SETTABLE)) {
      expect(
        rows.some(
          (row) => row.startsWith(`| \`${key}\``) && row.includes(`stricter only: ${rule === 'false' ? '`false`' : rule}`),
        ),
        key,
      ).toBe(true);
    }
  });

  it('marks the same in the JSON Schema (x-portico-config-json on each property)', async () => {
    const schema = JSON.parse(await renderPolicySchema()) as ReturnType<typeof policyJsonSchema>;
    type Node = { properties?: Record<string, Node>; items?: Node; 'x-portico-config-json'?: string };
    const root = schema as unknown as Node;
    expect(root.properties!.session!.properties!.idleMinutes!['x-portico-config-json']).toBe('stricter only: lower');
    expect(root.properties!.access!['x-portico-config-json']).toBe('no');
    expect(root.properties!.providers!.properties!.oidc!.items!.properties!.clientId!['x-portico-config-json']).toBe('no');
  });
});
