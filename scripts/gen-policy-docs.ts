/**
 * `npm run docs:policy`: writes docs/policy-reference.md and docs/policy.schema.json from the
 * configuration schema. `npm run docs:policy -- --check` only says whether they are current
 * (exit 1 if not). Run it after adding or changing a configuration key.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REFERENCE_FILE, SCHEMA_FILE, renderPolicyReference, renderPolicySchema } from './policy-docs';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const check = process.argv.includes('--check');
  const { text, missing } = await renderPolicyReference();
  const outputs: Array<[string, string]> = [
    [REFERENCE_FILE, text],
    [SCHEMA_FILE, await renderPolicySchema()],
  ];
  let stale = 0;
  for (const [file, content] of outputs) {
    const target = path.join(root, file);
    const current = await readFile(target, 'utf8').catch(() => null);
    if (current === content) continue;
    if (check) {
      console.error(`${file} is out of date: run \`npm run docs:policy\`.`);
      stale++;
    } else {
      await writeFile(target, content);
      console.log(`wrote ${file}`);
    }
  }
  if (missing.length > 0) {
    console.warn(
      `No description for: ${missing.join(', ')}.\nAdd .meta({ description: '...' }) to the schema (or a line in scripts/policy-docs.ts).`,
    );
  }
  if (stale > 0) process.exit(1);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
