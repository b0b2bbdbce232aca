/**
 * Packaging, checked without the Electron binary (`npm run package:check` runs this file; it
 * is part of `npm test` as a unit test). electron-builder packs the real build (`out/`) with a
 * stand-in Electron that carries only a fuse wire (the sentinel @electron/fuses looks for), so
 * we can read back the fuses the afterPack hook flipped and list what went into app.asar.
 * Installer targets, signing, notarization and updates cannot run here: they are checked by
 * reading electron-builder.yml.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { extractFile, listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's own defaults: RunAsNode, NodeOptions, Inspect, GrantFileProtocol on; the rest off.
const DEFAULT_WIRE = '10110001';
// Fuse states as stored in the wire (ASCII '0' / '1').
const FuseState = { DISABLE: 0x30, ENABLE: 0x31 } as const;
const FUSE_NAMES = Object.keys(FuseV1Options).filter((key) => Number.isNaN(Number(key))) as Array<keyof typeof FuseV1Options>;

let work: string;
let asar: string;
let unpacked: string;
let binary: string;
let files: string[];

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'out/main/index.js'))) throw new Error('Run `npm run build` before the packaging test.');
  work = await mkdtemp(path.join(tmpdir(), 'portico-package-'));
  const dist = path.join(work, 'electron-dist');
  await mkdir(dist);
  const standIn = Buffer.concat([
    Buffer.from('#!/bin/sh\n# stand-in for the Electron binary\n'),
    Buffer.from(SENTINEL),
    Buffer.from([1, DEFAULT_WIRE.length]),
    Buffer.from(DEFAULT_WIRE),
  ]);
  await writeFile(path.join(dist, 'electron'), standIn);
  await chmod(path.join(dist, 'electron'), 0o755);
  await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/electron-builder'),
    ['--linux', 'dir', '--publish', 'never', `-c.electronDist=${dist}`, `-c.directories.output=${path.join(work, 'dist')}`],
    { cwd: ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
  );
  asar = path.join(work, 'dist/linux-unpacked/resources/app.asar');
  unpacked = `${asar}.unpacked`;
  binary = path.join(work, 'dist/linux-unpacked/portico');
  files = listPackage(asar, { isPack: false }).map((f) => f.replace(/\\/g, '/'));
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const config = () => parse(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8'));
const isDir = (file: string) => files.some((other) => other.startsWith(`${file}/`));

describe('the packaged app', () => {
  it('has the security fuses flipped by the afterPack hook: no RunAsNode, NODE_OPTIONS or inspect; cookie encryption, asar integrity and asar-only loading on', async () => {
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
  });

  it('has every fuse the hook decides, as the hook decides it (and the hook decides every fuse @electron/fuses knows)', async () => {
    const { FUSES } = (await import('../../../scripts/after-pack.mjs')) as { FUSES: Record<string, boolean> };
    expect(Object.keys(FUSES).sort()).toEqual([...FUSE_NAMES].sort());
    const wire = await getCurrentFuseWire(binary);
    const actual = Object.fromEntries(FUSE_NAMES.map((name) => [name, wire[FuseV1Options[name]] === FuseState.ENABLE]));
    expect(actual).toEqual(FUSES);
  });

  it('holds the built main, preload and renderer (with its assets), package.json and node_modules, and nothing else', () => {
    const top = [...new Set(files.map((f) => f.split('/')[1]))].sort();
    expect(top).toEqual(['node_modules', 'out', 'package.json']);
    for (const needed of ['/out/main/index.js', '/out/preload/index.js', '/out/renderer/index.html', '/package.json']) {
      expect(files).toContain(needed);
    }
    expect(files.some((f) => /^\/out\/renderer\/assets\/[^/]+\.js$/.test(f))).toBe(true);
    expect(files.some((f) => /^\/out\/renderer\/assets\/[^/]+\.css$/.test(f))).toBe(true);
    const outFiles = files.filter((f) => f.startsWith('/out/') && !isDir(f));
    const unexpected = outFiles.filter(
      (f) =>
        !/^\/out\/(main|preload)\/[\w./-]+\.(js|cjs|mjs)$/.test(f) &&
        !/^\/out\/renderer\/[\w./-]+\.(html|js|css|woff2?|svg|png|ico|webp)$/.test(f),
    );
    expect(unexpected).toEqual([]);
  });

  it('contains no tests, sources, keys, environment files, source maps or build tooling', () => {
    const forbidden = files.filter(
      (f) =>
        /^\/(main|preload|renderer|test|scripts|docs|\.ci|assets|dist|test-results)\//.test(f) ||
        /(^|\/)\.env(\.|$)/.test(f) ||
        /\.(map|pem|key|p8|p12|pfx|jks|keystore|sarif|tsx?|mts|cts)$/.test(f) ||
        /\/(test|tests|__tests__)\//.test(f) ||
        /^\/(README\.md|tsconfig.*\.json|electron-builder\.yml|electron\.vite\.config\.ts|package-lock\.json)$/.test(f) ||
        /^\/node_modules\/(electron|electron-builder|app-builder-lib|vite|vitest|typescript|react|react-dom|@types|@playwright|playwright-core|oidc-provider)\//.test(
          f,
        ),
    );
    expect(forbidden).toEqual([]);
  });

  it('ships only runtime dependencies (the closure of package.json "dependencies"), electron-updater among them', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toContain('electron-updater');
    const runtime = new Set<string>();
    const visit = (name: string, from: string) => {
      if (runtime.has(name)) return;
      let dir = from;
      // Node's resolution: the nearest node_modules/<name> up from the dependent package.
      while (!existsSync(path.join(dir, 'node_modules', name, 'package.json')) && dir.length > ROOT.length)
        dir = path.dirname(dir);
      const manifest = path.join(dir, 'node_modules', name, 'package.json');
      if (!existsSync(manifest)) return; // an optional dependency for another platform
      runtime.add(name);
      const child = JSON.parse(readFileSync(manifest, 'utf8'));
      for (const dep of Object.keys({ ...child.dependencies, ...child.optionalDependencies })) visit(dep, path.dirname(manifest));
    };
    for (const dep of Object.keys(pkg.dependencies)) visit(dep, ROOT);
    const shipped = files
      .filter((f) => /\/node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(f))
      .map((f) => /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(f)![1]!);
    expect(shipped).toContain('electron-updater');
    expect(shipped.filter((name) => !runtime.has(name))).toEqual([]);
  });

  it('keeps every shipped package loadable: its main file is in the asar', () => {
    const broken: string[] = [];
    for (const manifest of files.filter((f) => /\/node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(f))) {
      const pkg = JSON.parse(extractFile(asar, manifest.slice(1)).toString('utf8'));
      if (typeof pkg.main !== 'string') continue;
      const base = path.posix.join(path.posix.dirname(manifest), pkg.main);
      const candidates = [base, `${base}.js`, `${base}.json`, `${base}/index.js`, `${base}.node`];
      if (!candidates.some((c) => files.includes(c) && !isDir(c))) broken.push(`${manifest}: main ${pkg.main}`);
    }
    expect(broken).toEqual([]);
  });

  it('unpacks the native N-API binaries, which must be real files to load (and are not rebuilt: N-API is ABI-stable)', () => {
    expect(config().npmRebuild).toBe(false);
    const natives = files.filter((f) => f.endsWith('.node'));
    expect(natives.length).toBeGreaterThan(0);
    for (const file of natives) expect(existsSync(path.join(unpacked, file)), file).toBe(true);
  });

  it('unpacks the data worker with everything it requires: a worker started from app.asar.unpacked resolves modules there', () => {
    const worker = path.join(unpacked, 'out/main/duckdb-worker.js');
    expect(existsSync(worker)).toBe(true);
    const bare = [...readFileSync(worker, 'utf8').matchAll(/require\("([^"]+)"\)/g)]
      .map((m) => m[1]!)
      .filter((m) => !m.startsWith('node:'));
    expect(bare).toContain('@duckdb/node-api');
    // Node's own resolution from the worker's folder, walking up inside the unpacked tree only.
    const missing: string[] = [];
    const resolveFrom = (dir: string, name: string): string | null => {
      for (let d = dir; d.startsWith(unpacked); d = path.dirname(d)) {
        const candidate = path.join(d, 'node_modules', name);
        if (existsSync(path.join(candidate, 'package.json'))) return candidate;
      }
      return null;
    };
    const seen = new Set<string>();
    const visit = (name: string, from: string) => {
      const found = resolveFrom(from, name);
      if (!found) return void missing.push(name);
      if (seen.has(found)) return;
      seen.add(found);
      const manifest = JSON.parse(readFileSync(path.join(found, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, found);
    };
    for (const name of bare) visit(name, path.dirname(worker));
    expect(missing).toEqual([]);
    // The addon's shared library sits beside it.
    expect(files.some((f) => /node-bindings-linux-x64\/libduckdb\.so$/.test(f) && existsSync(path.join(unpacked, f)))).toBe(true);
  });

  it('carries no client secret or private key in the app code', () => {
    const appFiles = files.filter((f) => /^\/out\/.*\.(js|html|css|json)$/.test(f));
    expect(appFiles.length).toBeGreaterThan(3);
    for (const file of appFiles) {
      const text = extractFile(asar, file.slice(1)).toString('utf8');
      expect(text, file).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text, file).not.toMatch(/client_secret["']?\s*[:=]\s*["'][^"']+["']/);
    }
  });

  it('writes the updater configuration (generic provider) beside the asar', async () => {
    const updateConfig = parse(await readFile(path.join(work, 'dist/linux-unpacked/resources/app-update.yml'), 'utf8'));
    expect(updateConfig).toMatchObject({ provider: 'generic', channel: 'latest' });
  });
});

describe('electron-builder.yml', () => {
  it('builds every installer IT deploys: NSIS (per-user or per-machine) and MSI (per-machine); dmg and zip; AppImage, deb and rpm', () => {
    const c = config();
    expect(c.appId).toBe('com.portico.desktop');
    expect(c.productName).toBe('Portico');
    expect(c.asar).toBe(true);
    expect(c.win.target).toEqual(expect.arrayContaining(['nsis', 'msi']));
    expect(c.mac.target).toEqual(expect.arrayContaining(['dmg', 'zip']));
    expect(c.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb', 'rpm']));
    // Assisted NSIS installer: the per-machine choice (and `/S /allusers` for a silent install).
    expect(c.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
    // MSI for Intune / Group Policy: per machine, with a fixed upgrade code so upgrades replace.
    expect(c.msi.perMachine).toBe(true);
    expect(c.msi.upgradeCode).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  });

  it('signs with SHA-256, hardened runtime, entitlements and notarization, all from the environment (no secrets in the file)', async () => {
    const text = await readFile(path.join(ROOT, 'electron-builder.yml'), 'utf8');
    const c = config();
    expect(c.win.signtoolOptions.signingHashAlgorithms).toEqual(['sha256']);
    expect(c.mac.hardenedRuntime).toBe(true);
    expect(c.mac.notarize).toBe(true);
    for (const key of ['entitlements', 'entitlementsInherit']) {
      const plist = await readFile(path.join(ROOT, c.mac[key]), 'utf8');
      expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>');
      // No debugger attach, no DYLD injection, no unsigned code or libraries.
      expect(plist).not.toMatch(
        /<key>com\.apple\.security\.(get-task-allow|cs\.allow-dyld-environment-variables|cs\.disable-library-validation|cs\.allow-unsigned-executable-memory)<\/key>/,
      );
    }
    // Signing material only from the environment: no password, certificate, key or API key here.
    const settings = text.replace(/^\s*#.*$/gm, '');
    expect(settings).not.toMatch(
      /password|cscLink|cscKeyPassword|certificateFile|certificatePassword|appleId|apiKey|-----BEGIN/i,
    );
    for (const variable of [
      'CSC_LINK',
      'CSC_KEY_PASSWORD',
      'APPLE_ID',
      'APPLE_APP_SPECIFIC_PASSWORD',
      'APPLE_TEAM_ID',
      'APPLE_API_KEY',
    ]) {
      expect(text, `electron-builder.yml documents ${variable}`).toContain(variable);
    }
  });

  it('flips the fuses in the afterPack hook only (one place decides them)', () => {
    const c = config();
    expect(c.afterPack).toBe('./scripts/after-pack.mjs');
    expect(existsSync(path.join(ROOT, c.afterPack))).toBe(true);
    expect(c.electronFuses).toBeUndefined();
  });

  it('publishes updates for a generic (internal) server, with a placeholder URL that cannot resolve', () => {
    const c = config();
    expect(c.publish).toMatchObject({ provider: 'generic', channel: 'latest' });
    const url = new URL(c.publish.url);
    expect(url.protocol).toBe('https:');
    expect(url.hostname.endsWith('.invalid')).toBe(true);
  });

  it('has the app icon that electron-builder converts for every platform (assets/icon.png, 1024 px square)', async () => {
    const png = await readFile(path.join(ROOT, config().directories.buildResources, 'icon.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1024, 1024]);
  });

  it('packs only the build output and package.json from the project', () => {
    const c = config();
    const included = c.files.filter((pattern: string) => !pattern.startsWith('!'));
    expect(included).toEqual(['out/**/*', 'package.json']);
    expect(c.files).toContain('!**/*.map');
  });
});
