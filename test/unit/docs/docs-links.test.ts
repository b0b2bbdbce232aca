/**
 * The docs agree with the code and with each other: links between them resolve (files and
 * #anchors), and the IT guide names the real policy paths, environment variables and signing
 * variables.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machinePolicyPath } from '../../../main/config-paths';
import { UPDATE_URL_ENV } from '../../../main/policy/updates-config';

const ROOT = path.resolve(__dirname, '../../..');
const DOCS = path.join(ROOT, 'docs');
const read = (file: string) => readFileSync(file, 'utf8');
const markdown = [
  ...readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(DOCS, f)),
  path.join(ROOT, 'README.md'),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(file: string): Set<string> {
  const text = read(file).replace(/```[\s\S]*?```/g, '');
  return new Set(
    [...text.matchAll(/^#{1,6} +(.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}

describe('links in docs/ and the README', () => {
  it.each(markdown.map((f) => path.relative(ROOT, f)))('%s: every relative link and anchor resolves', (relative) => {
    const file = path.join(ROOT, relative);
    const text = read(file).replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
      const [where, anchor] = target!.split('#');
      const resolved = where ? path.resolve(path.dirname(file), where) : file;
      if (!existsSync(resolved)) broken.push(target!);
      else if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(target!);
    }
    expect(broken).toEqual([]);
  });

  it('the README links to each guide in docs/', () => {
    const readme = read(path.join(ROOT, 'README.md'));
    for (const doc of ['it-deployment.md', 'policy-reference.md', 'entra-saml.md', 'entra-oidc.md', 'troubleshooting.md']) {
      expect(readme).toContain(`(docs/${doc}`);
    }
  });
});

describe('docs/it-deployment.md', () => {
  const guide = read(path.join(DOCS, 'it-deployment.md'));

  it('names the machine policy path Portico really reads on each OS', () => {
    expect(guide).toContain(machinePolicyPath('win32', { ProgramData: '%ProgramData%' }).replace(/\//g, '\\'));
    expect(guide).toContain(machinePolicyPath('darwin', {}));
    expect(guide).toContain(machinePolicyPath('linux', {}));
  });

  it('documents the environment variables, the silent installs and the precedence', () => {
    for (const text of [
      'PORTICO_POLICY',
      'PORTICO_CONFIG',
      UPDATE_URL_ENV,
      '/S /allusers',
      'msiexec /i',
      'defaults < user settings < policy',
    ]) {
      expect(guide).toContain(text);
    }
  });

  it('lists every signing variable electron-builder.yml names', () => {
    const config = read(path.join(ROOT, 'electron-builder.yml'));
    const variables = [...new Set([...config.matchAll(/\b((?:WIN_)?CSC_[A-Z_]+|APPLE_[A-Z_]+)\b/g)].map((m) => m[1]!))];
    expect(variables.length).toBeGreaterThan(5);
    for (const variable of variables) expect(guide, variable).toContain(`\`${variable}\``);
  });
});
