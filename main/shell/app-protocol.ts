/**
 * Serves the renderer build from the app's own origin (`app://portico` in Electron; the test
 * host serves the same files through the same function). Only files under the build folder
 * are served: encoded traversal (`%2e%2e`, `%2f`, backslashes), NUL bytes and symlinks that
 * leave the folder are refused. Every response carries the CSP.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Electron security checklist #7. Same as the meta tag in renderer/index.html, plus
 * `frame-ancestors`, which browsers honour only in a header.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface AssetResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Maps a request URL to a file under `root`, or null when it must not be served. Pure. */
export function resolveAssetPath(root: string, requestUrl: string, appOrigin: string): string | null {
  let url: URL;
  let origin: URL;
  try {
    url = new URL(requestUrl);
    origin = new URL(appOrigin);
  } catch {
    return null;
  }
  if (url.protocol !== origin.protocol || url.host !== origin.host) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const resolvedRoot = path.resolve(root);
  const file = path.resolve(resolvedRoot, relative);
  if (file !== resolvedRoot && !file.startsWith(resolvedRoot + path.sep)) return null;
  return file;
}

export async function serveAppAsset(root: string, requestUrl: string, appOrigin: string): Promise<AssetResponse> {
  const headers = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
  const file = resolveAssetPath(root, requestUrl, appOrigin);
  const notFound = { status: 404, headers: { ...headers, 'Content-Type': 'text/plain' }, body: Buffer.from('Not found') };
  if (!file) return notFound;
  try {
    // Symlinks could point outside the build: compare the real path too.
    const real = await fs.realpath(file);
    const realRoot = await fs.realpath(root);
    if (!real.startsWith(realRoot + path.sep)) return notFound;
    const body = await fs.readFile(real);
    const type = MIME[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
    return { status: 200, headers: { ...headers, 'Content-Type': type }, body };
  } catch {
    return notFound;
  }
}
