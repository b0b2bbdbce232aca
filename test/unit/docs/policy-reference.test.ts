/**
 * docs/policy-reference.md and docs/policy.schema.json are generated from the configuration
 * schema. Other work adds configuration keys all the time: this test regenerates them from the
 * schema as it is now and fails when the committed files differ.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE, SCHEMA_FILE, renderPolicyReference, renderPolicySchema } from '../../../scripts/policy-docs';

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
    expect(text).toMatch(/\| `session\.idleMinutes` +\| integer +\| `15` +\| 1–1440 +\|/);
    expect(text).toMatch(/\| `updates\.enabled` +\| boolean +\| `false` +\|/);
  });
});
