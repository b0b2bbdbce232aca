/**
 * Packaging, checked without the Electron binary: electron-builder packs the real build
 * (`out/`) with a stand-in Electron that carries only a fuse wire (the sentinel
 * @electron/fuses looks for), so we can read back which fuses the build flipped and what
 * went into app.asar. Signing settings are checked by reading electron-builder.yml.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
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

let work: string;
let asar: string;
let binary: string;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'out/main/index.js'))) throw new Error('Run `npm run build` before the packaging test.');
  work = await mkdtemp(path.join(tmpdir(), 'portico-package-'));
  const dist = path.join(work, 'electron-dist');
  await mkdir(dist);
  const standIn = Buffer.concat([
    Buffer.from('#!/bin/sh\n# stand-in for the Electron binary\n'),
    Buffer.from(SENTINEL),
    Buffer.from([1, 8]),
    Buffer.from(DEFAULT_WIRE),
  ]);
  await writeFile(path.join(dist, 'electron'), standIn);
  await chmod(path.join(dist, 'electron'), 0o755);
  await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/electron-builder'),
    ['--linux', 'dir', `-c.electronDist=${dist}`, `-c.directories.output=${path.join(work, 'dist')}`],
    { cwd: ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
  );
  asar = path.join(work, 'dist/linux-unpacked/resources/app.asar');
  binary = path.join(work, 'dist/linux-unpacked/portico');
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packaged app', () => {
  it('has the security fuses flipped: no RunAsNode, NODE_OPTIONS or inspect; asar integrity and asar-only loading on', async () => {
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
  });

  it('contains the built app and its runtime dependencies, and nothing from the source tree', () => {
    const files = listPackage(asar, { isPack: false }).map((f) => f.replace(/\\/g, '/'));
    for (const needed of ['/out/main/index.js', '/out/preload/index.js', '/out/renderer/index.html', '/package.json']) {
      expect(files).toContain(needed);
    }
    expect(files.some((f) => f.startsWith('/node_modules/zod/'))).toBe(true);
    expect(files.some((f) => f.startsWith('/node_modules/@node-rs/argon2/'))).toBe(true);
    const forbidden = files.filter(
      (f) =>
        /^\/(main|preload|renderer|test|scripts|\.ci|assets)\//.test(f) ||
        /\.(map|pem|key|p12|pfx|sarif)$/.test(f) ||
        /^\/(README\.md|tsconfig.*\.json|electron-builder\.yml|\.env.*)$/.test(f) ||
        f.startsWith('/node_modules/electron/') ||
        f.startsWith('/node_modules/react/') ||
        f.startsWith('/node_modules/@playwright/'),
    );
    expect(forbidden).toEqual([]);
  });

  it('carries no client secret or private key in the app code', () => {
    const appFiles = listPackage(asar, { isPack: false }).filter((f) => /^[\\/]out[\\/].*\.(js|html|css|json)$/.test(f));
    expect(appFiles.length).toBeGreaterThan(3);
    for (const file of appFiles) {
      const text = extractFile(asar, file.slice(1)).toString('utf8');
      expect(text, file).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text, file).not.toMatch(/client_secret["']?\s*[:=]\s*["'][^"']+["']/);
    }
  });
});

describe('electron-builder.yml', () => {
  it('signs with SHA-256, hardened runtime and notarization, from environment (no secrets in the file)', async () => {
    const text = await readFile(path.join(ROOT, 'electron-builder.yml'), 'utf8');
    const config = parse(text);
    expect(config.appId).toBe('com.portico.desktop');
    expect(config.productName).toBe('Portico');
    expect(config.asar).toBe(true);
    expect(config.win.signtoolOptions.signingHashAlgorithms).toEqual(['sha256']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.notarize).toBe(true);
    expect(text).not.toMatch(/password\s*:|cscKeyPassword|-----BEGIN/i);
  });
});
