import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, resolveAssetPath, serveAppAsset } from '../../../../main/shell/app-protocol';

const ORIGIN = 'app://portico';
let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'portico-protocol-'));
  root = path.join(base, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Portico</title>');
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(base, 'secret.txt'), 'outside the build');
});
afterEach(async () => rm(base, { recursive: true, force: true }));

describe('serveAppAsset', () => {
  it('serves index.html for / and files under the build, with the CSP and a MIME type', async () => {
    const index = await serveAppAsset(root, `${ORIGIN}/`, ORIGIN);
    expect(index.status).toBe(200);
    expect(index.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(index.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    const js = await serveAppAsset(root, `${ORIGIN}/assets/app.js`, ORIGIN);
    expect(js.status).toBe(200);
    expect(js.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect(js.body.toString()).toBe('console.log(1)');
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/index.html%00.js',
    '/%E0%A4%A',
  ])('refuses traversal and malformed paths: %s', async (pathname) => {
    const response = await serveAppAsset(root, `${ORIGIN}${pathname}`, ORIGIN);
    expect(response.status).toBe(404);
    expect(response.body.toString()).not.toContain('outside the build');
    // Even refusals carry the CSP.
    expect(response.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses a symlink that leads out of the build folder', async () => {
    await symlink(path.join(base, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
    const response = await serveAppAsset(root, `${ORIGIN}/assets/link.txt`, ORIGIN);
    expect(response.status).toBe(404);
  });

  it('refuses requests for other origins and schemes', async () => {
    for (const url of ['app://evil/index.html', 'https://portico/index.html', 'file:///etc/passwd', 'not a url']) {
      expect((await serveAppAsset(root, url, ORIGIN)).status).toBe(404);
    }
  });

  it('answers 404 for a missing file without throwing', async () => {
    expect((await serveAppAsset(root, `${ORIGIN}/nope.js`, ORIGIN)).status).toBe(404);
  });
});

describe('resolveAssetPath', () => {
  it('keeps every resolved path inside the root', () => {
    expect(resolveAssetPath(root, `${ORIGIN}/assets/app.js`, ORIGIN)).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveAssetPath(root, `${ORIGIN}/../../etc/passwd`, ORIGIN)).toBe(path.join(root, 'etc', 'passwd'));
  });
});

describe('CSP', () => {
  it('allows only our own scripts, no objects, no inline or eval', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-/);
  });
});
