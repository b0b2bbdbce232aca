/**
 * The docs agree with the code and with each other: links between them resolve (files and
 * #anchors) and stay inside the repository, every file they name exists, no file of the
 * project points at notes outside it, and the IT guide names the real policy paths,
 * environment variables and signing variables.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machinePolicyPath } from '../../../main/config-paths';
import { UPDATE_URL_ENV } from '../../../main/policy/updates-config';

const ROOT = path.resolve(__dirname, '../../..');
const DOCS = path.join(ROOT, 'docs');
const read = (file: string) => readFileSync(file, 'utf8');
/** Folders that are not the project's own text: dependencies, build and test output. */
const SKIPPED_DIRS = new Set(['node_modules', 'out', 'dist', 'test-results', 'playwright-report', 'coverage', '.git']);

/** Every file under `dir` (relative to ROOT) whose name passes `keep`, skipping dependencies and output. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') && entry.name !== '.ci') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...filesUnder(full, keep));
    } else if (entry.isFile() && keep(entry.name)) found.push(full);
  }
  return found;
}

/** The project's Markdown: the root documents (README, ARCHITECTURE...) and everything under docs/. */
const markdown = [
  ...readdirSync(ROOT)
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(ROOT, f)),
  ...filesUnder(DOCS, (name) => name.endsWith('.md')),
];

/** The project's own text files: sources, tests, scripts, docs and configuration. */
const TEXT_FILE = /\.(?:ts|tsx|mts|cts|js|mjs|cjs|md|json|ya?ml|html|css|sh|php|txt)$|^run$/;
const projectFiles = filesUnder(ROOT, (name) => TEXT_FILE.test(name) && name !== 'package-lock.json');
const relative = (file: string) => path.relative(ROOT, file);
const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, '');
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

describe('links in docs/ and the root documents', () => {
  it('finds the documents a newcomer starts from', () => {
    expect(markdown.map(relative)).toEqual(
      expect.arrayContaining(['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', 'SECURITY.md', 'TESTING.md']),
    );
    expect(markdown.map(relative).filter((f) => f.startsWith('docs/adr/')).length).toBeGreaterThan(3);
  });

  it.each(markdown.map(relative))('%s: every relative link and anchor resolves, inside the repository', (relativePath) => {
    const file = path.join(ROOT, relativePath);
    const text = withoutCode(read(file));
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(?:https?|mailto):/i.test(target!)) continue;
      const [where, anchor] = target!.split('#');
      const resolved = where ? path.resolve(path.dirname(file), where) : file;
      // file: URLs, absolute paths and ../ past the root all lead to something readers do not have.
      if (/^[a-z]+:/i.test(target!) || where!.startsWith('/') || !resolved.startsWith(ROOT + path.sep)) broken.push(target!);
      else if (!existsSync(resolved)) broken.push(target!);
      else if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(target!);
    }
    expect(broken, 'links that do not resolve inside the repository').toEqual([]);
  });

  it.each(markdown.map(relative))('%s: every repository path it names in backticks exists', (relativePath) => {
    const text = read(path.join(ROOT, relativePath));
    const missing = [...text.matchAll(/`((?:main|preload|renderer|test|scripts|docs|assets)\/[\w./-]+)`/g)]
      .map((m) => m[1]!)
      .filter((named) => !existsSync(path.join(ROOT, named)));
    expect(missing, 'paths that do not exist (renamed or removed? update the document)').toEqual([]);
  });

  it('the README links to each guide in docs/', () => {
    const readme = read(path.join(ROOT, 'README.md'));
    for (const doc of ['it-deployment.md', 'policy-reference.md', 'entra-saml.md', 'entra-oidc.md', 'troubleshooting.md']) {
      expect(readme).toContain(`(docs/${doc}`);
    }
  });

  it('the README links to the project documents for developers', () => {
    const readme = read(path.join(ROOT, 'README.md'));
    for (const doc of ['ARCHITECTURE.md', 'CONTRIBUTING.md', 'SECURITY.md', 'TESTING.md', 'docs/adr/']) {
      expect(readme).toContain(`](${doc}`);
    }
  });
});

describe('nothing in the project points outside it', () => {
  // Built from parts, so that this file does not name them itself.
  const outsidePaths = [['..', 'shared'].join('/'), ['', 'work', 'shared'].join('/')];

  it('scans the sources, tests, scripts and docs', () => {
    const names = new Set(projectFiles.map(relative));
    for (const file of ['README.md', 'main/app.ts', 'preload/contract.ts', 'scripts/run-tests.mjs', 'docs/troubleshooting.md']) {
      expect(names, file).toContain(file);
    }
  });

  it('no file names a notes folder outside the repository', () => {
    const offending = projectFiles.filter((file) => outsidePaths.some((p) => read(file).includes(p))).map(relative);
    expect(offending, `files naming ${outsidePaths.join(' or ')}`).toEqual([]);
  });

  it('no document sends readers to the team’s own notes', () => {
    const offending = markdown
      .filter((file) => /\bthe team['’]s\s+(?:`?[A-Z]+\.md`?|notes|design)/i.test(read(file)))
      .map(relative);
    expect(offending, 'point to the project’s own SECURITY.md, TESTING.md or ARCHITECTURE.md instead').toEqual([]);
  });

  it('every Markdown file a source, test or document names exists in the repository', () => {
    const known = new Set(filesUnder(ROOT, (name) => name.endsWith('.md')).map((f) => path.basename(f)));
    const missing: string[] = [];
    for (const file of projectFiles) {
      for (const [name] of read(file).matchAll(/\b[A-Za-z0-9_-]+\.md\b/g)) {
        if (!known.has(name)) missing.push(`${relative(file)}: ${name}`);
      }
    }
    expect(missing, 'a .md file that is not in the repository (an outside document?)').toEqual([]);
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
      'the policy decides, over the defaults; a person may only make things stricter',
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
